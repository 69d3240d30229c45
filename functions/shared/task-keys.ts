import { clientCollection, type ItemKey, seg, tenantPrefix } from './key-segments.js';
import { SHARD_COUNT, type ShardedPartition, sharded, shardedKey } from './sharded-keys.js';

/**
 * Key builders of the tasks module, spread into `keys` by table-design.ts: the code asks `keys`,
 * never this file.
 */

/** Fields of a task that place it in the indexes (the open-task list only while it is open). */
export interface TaskIndexFields {
  id: string;
  assigneeId: string;
  branchId: string | null;
  clientId: string;
  dueAt: string;
  status: string;
}

/**
 * Shards of a branch's task list: a renewals run writes ~100 tasks a second into the branch of their
 * users (202 % of a partition at 10× peak, docs/scale.md section 6): 16 keep it near 13 %.
 */
export const TASK_BRANCH_SHARDS = SHARD_COUNT;

/** The unsharded value of a branch's task list (its shards append `#S<n>`). */
const branchTasks = (tenantId: string, branchId: string) =>
  `${tenantPrefix(tenantId)}#BRANCH#${seg(branchId)}#TASK`;

const byDue = (t: { dueAt: string; id: string }) => `${seg(t.dueAt)}#${seg(t.id)}`;

/** Keys of tasks, their types, process templates, settings and sent reminders. */
export const taskKeys = {
  /** A task's own item: one GetItem reads it, whoever it is assigned to. */
  task: (tenantId: string, taskId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#TASK#${seg(taskId)}`,
    sk: 'TASK',
  }),
  /** An open task as its client's card shows it: in the client's collection while the task is open. */
  openTaskCard: (tenantId: string, clientId: string, taskId: string): ItemKey => ({
    pk: clientCollection(tenantId, clientId),
    sk: `A#TASK#${seg(taskId)}`,
  }),
  /**
   * Index keys of a task, each sorted by due time: by assignee (lists and the calendar), by client,
   * by branch (a manager's team), open tasks of the tenant (reminders, late checkpoints) and every
   * task of the tenant (tenant-wide lists and performance).
   */
  taskIndexes: (tenantId: string, task: TaskIndexFields): Record<string, string> => {
    const idx: Record<string, string> = {
      gsi1pk: taskKeys.tasksByAssignee(tenantId, task.assigneeId),
      gsi1sk: byDue(task),
      gsi2pk: taskKeys.tasksByClient(tenantId, task.clientId),
      gsi2sk: byDue(task),
      gsi5pk: shardedKey(taskKeys.tasksOfTenant(tenantId).base, task.id),
      gsi5sk: byDue(task),
    };
    if (task.branchId) {
      idx.gsi3pk = shardedKey(branchTasks(tenantId, task.branchId), task.id, TASK_BRANCH_SHARDS);
      idx.gsi3sk = byDue(task);
    }
    if (task.status === 'OPEN') {
      idx.gsi4pk = shardedKey(taskKeys.openTasks(tenantId).base, task.id);
      idx.gsi4sk = byDue(task);
    }
    return idx;
  },
  tasksByAssignee: (tenantId: string, userId: string) =>
    `${tenantPrefix(tenantId)}#OWNER#${seg(userId)}#TASK`,
  tasksByClient: (tenantId: string, clientId: string) =>
    `${tenantPrefix(tenantId)}#CLIENT#${seg(clientId)}#TASK`,
  /** A branch's tasks: {@link TASK_BRANCH_SHARDS} shards, merged by due time. */
  tasksByBranch: (tenantId: string, branchId: string): ShardedPartition =>
    sharded(branchTasks(tenantId, branchId), TASK_BRANCH_SHARDS),
  /** The tenant's open tasks: 16 shards (docs/scale.md, section 6: a renewals run writes 100 tasks a second). */
  openTasks: (tenantId: string): ShardedPartition => sharded(`${tenantPrefix(tenantId)}#OPEN_TASKS`),
  /** Every task of the tenant: 16 shards, as the open ones. */
  tasksOfTenant: (tenantId: string): ShardedPartition => sharded(`${tenantPrefix(tenantId)}#TASKS`),

  /** The tenant's task types, one small collection. */
  taskTypes: (tenantId: string) => `${tenantPrefix(tenantId)}#TASK_TYPE`,
  taskType: (tenantId: string, code: string): ItemKey => ({
    pk: taskKeys.taskTypes(tenantId),
    sk: seg(code),
  }),
  /** The tenant's process templates, one small collection. */
  processTemplates: (tenantId: string) => `${tenantPrefix(tenantId)}#PROCESS_TEMPLATE`,
  processTemplate: (tenantId: string, id: string): ItemKey => ({
    pk: taskKeys.processTemplates(tenantId),
    sk: seg(id),
  }),
  /** The tenant's task settings (renewal window, reminder lead time). */
  taskSettings: (tenantId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#TASK_SETTINGS`,
    sk: 'SETTINGS',
  }),
  /** A reminder that was (or is being) sent: written before the send, so it goes out once. */
  reminder: (tenantId: string, reminderId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#REMINDER#${seg(reminderId)}`,
    sk: 'REMINDER',
  }),
  /** A deviation alert (a late checkpoint…): its own item, written once under a derived id. */
  alert: (tenantId: string, alertId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#ALERT#${seg(alertId)}`,
    sk: 'ALERT',
  }),
  /** The tenant's alerts, newest first on gsi1 (`alerts` filters them by the caller's scope). */
  alertIndexes: (tenantId: string, alert: { id: string; raisedAt: string }): Record<string, string> => ({
    gsi1pk: taskKeys.alertsOfTenant(tenantId),
    gsi1sk: `${seg(alert.raisedAt)}#${seg(alert.id)}`,
  }),
  alertsOfTenant: (tenantId: string) => `${tenantPrefix(tenantId)}#ALERTS`,
  /**
   * A user's iCalendar feed: the hash of its token's secret. One per user, so creating a new feed
   * replaces (revokes) the old one; the token names tenant and user, so serving it is one GetItem.
   */
  calendarFeed: (tenantId: string, userId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#CALFEED#${seg(userId)}`,
    sk: 'CALFEED',
  }),
} as const;

/** Sort-key bounds of a due-time range on any task index (inclusive at both ends). */
export function taskDueRange(from: string, to: string): [string, string] {
  return [`${seg(from)}#`, `${seg(to)}#~`];
}
