import type { ProcessTemplate, Task, TaskOutcome } from './tasks.model.js';

const DAY_MS = 86_400_000;

/** The template step that created a task; the next task's id is derived from it. */
export function nextTaskId(completedTaskId: string, stepKey: string): string {
  return `${completedTaskId}.${stepKey}`;
}

/**
 * The tasks a completion creates, by the task's process template: one per step that fires on the
 * task's type and outcome. Ids are derived from the completed task and the step, so completing the
 * same task again (or a replay) can only ask to create the very same items, which the write refuses.
 */
export function nextTasks(
  task: Task,
  outcome: TaskOutcome,
  templates: readonly ProcessTemplate[],
  types: ReadonlyMap<string, { slaHours: number; expectedMinutes: number }>,
  by: string,
  now: Date,
): Task[] {
  if (!task.process) return [];
  const template = templates.find((t) => t.kind === task.process);
  if (!template) return [];
  const at = now.toISOString();
  return template.steps
    .filter((s) => s.whenType === task.typeCode && s.whenOutcome === outcome)
    .map((s) => {
      const type = types.get(s.createType);
      return {
        id: nextTaskId(task.id, s.key),
        typeCode: s.createType,
        title: s.title,
        assigneeId: task.assigneeId,
        branchId: task.branchId,
        regionId: task.regionId,
        clientId: task.clientId,
        policyId: task.policyId,
        dueAt: new Date(now.getTime() + s.dueInDays * DAY_MS).toISOString(),
        slaDueAt: new Date(now.getTime() + (type?.slaHours ?? 72) * 3_600_000).toISOString(),
        expectedMinutes: type?.expectedMinutes ?? 30,
        priority: task.priority,
        status: 'OPEN',
        outcome: null,
        note: null,
        checkpoint: s.checkpoint,
        process: task.process,
        stepKey: s.key,
        createdBy: by,
        delegatedBy: null,
        createdAt: at,
        updatedAt: at,
        completedAt: null,
        version: 1,
      };
    });
}
