import { authorize, canReach, isTenantWide } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import { ForbiddenError } from '../../shared/errors.js';
import { keepInPage } from '../../shared/pagination.js';
import { parseInput } from '../../shared/validation.js';
import type { TaskClients } from './ports.js';
import { type Task, TaskFilterSchema } from './tasks.model.js';
import type { TasksRepository } from './tasks.repository.js';
import { taskReach } from './tasks.service.js';

type PageRequest = { limit: number; cursor: string | null };

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
