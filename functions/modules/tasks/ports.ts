import type { Principal } from '../../shared/auth/principal.js';
import type { Page, TransactOp } from '../../shared/db.js';
import type { Mailer } from '../../shared/mailer.js';
import type { SmsSender } from '../../shared/sms.js';

/** A user as tasks need one: who may be assigned, where they sit, where reminders go. */
export interface TaskUser {
  id: string;
  name: string;
  email: string;
  role: Principal['role'];
  branchId: string | null;
  regionId: string | null;
  /** Whom deviation alerts about the user's tasks go to. */
  managerId: string | null;
  active: boolean;
}

/** A client as tasks need one: whose it is, for assignment and reminders. */
export interface TaskClient {
  id: string;
  name: string;
  ownerAdvisorId: string | null;
  phone: string | null;
  /** Whether the consent in force for SMS is granted. */
  smsConsent: boolean;
  /** When the client joined the book: the last contact's stand-in before any contact task. */
  createdAt: string;
}

/** A client's segment, as seller performance breaks figures down by it (the clients module's segments). */
export type TaskClientSegment = 'INDIVIDUAL' | 'BUSINESS' | 'VIP';

/** What the tasks module writes on a client's timeline, beside its own writes. */
export type TaskTimelineKind = 'TASK_CREATED' | 'TASK_COMPLETED' | 'TASK_REASSIGNED';

/** When a client's policy was written and its term, as the interval follow-up reads them. */
export interface ClientPolicyDates {
  writtenDate: string;
  termStart: string;
  termEnd: string;
}

/** The clients the tasks module reads and the timeline entries it writes (the clients module). */
export interface TaskClients {
  /** A client the principal may see: NOT_FOUND when missing, FORBIDDEN out of scope. */
  requireClient(principal: Principal, clientId: string): Promise<TaskClient>;
  getClient(tenantId: string, clientId: string): Promise<TaskClient | undefined>;
  timelineOp(
    tenantId: string,
    clientId: string,
    kind: TaskTimelineKind,
    by: string,
    summary: string,
  ): TransactOp;
  /** Every client an advisor owns (the owner index; pooled clients have no owner). */
  listClientsOfOwner(tenantId: string, ownerId: string): Promise<TaskClient[]>;
  /** The dates of a client's policies (its card: one Query), for the interval follow-up. */
  listPolicyDates(tenantId: string, clientId: string): Promise<ClientPolicyDates[]>;
  /** Moves a client to its branch's pool with the reason on its timeline; false when it was already. */
  moveToPool(tenantId: string, clientId: string, by: string, reason: string): Promise<boolean>;
  /** The segments of these clients by id (BatchGetItem on their home items), for seller performance. */
  getClientSegments(tenantId: string, clientIds: readonly string[]): Promise<Map<string, TaskClientSegment>>;
}

/** Users of the org (the org module). */
export interface TaskUsers {
  getUser(tenantId: string, userId: string): Promise<TaskUser | undefined>;
  /** The tenant's active staff users (the pool rule walks their books). */
  listActiveStaffIds(tenantId: string): Promise<string[]>;
}

/** A policy whose term ends soon, as the renewals schedule reads it. */
export interface ExpiringPolicy {
  id: string;
  clientId: string;
  policyNumber: string;
  termEnd: string;
  servicingAdvisorId: string | null;
}

/** Policies by term end (the policies module's renewal-window index). */
export interface TaskPolicies {
  /** ACTIVE policies whose term ends within [from, to] (ISO dates), one page. */
  listEndingBetween(
    tenantId: string,
    from: string,
    to: string,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<ExpiringPolicy>>;
  /**
   * The product line codes of these policies by policy id (BatchGetItem on their home items: a task
   * carries its policy's client), for seller performance.
   */
  getProductLineCodes(
    tenantId: string,
    refs: ReadonlyArray<{ id: string; clientId: string }>,
  ): Promise<Map<string, string>>;
}

/** The tenants, for the tenant-wide schedules (the org module). */
export interface TaskTenants {
  listTenantIds(): Promise<string[]>;
  getTenantSettings(
    tenantId: string,
  ): Promise<{ name: string; locale: string; timeZone: string } | undefined>;
}

/** Where reminders go out: e-mail (SES) and SMS (SNS in the cloud, the recorder locally). */
export interface ReminderChannels {
  mailer: Mailer;
  mailFrom: string;
  sms: SmsSender;
}
