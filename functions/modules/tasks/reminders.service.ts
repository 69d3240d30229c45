import type { Clock } from '../../shared/clock.js';
import { inQuietHours, isoDateInZone, localTimeInZone } from '../../shared/clock.js';
import { logger } from '../../shared/logger.js';
import type { ReminderChannels, TaskClients, TaskTenants, TaskUsers } from './ports.js';
import { formatInstant, remindersIn } from './reminder-messages.js';
import type { ReminderRecord, RemindersRepository } from './reminders.repository.js';
import type { Task } from './tasks.model.js';
import type { TaskSettings, TasksRepository } from './tasks.repository.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** A sender's hold on a recorded reminder; a crashed run's reminder is taken over after it. */
const LEASE_MS = 2 * MINUTE_MS;
/** The morning digest goes out in the hour from 07:00 tenant time (a missed run still sends it). */
const DIGEST_FROM = '07:00';
const DIGEST_UNTIL = '08:00';
const PAGE = 100;

/** What one run of the reminders schedule did. */
export interface RemindersResult {
  sent: number;
  alreadySent: number;
  failed: number;
  heldByQuietHours: number;
  withoutConsent: number;
}

/** How one send-once attempt ended. */
export type Outcome = 'sent' | 'already' | 'failed';

/**
 * The reminders schedule (every 5 minutes): an e-mail to the assignee before a task falls due, a
 * morning digest of the day's tasks at 07:00 tenant time, and an SMS to the client before a meeting,
 * only with SMS consent and outside quiet hours. Each reminder is recorded before it is sent, under
 * an id derived from what it is about, so it goes out once; a provider failure leaves it PENDING and
 * the next run sends it. Each tenant's open tasks come from one index Query, never a scan.
 */
export class RemindersService {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly repo: RemindersRepository,
    private readonly clients: TaskClients,
    private readonly users: TaskUsers,
    private readonly tenants: TaskTenants,
    private readonly channels: ReminderChannels | null,
    private readonly clock: Clock,
  ) {}

  async run(asOf: Date): Promise<RemindersResult> {
    const total = emptyResult();
    for (const tenantId of await this.tenants.listTenantIds()) {
      const one = await this.runTenant(tenantId, asOf);
      for (const k of Object.keys(total) as Array<keyof RemindersResult>) total[k] += one[k];
    }
    return total;
  }

  async runTenant(tenantId: string, asOf: Date): Promise<RemindersResult> {
    const result = emptyResult();
    const tenant = await this.tenants.getTenantSettings(tenantId);
    if (!tenant || !this.channels) return result;
    const settings = await this.tasks.getSettings(tenantId);
    const open = await this.openTasksAround(tenantId, asOf, settings);
    const count = (o: Outcome) => {
      if (o === 'sent') result.sent += 1;
      else if (o === 'already') result.alreadySent += 1;
      else result.failed += 1;
    };
    const ctx = { tenantId, tenant, asOf };
    const dueSoonUntil = asOf.getTime() + settings.reminderLeadMinutes * MINUTE_MS;
    for (const task of open) {
      const due = Date.parse(task.dueAt);
      if (due > asOf.getTime() && due <= dueSoonUntil) count(await this.dueSoon(ctx, task));
    }
    const localTime = localTimeInZone(asOf, tenant.timeZone);
    if (localTime >= DIGEST_FROM && localTime < DIGEST_UNTIL) {
      for (const o of await this.digests(ctx, open)) count(o);
    }
    const smsUntil = asOf.getTime() + settings.meetingSmsLeadHours * HOUR_MS;
    for (const task of open) {
      const due = Date.parse(task.dueAt);
      if (task.typeCode !== 'MEETING' || due <= asOf.getTime() || due > smsUntil) continue;
      const client = await this.clients.getClient(tenantId, task.clientId);
      if (!client?.smsConsent || !client.phone) {
        result.withoutConsent += 1;
        continue;
      }
      if (inQuietHours(localTime, settings.quietHoursStart, settings.quietHoursEnd)) {
        // Nothing is recorded: a run outside quiet hours (still before the meeting) sends it.
        result.heldByQuietHours += 1;
        continue;
      }
      const text = remindersIn(tenant.locale).meetingSms(
        tenant.name,
        formatInstant(task.dueAt, tenant.locale, tenant.timeZone, 'both'),
      );
      const phone = client.phone;
      count(
        await this.once(ctx, `sms.${task.id}.${due}`, 'MEETING_SMS', phone, () =>
          this.send().sms.send({ to: phone, message: text, tag: `meeting:${task.id}` }),
        ),
      );
    }
    return result;
  }

  /** Open tasks due from 9 hours ago to the furthest reminder ahead: one Query on the open-task index. */
  private async openTasksAround(tenantId: string, asOf: Date, settings: TaskSettings): Promise<Task[]> {
    const ahead = Math.max(
      settings.reminderLeadMinutes * MINUTE_MS,
      settings.meetingSmsLeadHours * HOUR_MS,
      18 * HOUR_MS,
    );
    const range = {
      dueFrom: new Date(asOf.getTime() - 9 * HOUR_MS).toISOString(),
      dueTo: new Date(asOf.getTime() + ahead).toISOString(),
    };
    const tasks: Task[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.tasks.listOpenTasks(tenantId, range, { limit: PAGE, cursor });
      tasks.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return tasks;
  }

  private async dueSoon(ctx: RunContext, task: Task): Promise<Outcome> {
    const user = await this.users.getUser(ctx.tenantId, task.assigneeId);
    if (!user?.email) return 'already';
    const client = await this.clients.getClient(ctx.tenantId, task.clientId);
    const m = remindersIn(ctx.tenant.locale);
    const { locale, timeZone } = ctx.tenant;
    const message = {
      from: this.send().mailFrom,
      to: user.email,
      subject: m.dueSoonSubject(task.title, formatInstant(task.dueAt, locale, timeZone, 'time')),
      text: m.dueSoonBody(
        task.title,
        client?.name ?? '',
        formatInstant(task.dueAt, locale, timeZone, 'both'),
      ),
    };
    return this.once(ctx, `due.${task.id}.${Date.parse(task.dueAt)}`, 'DUE_SOON', user.email, () =>
      this.send().mailer.send(message),
    );
  }

  /** One digest per assignee with tasks due on the tenant's local date. */
  private async digests(ctx: RunContext, open: Task[]): Promise<Outcome[]> {
    const { locale, timeZone } = ctx.tenant;
    const today = isoDateInZone(ctx.asOf, timeZone);
    const byAssignee = new Map<string, Task[]>();
    for (const task of open) {
      if (isoDateInZone(new Date(task.dueAt), timeZone) !== today) continue;
      byAssignee.set(task.assigneeId, [...(byAssignee.get(task.assigneeId) ?? []), task]);
    }
    const outcomes: Outcome[] = [];
    const m = remindersIn(locale);
    const date = formatInstant(ctx.asOf.toISOString(), locale, timeZone, 'date');
    for (const [assigneeId, tasks] of byAssignee) {
      const user = await this.users.getUser(ctx.tenantId, assigneeId);
      if (!user?.email) continue;
      const lines = tasks.map((t) => `${formatInstant(t.dueAt, locale, timeZone, 'time')}  ${t.title}`);
      const message = {
        from: this.send().mailFrom,
        to: user.email,
        subject: m.digestSubject(date, tasks.length),
        text: [m.digestIntro(date), '', ...lines].join('\n'),
      };
      outcomes.push(
        await this.once(ctx, `digest.${assigneeId}.${today}`, 'DIGEST', user.email, () =>
          this.send().mailer.send(message),
        ),
      );
    }
    return outcomes;
  }

  /**
   * Sends another schedule's message once (a deviation alert), with the reminders' guarantees:
   * recorded before the send, retried by a later run after a provider failure, never duplicated.
   */
  sendOnce(
    tenantId: string,
    id: string,
    kind: ReminderRecord['kind'],
    to: string,
    send: () => Promise<unknown>,
  ): Promise<Outcome> {
    return this.once({ tenantId }, id, kind, to, send);
  }

  /**
   * Sends a reminder once: recorded PENDING under a lease before the send, SENT after it. A record
   * already SENT, or held by another run, sends nothing; a failed send gives the lease back.
   */
  private async once(
    ctx: Pick<RunContext, 'tenantId'>,
    id: string,
    kind: ReminderRecord['kind'],
    to: string,
    send: () => Promise<unknown>,
  ): Promise<Outcome> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
    const existing = await this.repo.get(ctx.tenantId, id);
    if (existing?.status === 'SENT') return 'already';
    const holds = existing
      ? await this.repo.claim(ctx.tenantId, id, now.toISOString(), leaseUntil)
      : await this.repo.record(ctx.tenantId, {
          id,
          kind,
          status: 'PENDING',
          to,
          recordedAt: now.toISOString(),
          sentAt: null,
          leaseUntil,
          attempts: 1,
        });
    if (!holds) return 'already';
    try {
      await send();
    } catch (error) {
      await this.repo.release(ctx.tenantId, id);
      logger.warn('reminder not sent; the next run retries', {
        tenantId: ctx.tenantId,
        id,
        error: String(error),
      });
      return 'failed';
    }
    await this.repo.complete(ctx.tenantId, id, this.clock.now().toISOString());
    return 'sent';
  }

  private send(): ReminderChannels {
    if (!this.channels) throw new Error('No reminder channels configured');
    return this.channels;
  }
}

interface RunContext {
  tenantId: string;
  tenant: { name: string; locale: string; timeZone: string };
  asOf: Date;
}

function emptyResult(): RemindersResult {
  return { sent: 0, alreadySent: 0, failed: 0, heldByQuietHours: 0, withoutConsent: 0 };
}
