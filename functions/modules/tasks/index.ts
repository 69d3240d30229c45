import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import type { TaskClients, TaskPolicies, TaskTenants, TaskUsers } from './ports.js';
import { RenewalsService } from './renewals.service.js';
import { TaskCatalog } from './task-catalog.js';
import { TaskReadsService } from './task-reads.service.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';

/**
 * The tasks module's public entry: its composition and what other modules, entry points and tests
 * may use. Everything else in this folder is internal.
 */
export type {
  ExpiringPolicy,
  TaskClient,
  TaskClients,
  TaskPolicies,
  TaskTenants,
  TaskTimelineKind,
  TaskUser,
  TaskUsers,
} from './ports.js';
export { RENEWALS_ACTOR, type RenewalsResult } from './renewals.service.js';
export type { ProcessTemplate, Task, TaskType } from './tasks.model.js';
export type { SystemTaskRequest } from './tasks.service.js';

/** The tasks services, one responsibility each. */
export interface TasksModule {
  /** Creating, completing (with the process chain) and reassigning tasks. */
  tasks: TasksService;
  /** One task, and scoped task lists. */
  reads: TaskReadsService;
  /** Task types and process templates of a tenant. */
  catalog: TaskCatalog;
  /** The daily renewals schedule. */
  renewals: RenewalsService;
}

/** What the tasks module needs from other modules, through narrow ports. */
export interface TasksDeps {
  db: Db;
  clock: Clock;
  clients: TaskClients;
  users: TaskUsers;
  policies: TaskPolicies;
  tenants: TaskTenants;
}

/** Builds the tasks module over its repository and the ports it reads other modules through. */
export function createTasksModule(deps: TasksDeps): TasksModule {
  const repository = new TasksRepository(deps.db);
  const catalog = new TaskCatalog(repository);
  const tasks = new TasksService(repository, catalog, deps.clients, deps.users, deps.clock);
  return {
    tasks,
    reads: new TaskReadsService(repository, deps.clients),
    catalog,
    renewals: new RenewalsService(repository, tasks, deps.policies, deps.tenants),
  };
}
