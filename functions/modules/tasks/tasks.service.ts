import { assertReach, authorize, canReach, isStaff, type RecordReach } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { TransactOp } from '../../shared/db.js';
import {
  ForbiddenError,
  NotFoundError,
  RuleViolationError,
  ValidationFailedError,
} from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { parseInput } from '../../shared/validation.js';
import type { TaskClients, TaskTimelineKind, TaskUser, TaskUsers } from './ports.js';
import { nextTasks } from './process-chains.js';
import type { TaskCatalog } from './task-catalog.js';
import {
  CompleteTaskInputSchema,
  CreateTaskInputSchema,
  ReassignTasksInputSchema,
  type Task,
  type TaskType,
} from './tasks.model.js';
import type { TasksRepository } from './tasks.repository.js';

const HOUR_MS = 3_600_000;

/** Where a task sits for scope checks: its assignee, and the assignee's branch and region. */
export function taskReach(task: Pick<Task, 'assigneeId' | 'branchId' | 'regionId'>): RecordReach {
  return { ownerUserId: task.assigneeId, branchId: task.branchId, regionId: task.regionId };
}

/** What a system write (a schedule, another module) asks for: a task with a deterministic id. */
export interface SystemTaskRequest {
  id: string;
  typeCode: Task['typeCode'];
  title: string;
  assigneeId: string;
  clientId: string;
  policyId: string | null;
  dueAt: string;
  process: Task['process'];
  priority?: Task['priority'];
  /** What the assignee should know (a partner lead's products and note). */
  note?: string | null;
}

/** Creating, completing and reassigning tasks; every change lands on the client's timeline. */
export class TasksService {
  constructor(
    private readonly repo: TasksRepository,
    private readonly catalog: TaskCatalog,
    private readonly clients: TaskClients,
    private readonly users: TaskUsers,
    private readonly clock: Clock,
  ) {}

  async createTask(principal: Principal | null, rawInput: unknown): Promise<Task> {
    const p = authorize(principal, 'tasks:write');
    const input = parseInput(CreateTaskInputSchema, rawInput);
    const client = await this.clients.requireClient(p, input.clientId);
    const assignee = await this.requireAssignee(p, input.assigneeId ?? p.userId, 'input.assigneeId');
    const type = await this.typeOf(p.tenantId, input.typeCode);
    const now = this.clock.now();
    const task = this.newTask(type, assignee, now, p.userId, {
      id: newId(),
      title: input.title,
      clientId: client.id,
      policyId: input.policyId ?? null,
      dueAt: input.dueAt ? new Date(input.dueAt).toISOString() : null,
      priority: input.priority ?? 'NORMAL',
      checkpoint: input.checkpoint ?? null,
      process: input.process ?? null,
      note: input.note ?? null,
      delegatedBy: assignee.id === p.userId ? null : p.userId,
    });
    await this.repo.transact([
      ...this.repo.createTaskOps(p.tenantId, task),
      this.timeline(p.tenantId, task, 'TASK_CREATED', p.userId, `Task created: ${task.title}`),
    ]);
    return task;
  }

  /**
   * Creates a task on the system's behalf (renewals, dunning) under a deterministic id: a second
   * request for the same id creates nothing and answers false.
   */
  async createSystemTask(tenantId: string, request: SystemTaskRequest, by: string): Promise<boolean> {
    const ops = await this.systemTaskOps(tenantId, request, by);
    if (!ops) return false;
    try {
      await this.repo.transact(ops);
      return true;
    } catch (error) {
      // Another run created it between the read and the write.
      if ((await this.repo.getTask(tenantId, request.id, true)) !== undefined) return false;
      throw error;
    }
  }

  /**
   * The ops creating a system task (null when its id exists already), for a caller that writes them
   * in one transaction with its own (a lead's client and its first-contact task).
   */
  async systemTaskOps(
    tenantId: string,
    request: SystemTaskRequest,
    by: string,
  ): Promise<TransactOp[] | null> {
    const assignee = await this.users.getUser(tenantId, request.assigneeId);
    if (!assignee) throw new NotFoundError('User', request.assigneeId);
    if (await this.repo.getTask(tenantId, request.id, true)) return null;
    const type = await this.typeOf(tenantId, request.typeCode);
    const task = this.newTask(type, assignee, this.clock.now(), by, {
      id: request.id,
      title: request.title,
      clientId: request.clientId,
      policyId: request.policyId,
      dueAt: request.dueAt,
      priority: request.priority ?? 'NORMAL',
      checkpoint: null,
      process: request.process,
      note: request.note ?? null,
      delegatedBy: null,
    });
    return [
      ...this.repo.createTaskOps(tenantId, task),
      this.timeline(tenantId, task, 'TASK_CREATED', by, `Task created: ${task.title}`),
    ];
  }

  /**
   * Completes an open task with an outcome, and creates what its process template says comes next,
   * in one transaction: the task's version is the condition, and next tasks have ids derived from
   * the task, so completing the same task twice creates nothing more.
   */
  async completeTask(principal: Principal | null, rawInput: unknown): Promise<Task> {
    const p = authorize(principal, 'tasks:write');
    const input = parseInput(CompleteTaskInputSchema, rawInput);
    const task = await this.requireTask(p, input.id);
    if (task.status !== 'OPEN') throw new RuleViolationError(`The task is ${task.status} already`);
    const now = this.clock.now();
    const at = now.toISOString();
    const changes: Partial<Task> = {
      status: 'DONE',
      outcome: input.outcome,
      note: input.note ?? task.note,
      completedAt: at,
      updatedAt: at,
    };
    const next = nextTasks(
      task,
      input.outcome,
      await this.catalog.templates(p.tenantId),
      await this.catalog.typeMap(p.tenantId),
      p.userId,
      now,
    );
    const t = p.tenantId;
    const ops: TransactOp[] = [
      ...this.repo.updateTaskOps(t, { ...task, version: input.expectedVersion }, changes),
      this.timeline(t, task, 'TASK_COMPLETED', p.userId, `Task done (${input.outcome}): ${task.title}`),
      ...next.flatMap((n) => [
        ...this.repo.createTaskOps(t, n),
        this.timeline(t, n, 'TASK_CREATED', p.userId, `Task created: ${n.title}`),
      ]),
    ];
    await this.repo.transact(ops);
    return { ...task, ...changes, version: input.expectedVersion + 1 };
  }

  /**
   * Hands open tasks to another user, all checked before any is written: every task and the new
   * assignee must be within the caller's scope. Each task moves with its timeline entry.
   */
  async reassignTasks(principal: Principal | null, rawInput: unknown): Promise<Task[]> {
    const p = authorize(principal, 'tasks:reassign');
    const input = parseInput(ReassignTasksInputSchema, rawInput);
    const to = await this.requireAssignee(p, input.toUserId, 'input.toUserId');
    const found = new Map((await this.repo.getTasks(p.tenantId, input.taskIds)).map((t) => [t.id, t]));
    const tasks = [...new Set(input.taskIds)].map((id) => {
      const task = found.get(id);
      if (!task) throw new NotFoundError('Task', id);
      assertReach(p, taskReach(task), 'This task');
      if (task.status !== 'OPEN')
        throw new RuleViolationError(`Task ${id} is ${task.status}: only open tasks move`);
      return task;
    });
    const at = this.clock.now().toISOString();
    const changes: Partial<Task> = {
      assigneeId: to.id,
      branchId: to.branchId,
      regionId: to.regionId,
      delegatedBy: p.userId,
      updatedAt: at,
    };
    const why = input.reason ? ` (${input.reason})` : '';
    for (const task of tasks) {
      await this.repo.transact([
        ...this.repo.updateTaskOps(p.tenantId, task, changes),
        this.timeline(
          p.tenantId,
          task,
          'TASK_REASSIGNED',
          p.userId,
          `Task ${task.title} to ${to.name}${why}`,
        ),
      ]);
    }
    return tasks.map((task) => ({ ...task, ...changes, version: task.version + 1 }));
  }

  /** A task the principal may see: NOT_FOUND when missing (or another tenant's), FORBIDDEN out of scope. */
  async requireTask(p: Principal, taskId: string): Promise<Task> {
    const task = await this.repo.getTask(p.tenantId, taskId, true);
    if (!task) throw new NotFoundError('Task', taskId);
    assertReach(p, taskReach(task), 'This task');
    return task;
  }

  private async requireAssignee(p: Principal, userId: string, path: string): Promise<TaskUser> {
    const user = await this.users.getUser(p.tenantId, userId);
    if (!user?.active || !isStaff(user.role)) {
      throw new ValidationFailedError('No active staff user has this id', [
        { path, message: 'must be an active user of the brokerage' },
      ]);
    }
    if (!canReach(p, { ownerUserId: user.id, branchId: user.branchId, regionId: user.regionId })) {
      throw new ForbiddenError('This user is outside your scope');
    }
    return user;
  }

  private async typeOf(tenantId: string, code: Task['typeCode']): Promise<TaskType> {
    const type = (await this.catalog.typeMap(tenantId)).get(code);
    if (!type)
      throw new ValidationFailedError('Unknown task type', [
        { path: 'input.typeCode', message: 'is not a task type of the brokerage' },
      ]);
    return type;
  }

  private newTask(
    type: TaskType,
    assignee: TaskUser,
    now: Date,
    by: string,
    fields: Pick<
      Task,
      | 'id'
      | 'title'
      | 'clientId'
      | 'policyId'
      | 'priority'
      | 'checkpoint'
      | 'process'
      | 'note'
      | 'delegatedBy'
    > & {
      dueAt: string | null;
    },
  ): Task {
    const at = now.toISOString();
    const slaDueAt = new Date(now.getTime() + type.slaHours * HOUR_MS).toISOString();
    return {
      ...fields,
      typeCode: type.code,
      assigneeId: assignee.id,
      branchId: assignee.branchId,
      regionId: assignee.regionId,
      dueAt: fields.dueAt ?? slaDueAt,
      slaDueAt,
      expectedMinutes: type.expectedMinutes,
      status: 'OPEN',
      outcome: null,
      stepKey: null,
      createdBy: by,
      createdAt: at,
      updatedAt: at,
      completedAt: null,
      version: 1,
    };
  }

  private timeline(
    tenantId: string,
    task: Task,
    kind: TaskTimelineKind,
    by: string,
    summary: string,
  ): TransactOp {
    return this.clients.timelineOp(tenantId, task.clientId, kind, by, summary);
  }
}
