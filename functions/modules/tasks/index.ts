import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { AlertsRepository } from './alerts.repository.js';
import { AlertsService } from './alerts.service.js';
import { CalendarFeedService } from './calendar-feed.service.js';
import { IntervalFollowUpsService } from './interval-follow-ups.service.js';
import { PerformanceService } from './performance.service.js';
import { PoolRuleService } from './pool-rule.service.js';
import type { ReminderChannels, TaskClients, TaskPolicies, TaskTenants, TaskUsers } from './ports.js';
import { RemindersRepository } from './reminders.repository.js';
import { RemindersService } from './reminders.service.js';
import { RenewalsService } from './renewals.service.js';
import { TaskCatalog } from './task-catalog.js';
import { TaskReadsService } from './task-reads.service.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';

export type { TaskAlert } from './alerts.repository.js';
export type { AlertsResult } from './alerts.service.js';
export type { CreatedCalendarFeed } from './calendar-feed.service.js';
export {
  INTERVAL_ACTOR,
  type IntervalFollowUpsResult,
} from './interval-follow-ups.service.js';
export { POOL_RULE_ACTOR, type PoolRuleResult } from './pool-rule.service.js';
/**
 * The tasks module's public entry: its composition and what other modules, entry points and tests
 * may use. Everything else in this folder is internal.
 */
export type {
  ExpiringPolicy,
  ReminderChannels,
  TaskClient,
  TaskClients,
  TaskPolicies,
  TaskTenants,
  TaskTimelineKind,
  TaskUser,
  TaskUsers,
} from './ports.js';
export type { RemindersResult } from './reminders.service.js';
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
  /** The reminders schedule: due-soon e-mails, the morning digest, meeting SMS. */
  reminders: RemindersService;
  /** Deviation alerts (late checkpoints), raised with the reminders schedule. */
  alerts: AlertsService;
  /** The daily pool rule: clients whose owner misses contacts, or nobody reached, go to the pool. */
  pool: PoolRuleService;
  /** The daily interval follow-up: a client past its usual policy interval gets a call, once. */
  intervals: IntervalFollowUpsService;
  /** Seller performance per advisor, branch or region and month, within scope. */
  performance: PerformanceService;
  /** Users' iCalendar feeds behind revocable tokens. */
  feeds: CalendarFeedService;
}

/** What the tasks module needs from other modules, through narrow ports. */
export interface TasksDeps {
  db: Db;
  clock: Clock;
  clients: TaskClients;
  users: TaskUsers;
  policies: TaskPolicies;
  tenants: TaskTenants;
  /** Where reminders are sent; null in a process that sends none (reminders then do nothing). */
  channels?: ReminderChannels | null;
}

/** Builds the tasks module over its repository and the ports it reads other modules through. */
export function createTasksModule(deps: TasksDeps): TasksModule {
  const repository = new TasksRepository(deps.db);
  const catalog = new TaskCatalog(repository);
  const tasks = new TasksService(repository, catalog, deps.clients, deps.users, deps.clock);
  const reminders = new RemindersService(
    repository,
    new RemindersRepository(deps.db),
    deps.clients,
    deps.users,
    deps.tenants,
    deps.channels ?? null,
    deps.clock,
  );
  return {
    tasks,
    reads: new TaskReadsService(repository, deps.clients),
    catalog,
    renewals: new RenewalsService(repository, tasks, deps.policies, deps.tenants),
    reminders,
    alerts: new AlertsService(
      repository,
      new AlertsRepository(deps.db),
      deps.users,
      deps.tenants,
      reminders,
      deps.channels ?? null,
    ),
    pool: new PoolRuleService(repository, deps.clients, deps.users, deps.tenants),
    intervals: new IntervalFollowUpsService(repository, tasks, deps.clients, deps.users, deps.tenants),
    performance: new PerformanceService(repository, deps.clients, deps.policies, deps.tenants, deps.clock),
    feeds: new CalendarFeedService(repository, deps.users, deps.clock),
  };
}

/**
 * Tasks by id for a system reader that decides access itself (the reports function's campaign
 * funnel), without composing the tasks services it does not use.
 */
export function createTaskLookup(db: Db): Pick<TaskReadsService, 'tasksByIds'> {
  const repository = new TasksRepository(db);
  return { tasksByIds: (tenantId, ids) => repository.getTasks(tenantId, ids) };
}
