import * as z from 'zod';
import { authorize, canReach, isTenantWide } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import { ForbiddenError } from '../../shared/errors.js';
import { IdSchema } from '../../shared/input.js';
import { keepInPage } from '../../shared/pagination.js';
import { parseInput } from '../../shared/validation.js';
import type { TaskClients } from './ports.js';
import { type Task, TaskFilterSchema } from './tasks.model.js';
import type { TasksRepository } from './tasks.repository.js';
import { taskReach } from './tasks.service.js';

type PageRequest = { limit: number; cursor: string | null };

const CALENDAR_MAX = 500;
const CALENDAR_MAX_DAYS = 62;

const CalendarRangeSchema = z
  .object({
    userId: IdSchema.nullish(),
    from: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }),
    to: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }),
  })
  .refine((r) => Date.parse(r.to) > Date.parse(r.from), { path: ['to'], message: 'must be after from' })
  .refine((r) => Date.parse(r.to) - Date.parse(r.from) <= CALENDAR_MAX_DAYS * 86_400_000, {
    path: ['to'],
    message: `must be at most ${CALENDAR_MAX_DAYS} days after from`,
  });

/**
 * Reading tasks: one by id, and lists served by the index that fits the filter and the caller's
 * scope (an assignee's, a client's, a branch's, the tenant's), every row checked against the scope.
 */
export class TaskReadsService {
  constructor(
    private readonly repo: TasksRepository,
    private readonly clients: TaskClients,
  ) {}

  async getTask(principal: Principal | null, taskId: string): Promise<Task | null> {
    const p = authorize(principal, 'tasks:read');
    const task = await this.repo.getTask(p.tenantId, taskId);
    if (!task) return null;
    if (!canReach(p, taskReach(task))) throw new ForbiddenError('This task is outside your scope');
    return task;
  }

  /** Tasks by id, for a system reader (a campaign's funnel): no principal, the caller's module decides. */
  tasksByIds(tenantId: string, taskIds: string[]): Promise<Task[]> {
    return this.repo.getTasks(tenantId, taskIds);
  }

  /** Open tasks per assignee, tenant-wide: one walk of the open-task index (distribution by load). */
  async openTaskLoad(tenantId: string): Promise<Map<string, number>> {
    const load = new Map<string, number>();
    let cursor: string | null = null;
    do {
      const page: Page<Task> = await this.repo.listOpenTasks(tenantId, {}, { limit: 500, cursor });
      for (const task of page.items) load.set(task.assigneeId, (load.get(task.assigneeId) ?? 0) + 1);
      cursor = page.nextCursor;
    } while (cursor);
    return load;
  }

  /**
   * A user's tasks and meetings due in a range (at most 62 days, 500 entries), one Query on the
   * assignee index; without a user, a branch manager's team (the branch index). Within scope.
   */
  async calendar(
    principal: Principal | null,
    args: { userId?: string | null; from: string; to: string },
  ): Promise<Task[]> {
    const p = authorize(principal, 'tasks:read');
    const range = parseInput(CalendarRangeSchema, args, '');
    const from = new Date(range.from).toISOString();
    const to = new Date(range.to).toISOString();
    const team = !range.userId && p.scope === 'branch' && p.branchId ? p.branchId : null;
    const userId = range.userId ?? p.userId;
    if (!team && p.scope === 'own' && userId !== p.userId)
      throw new ForbiddenError('Advisors see only their own calendar');
    const tasks: Task[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Task> = team
        ? await this.repo.listTasksOfBranch(
            p.tenantId,
            team,
            { dueFrom: from, dueTo: to },
            { limit: 100, cursor },
          )
        : await this.repo.listTasksOfAssignee(
            p.tenantId,
            userId,
            { dueFrom: from, dueTo: to },
            { limit: 100, cursor },
          );
      tasks.push(...page.items.filter((t) => t.status !== 'CANCELLED' && canReach(p, taskReach(t))));
      cursor = page.nextCursor;
    } while (cursor && tasks.length < CALENDAR_MAX);
    return tasks.slice(0, CALENDAR_MAX);
  }

  async listTasks(principal: Principal | null, rawFilter: unknown, page: PageRequest): Promise<Page<Task>> {
    const p = authorize(principal, 'tasks:read');
    const filter = parseInput(TaskFilterSchema, rawFilter ?? {}, 'filter');
    const t = p.tenantId;
    const range = { dueFrom: filter.dueFrom ?? null, dueTo: filter.dueTo ?? null };
    let result: Page<Task>;
    if (filter.clientId) {
      await this.clients.requireClient(p, filter.clientId);
      result = await this.repo.listTasksOfClient(t, filter.clientId, range, page);
    } else if (filter.assigneeId || p.scope === 'own') {
      const assignee = filter.assigneeId ?? p.userId;
      if (p.scope === 'own' && assignee !== p.userId)
        throw new ForbiddenError('Advisors list only their own tasks');
      result = await this.repo.listTasksOfAssignee(t, assignee, range, page);
    } else if (filter.branchId || (p.scope === 'branch' && p.branchId)) {
      const branchId = filter.branchId ?? p.branchId ?? '';
      if (!isTenantWide(p) && !canReach(p, { branchId, regionId: null }) && p.scope !== 'region')
        throw new ForbiddenError('This branch is outside your scope');
      result = await this.repo.listTasksOfBranch(t, branchId, range, page);
    } else {
      result = await this.repo.listTasksOfTenant(t, range, page);
    }
    return keepInPage(
      result,
      (task) =>
        canReach(p, taskReach(task)) &&
        (!filter.status || task.status === filter.status) &&
        (!filter.assigneeId || task.assigneeId === filter.assigneeId) &&
        (!filter.branchId || task.branchId === filter.branchId),
    );
  }
}
