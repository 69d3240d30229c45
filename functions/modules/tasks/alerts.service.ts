import { authorize, canReach } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import { keepInPage } from '../../shared/pagination.js';
import type { AlertsRepository, TaskAlert } from './alerts.repository.js';
import type { ReminderChannels, TaskTenants, TaskUsers } from './ports.js';
import { formatInstant, remindersIn } from './reminder-messages.js';
import type { RemindersService } from './reminders.service.js';
import type { Task } from './tasks.model.js';
import type { TasksRepository } from './tasks.repository.js';

const DAY_MS = 86_400_000;
/** Late checkpoints are looked for among open tasks due in the last 90 days. */
const LOOK_BACK_DAYS = 90;

/** What one run of the alert check did. */
export interface AlertsResult {
  raised: number;
  mailed: number;
  failed: number;
}

/**
 * Deviation alerts: an open checkpoint task (presentation, proposal, contract) whose SLA has passed
 * raises one alert, listed by `alerts` within scope, and e-mails the assignee's manager once: the
 * e-mail is recorded before it is sent and a provider failure is retried by the next run (the
 * reminders' send-once record). Runs with the reminders schedule; reads the open-task index only.
 */
export class AlertsService {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly repo: AlertsRepository,
    private readonly users: TaskUsers,
    private readonly tenants: TaskTenants,
    private readonly reminders: RemindersService,
    private readonly channels: ReminderChannels | null,
  ) {}

  async run(asOf: Date): Promise<AlertsResult> {
    const total: AlertsResult = { raised: 0, mailed: 0, failed: 0 };
    for (const tenantId of await this.tenants.listTenantIds()) {
      const one = await this.runTenant(tenantId, asOf);
      total.raised += one.raised;
      total.mailed += one.mailed;
      total.failed += one.failed;
    }
    return total;
  }

  async runTenant(tenantId: string, asOf: Date): Promise<AlertsResult> {
    const result: AlertsResult = { raised: 0, mailed: 0, failed: 0 };
    const tenant = await this.tenants.getTenantSettings(tenantId);
    for (const task of await this.lateCheckpoints(tenantId, asOf)) {
      const assignee = await this.users.getUser(tenantId, task.assigneeId);
      const alert: TaskAlert = {
        id: `late-checkpoint.${task.id}`,
        kind: 'LATE_CHECKPOINT',
        taskId: task.id,
        title: task.title,
        checkpoint: task.checkpoint ?? 'CONTRACT',
        clientId: task.clientId,
        assigneeId: task.assigneeId,
        branchId: task.branchId,
        regionId: task.regionId,
        managerId: assignee?.managerId ?? null,
        slaDueAt: task.slaDueAt,
        raisedAt: asOf.toISOString(),
      };
      if (await this.repo.raise(tenantId, alert)) result.raised += 1;
      const manager = alert.managerId ? await this.users.getUser(tenantId, alert.managerId) : undefined;
      if (!manager?.email || !this.channels || !tenant) continue;
      const { mailer, mailFrom } = this.channels;
      const m = remindersIn(tenant.locale);
      const message = {
        from: mailFrom,
        to: manager.email,
        subject: m.lateCheckpointSubject(task.title, assignee?.name ?? task.assigneeId),
        text: m.lateCheckpointBody(
          task.title,
          assignee?.name ?? task.assigneeId,
          formatInstant(task.slaDueAt, tenant.locale, tenant.timeZone, 'both'),
        ),
      };
      const outcome = await this.reminders.sendOnce(
        tenantId,
        `alert.${alert.id}`,
        'ALERT',
        manager.email,
        () => mailer.send(message),
      );
      if (outcome === 'sent') result.mailed += 1;
      else if (outcome === 'failed') result.failed += 1;
    }
    return result;
  }

  /** The caller's alerts, newest first: those about tasks within the caller's scope. */
  async listAlerts(
    principal: Principal | null,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<TaskAlert>> {
    const p = authorize(principal, 'tasks:read');
    const result = await this.repo.listAlerts(p.tenantId, page);
    return keepInPage(result, (a) =>
      canReach(p, { ownerUserId: a.assigneeId, branchId: a.branchId, regionId: a.regionId }),
    );
  }

  /** Open checkpoint tasks past their SLA: one Query on the open-task index (due in the look-back). */
  private async lateCheckpoints(tenantId: string, asOf: Date): Promise<Task[]> {
    const range = {
      dueFrom: new Date(asOf.getTime() - LOOK_BACK_DAYS * DAY_MS).toISOString(),
      dueTo: asOf.toISOString(),
    };
    const late: Task[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.tasks.listOpenTasks(tenantId, range, { limit: 100, cursor });
      late.push(
        ...page.items.filter((t) => t.checkpoint !== null && Date.parse(t.slaDueAt) < asOf.getTime()),
      );
      cursor = page.nextCursor;
    } while (cursor);
    return late;
  }
}
