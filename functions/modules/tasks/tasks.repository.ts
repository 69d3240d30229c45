import {
  type Db,
  deleteOp,
  type Page,
  putNewOp,
  type TransactOp,
  versionedUpdateOp,
} from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { indexAttributeChanges } from '../../shared/index-attributes.js';
import { fromItem, getRecord, getRecords, queryRecords, toItem } from '../../shared/items.js';
import {
  EntityType,
  type IndexName,
  keys,
  type ShardedPartition,
  taskDueRange,
} from '../../shared/table-design.js';
import type { ProcessTemplate, Task, TaskType } from './tasks.model.js';

type PageRequest = { limit: number; cursor: string | null };

/** A due-time window and a status, narrowing any task list. */
export interface TaskRange {
  dueFrom?: string | null;
  dueTo?: string | null;
}

/** A user's calendar feed as stored: only the hash of its token's secret, never the token. */
export interface CalendarFeedRecord {
  userId: string;
  secretHash: string;
  createdBy: string;
  createdAt: string;
}

/** The tenant's task settings. */
export interface TaskSettings {
  /** Policies whose term ends within this many days get a renewal task. */
  renewalWindowDays: number;
  /** How long before a task falls due its assignee is e-mailed. */
  reminderLeadMinutes: number;
  /** How long before a meeting the client gets an SMS. */
  meetingSmsLeadHours: number;
  /** No SMS between these local times (HH:MM; the range may span midnight). */
  quietHoursStart: string;
  quietHoursEnd: string;
  /** An owner who misses this many contact tasks of a client in a row loses the client to the pool. */
  missedContactsToPool: number;
  /** A client nobody has reached for this many days moves to the pool. */
  daysWithoutContactToPool: number;
  /** A client whose usual policy interval has passed by this many days gets a follow-up task. */
  intervalGraceDays: number;
}

export const DEFAULT_TASK_SETTINGS: TaskSettings = {
  renewalWindowDays: 60,
  reminderLeadMinutes: 60,
  meetingSmsLeadHours: 24,
  quietHoursStart: '20:00',
  quietHoursEnd: '08:00',
  missedContactsToPool: 3,
  daysWithoutContactToPool: 90,
  intervalGraceDays: 14,
};

/** The tasks module's access to DynamoDB: tasks, their card items and indexes, types and templates. */
export class TasksRepository {
  constructor(private readonly db: Db) {}

  private taskItem(tenantId: string, task: Task) {
    return toItem(
      keys.task(tenantId, task.id),
      EntityType.Task,
      tenantId,
      task,
      keys.taskIndexes(tenantId, task),
    );
  }

  private cardItem(tenantId: string, task: Task) {
    return toItem(keys.openTaskCard(tenantId, task.clientId, task.id), EntityType.OpenTask, tenantId, {
      id: task.id,
      title: task.title,
      dueAt: task.dueAt,
      typeCode: task.typeCode,
      assigneeId: task.assigneeId,
    });
  }

  /** The ops creating a task and its card item; a task id taken already fails as ALREADY_EXISTS. */
  createTaskOps(tenantId: string, task: Task): TransactOp[] {
    return [
      putNewOp(this.taskItem(tenantId, task), () => new AlreadyExistsError('Task', 'id', task.id)),
      putNewOp(this.cardItem(tenantId, task), () => new AlreadyExistsError('Task', 'id', task.id)),
    ];
  }

  /**
   * The op updating a task optimistically, re-deriving its index keys (an ended task leaves the
   * open-task list), plus its card item: rewritten while open, deleted once the task has ended.
   */
  updateTaskOps(tenantId: string, current: Task, changes: Partial<Task>): TransactOp[] {
    const merged: Task = { ...current, ...changes };
    const update = versionedUpdateOp(
      keys.task(tenantId, current.id),
      current.version,
      { ...changes, ...indexAttributeChanges(keys.taskIndexes(tenantId, merged)) },
      () => new VersionConflictError('Task', current.id, current.version),
    );
    const card =
      merged.status === 'OPEN'
        ? { item: { Put: { TableName: '', Item: this.cardItem(tenantId, merged) } } }
        : deleteOp(keys.openTaskCard(tenantId, current.clientId, current.id));
    return [update, card];
  }

  async transact(ops: TransactOp[]): Promise<void> {
    await this.db.transact(ops);
  }

  async getTask(tenantId: string, taskId: string, consistent = false): Promise<Task | undefined> {
    return getRecord<Task>(this.db, keys.task(tenantId, taskId), { consistent });
  }

  async getTasks(tenantId: string, taskIds: string[]): Promise<Task[]> {
    return getRecords<Task>(this.db, taskIds, (id) => keys.task(tenantId, id));
  }

  /** listTasksByAssignee: a user's tasks by due time (the calendar reads the same index). */
  listTasksOfAssignee(tenantId: string, userId: string, range: TaskRange, page: PageRequest) {
    return this.queryTasks('gsi1', keys.tasksByAssignee(tenantId, userId), range, page);
  }

  /** listTasksByClient: a client's tasks by due time. */
  listTasksOfClient(tenantId: string, clientId: string, range: TaskRange, page: PageRequest) {
    return this.queryTasks('gsi2', keys.tasksByClient(tenantId, clientId), range, page);
  }

  /** listTasksByBranch: a branch's tasks (its users') by due time. */
  listTasksOfBranch(tenantId: string, branchId: string, range: TaskRange, page: PageRequest) {
    return this.queryTasks('gsi3', keys.tasksByBranch(tenantId, branchId), range, page);
  }

  /** listOpenTasks: the tenant's open tasks by due time (reminders, late checkpoints). */
  listOpenTasks(tenantId: string, range: TaskRange, page: PageRequest) {
    return this.queryTasks('gsi4', keys.openTasks(tenantId), range, page);
  }

  /** listTasksOfTenant: every task of the tenant by due time (tenant-wide and region lists). */
  listTasksOfTenant(tenantId: string, range: TaskRange, page: PageRequest) {
    return this.queryTasks('gsi5', keys.tasksOfTenant(tenantId), range, page);
  }

  private async queryTasks(
    index: IndexName,
    partition: string | ShardedPartition,
    range: TaskRange,
    page: PageRequest,
  ): Promise<Page<Task>> {
    const bounded = range.dueFrom || range.dueTo;
    return queryRecords<Task>(this.db, {
      index,
      partition,
      ...page,
      ...(bounded ? { between: taskDueRange(range.dueFrom ?? '0000', range.dueTo ?? '9999') } : {}),
    });
  }

  // ---- task types, templates, settings -----------------------------------------------------

  async listTaskTypes(tenantId: string): Promise<TaskType[]> {
    const items = await this.db.queryAll({ partition: keys.taskTypes(tenantId) });
    return items.map((i) => fromItem<TaskType>(i));
  }

  /** Writes the default task types of a tenant; a type written meanwhile stays as it is. */
  async seedTaskTypes(tenantId: string, types: readonly TaskType[]): Promise<void> {
    await Promise.all(
      types.map((t) =>
        this.db
          .putNew(
            toItem(keys.taskType(tenantId, t.code), EntityType.TaskType, tenantId, t),
            () => new AlreadyExistsError('TaskType', 'code', t.code),
          )
          .catch((error: unknown) => {
            if (!(error instanceof AlreadyExistsError)) throw error;
          }),
      ),
    );
  }

  async listProcessTemplates(tenantId: string): Promise<ProcessTemplate[]> {
    const items = await this.db.queryAll({ partition: keys.processTemplates(tenantId) });
    return items.map((i) => fromItem<ProcessTemplate>(i));
  }

  async putProcessTemplate(tenantId: string, template: ProcessTemplate): Promise<void> {
    await this.db.put(
      toItem(keys.processTemplate(tenantId, template.kind), EntityType.ProcessTemplate, tenantId, template),
    );
  }

  async getSettings(tenantId: string): Promise<TaskSettings> {
    const item = await this.db.get(keys.taskSettings(tenantId));
    return item
      ? { ...DEFAULT_TASK_SETTINGS, ...fromItem<Partial<TaskSettings>>(item) }
      : DEFAULT_TASK_SETTINGS;
  }

  // ---- calendar feeds ----------------------------------------------------------------------

  /** Writes a user's feed, replacing (and so revoking) the one before. */
  async putCalendarFeed(tenantId: string, feed: CalendarFeedRecord): Promise<void> {
    await this.db.put(
      toItem(keys.calendarFeed(tenantId, feed.userId), EntityType.CalendarFeed, tenantId, feed),
    );
  }

  /** getCalendarFeed: the feed a presented token names (strongly consistent: revocation is at once). */
  async getCalendarFeed(tenantId: string, userId: string): Promise<CalendarFeedRecord | undefined> {
    const item = await this.db.get(keys.calendarFeed(tenantId, userId), { consistent: true });
    return item ? fromItem<CalendarFeedRecord>(item) : undefined;
  }

  /** Deletes a user's feed; false when there was none. */
  async deleteCalendarFeed(tenantId: string, userId: string): Promise<boolean> {
    if (!(await this.getCalendarFeed(tenantId, userId))) return false;
    await this.db.transact([deleteOp(keys.calendarFeed(tenantId, userId))]);
    return true;
  }
}
