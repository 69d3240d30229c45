import { authorize, canReach } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TableChangeDetail } from '../../shared/change-event.js';
import { type Clock, isoDateInZone } from '../../shared/clock.js';
import { addDays } from '../../shared/dates.js';
import type { Page } from '../../shared/db.js';
import { VersionConflictError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { keepInPage } from '../../shared/pagination.js';
import { EntityType } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import { dunningLetterKey, type InvoiceAdapters, pdfLink } from './adapters.js';
import { invoiceImage } from './change-images.js';
import type { DunningRepository } from './dunning.repository.js';
import type { InvoiceAccess, PageRequest } from './invoice-access.js';
import { formatMoney, renderDunningLetterPdf } from './invoice-pdf.js';
import {
  type CollectorTask,
  DEFAULT_DUNNING_POLICY,
  type DunningPolicy,
  type DunningStepRecord,
  type DunningStepRule,
  type Invoice,
  inQuietHours,
  invoiceAge,
  localTimeInZone,
  SetDunningPolicySchema,
  stepsDue,
} from './invoices.model.js';
import type { InvoicesRepository } from './invoices.repository.js';
import type {
  ClientDirectory,
  FollowUpTasks,
  InvoiceClient,
  InvoiceTenant,
  TenantDirectory,
} from './lookups.js';

export interface SweepResult {
  tenants: number;
  markedOverdue: number;
  aged: number;
}

/** What one change did: steps taken (sent or skipped) and why the rest waited. */
export interface EscalationResult {
  taken: string[];
  waiting: string | null;
}

/** How long a delivery holds a step it is sending: the consumer's timeout, after which a retry may take over. */
const STEP_LEASE_MS = 60_000;

/** The latest consent per channel decides: a later withdrawal overrides an earlier grant. */
/** Days the collector's follow-up task gives the advisor. */
const FOLLOW_UP_DAYS = 2;

function smsConsented(client: InvoiceClient): boolean {
  const last = client.consents.filter((c) => c.channel === 'SMS').at(-1);
  return last?.granted === true;
}

/**
 * Dunning: the tenant's policy, overdue and escalation, the steps taken and the collector's queue. The daily sweep writes every due invoice's age (marking it OVERDUE the
 * first time); each such write reaches the debtors consumer through the change bus, which takes the
 * tenant's dunning steps due at that age. A step is recorded (conditional put) before anything is
 * sent and completed after, so replays and redeliveries never repeat a sent step, and a provider
 * failure leaves it PENDING for the retry to finish. A payment moves the invoice out of OVERDUE,
 * and the consumer re-reads the invoice before each step, so escalation stops at once.
 */
export class DunningService {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly repo: DunningRepository,
    private readonly access: InvoiceAccess,
    private readonly clients: ClientDirectory,
    private readonly tenants: TenantDirectory,
    private readonly clock: Clock,
    private readonly adapters: InvoiceAdapters | null,
    private readonly followUps: FollowUpTasks | null = null,
  ) {}

  /** Ages every tenant's open invoices past their due date (one Query per tenant and status). */
  async sweepOverdue(): Promise<SweepResult> {
    const result: SweepResult = { tenants: 0, markedOverdue: 0, aged: 0 };
    for (const tenantId of await this.tenants.listTenantIds()) {
      const one = await this.sweepTenant(tenantId);
      result.tenants += one.tenants;
      result.markedOverdue += one.markedOverdue;
      result.aged += one.aged;
    }
    return result;
  }

  /** Ages one tenant's open invoices past their due date, in the tenant's calendar. */
  async sweepTenant(tenantId: string): Promise<SweepResult> {
    const result: SweepResult = { tenants: 0, markedOverdue: 0, aged: 0 };
    const tenant = await this.tenants.getTenantSettings(tenantId);
    if (!tenant) return result;
    result.tenants++;
    const today = isoDateInZone(this.clock.now(), tenant.timeZone);
    const yesterday = addDays(today, -1);
    for (const status of ['ISSUED', 'PARTIALLY_PAID', 'OVERDUE'] as const) {
      for (const invoice of await this.invoices.allInvoicesByStatusDueBy(tenantId, status, yesterday)) {
        if (invoice.status === 'OVERDUE' && invoice.overdueAsOf === today) continue;
        try {
          await this.invoices.transact([
            this.invoices.updateInvoiceOp(tenantId, invoice, {
              status: 'OVERDUE',
              daysOverdue: invoiceAge(invoice, today),
              overdueAsOf: today,
              updatedAt: this.clock.now().toISOString(),
            }),
          ]);
          if (status === 'OVERDUE') result.aged++;
          else result.markedOverdue++;
        } catch (error) {
          // A payment or another write won the race: tomorrow's sweep sees the new state.
          if (!(error instanceof VersionConflictError)) throw error;
        }
      }
    }
    return result;
  }

  /** The debtors consumer's entry: one invoice change from the bus. Other entity types are ignored. */
  async onChange(detail: TableChangeDetail): Promise<EscalationResult> {
    if (detail.entityType !== EntityType.Invoice || !detail.newImage || !detail.tenantId) {
      return { taken: [], waiting: null };
    }
    const image = invoiceImage(detail.newImage);
    if (image.status !== 'OVERDUE') return { taken: [], waiting: null };
    return this.escalate(detail.tenantId, image.clientId, image.id);
  }

  /** Takes every step due at the invoice's recorded age that was not taken yet, in order. */
  async escalate(tenantId: string, clientId: string, invoiceId: string): Promise<EscalationResult> {
    const result: EscalationResult = { taken: [], waiting: null };
    const tenant = await this.tenants.getTenantSettings(tenantId);
    if (!tenant) return result;
    const policy = (await this.repo.getDunningPolicy(tenantId)) ?? DEFAULT_DUNNING_POLICY;
    const probe = await this.invoices.getInvoiceOfClient(tenantId, clientId, invoiceId);
    if (!probe) return result;
    let lastStep: string | null = null;
    for (const rule of stepsDue(policy, probe.daysOverdue)) {
      // Re-read before every step: a payment that arrived meanwhile stops the rest.
      const invoice = await this.invoices.getInvoiceOfClient(tenantId, clientId, invoiceId);
      if (invoice?.status !== 'OVERDUE') break;
      const existing = await this.repo.getStep(tenantId, invoiceId, rule.id);
      if (existing && existing.outcome !== 'PENDING') {
        lastStep = rule.id;
        continue;
      }
      const client = await this.clients.getClient(tenantId, clientId);
      if (!client) break;
      if (rule.action === 'SMS' && smsConsented(client) && client.phone) {
        const local = localTimeInZone(this.clock.now(), tenant.timeZone);
        if (inQuietHours(local, policy.quietHoursStart, policy.quietHoursEnd)) {
          // Nothing is recorded: the next daily write evaluates the step again, outside quiet hours.
          result.waiting = `${rule.id}: quiet hours`;
          break;
        }
      }
      const now = this.clock.now().toISOString();
      const leaseUntil = new Date(this.clock.now().getTime() + STEP_LEASE_MS).toISOString();
      // Only the delivery holding the step's lease sends: the one that recorded it, or a retry that
      // takes over a pending step whose lease was released (a provider failure) or ran out (a crash).
      const holds = existing
        ? await this.repo.claimPendingStep(tenantId, invoiceId, rule.id, now, leaseUntil)
        : await this.repo.recordStep(tenantId, {
            invoiceId,
            stepId: rule.id,
            action: rule.action,
            outcome: 'PENDING',
            reason: null,
            daysOverdue: invoice.daysOverdue,
            recordedAt: now,
            completedAt: null,
            leaseUntil,
          });
      if (!holds) break;
      let skipped: string | null;
      try {
        skipped = await this.perform(tenantId, tenant, policy, rule, invoice, client);
      } catch (error) {
        await this.repo.releaseStep(tenantId, invoiceId, rule.id);
        throw error;
      }
      if (
        await this.repo.completeStep(tenantId, invoiceId, rule.id, skipped ? 'SKIPPED' : 'SENT', skipped, now)
      ) {
        result.taken.push(rule.id);
      }
      lastStep = rule.id;
    }
    if (lastStep && lastStep !== probe.dunningStep)
      await this.markStep(tenantId, clientId, invoiceId, lastStep);
    return result;
  }

  /** Sends a step; returns why it was skipped, or null when it went out. */
  private async perform(
    tenantId: string,
    tenant: InvoiceTenant,
    _policy: DunningPolicy,
    rule: DunningStepRule,
    invoice: Invoice,
    client: InvoiceClient,
  ): Promise<string | null> {
    const adapters = this.adapters;
    if (!adapters) return 'NO_CHANNELS';
    const amount = formatMoney(invoice.outstanding, tenant.locale);
    const text = `${tenant.name}: invoice ${invoice.number} (${amount}) is ${invoice.daysOverdue} days overdue. Payment reference ${invoice.reference}.`;
    switch (rule.action) {
      case 'EMAIL': {
        if (!client.email) return 'NO_EMAIL';
        await adapters.mailer.send({
          from: adapters.mailFrom,
          to: client.email,
          subject: `${tenant.name}: payment reminder for invoice ${invoice.number}`,
          text,
        });
        return null;
      }
      case 'SMS': {
        if (!smsConsented(client)) return 'NO_SMS_CONSENT';
        if (!client.phone) return 'NO_PHONE';
        await adapters.sms.send({ to: client.phone, message: text, tag: `${invoice.id}:${rule.id}` });
        return null;
      }
      case 'COLLECTOR': {
        const today = isoDateInZone(this.clock.now(), tenant.timeZone);
        const letter = await renderDunningLetterPdf(
          invoice,
          { name: tenant.name, locale: tenant.locale },
          invoice.daysOverdue,
          today,
        );
        const letterKey = dunningLetterKey(tenantId, invoice.id, rule.id);
        await adapters.store.put(adapters.bucket, letterKey, letter, 'application/pdf');
        await this.repo.putCollectorTask(tenantId, rule.id, {
          id: newId(),
          invoiceId: invoice.id,
          invoiceNumber: invoice.number,
          clientId: invoice.clientId,
          amount: invoice.outstanding,
          letterKey,
          assigneeId: invoice.advisorId,
          branchId: invoice.branchId,
          regionId: invoice.regionId,
          at: this.clock.now().toISOString(),
        });
        if (this.followUps && invoice.advisorId) {
          // The advisor's task list gets the follow-up too: created once per invoice and step.
          await this.followUps.createFollowUp(tenantId, {
            id: `dunning.${invoice.id}.${rule.id}`,
            assigneeId: invoice.advisorId,
            clientId: invoice.clientId,
            title: `Collect invoice ${invoice.number} (${amount})`,
            dueAt: new Date(this.clock.now().getTime() + FOLLOW_UP_DAYS * 86_400_000).toISOString(),
          });
        }
        if (client.email) {
          await adapters.mailer.send({
            from: adapters.mailFrom,
            to: client.email,
            subject: `${tenant.name}: formal notice for invoice ${invoice.number}`,
            text,
            attachments: [
              { filename: `notice-${invoice.number}.pdf`, contentType: 'application/pdf', content: letter },
            ],
          });
        }
        return null;
      }
    }
  }

  /** Shows the last step on the invoice (and so on the card); a lost race is left to the next change. */
  private async markStep(tenantId: string, clientId: string, invoiceId: string, step: string): Promise<void> {
    const current = await this.invoices.getInvoiceOfClient(tenantId, clientId, invoiceId);
    if (!current || current.dunningStep === step) return;
    try {
      await this.invoices.transact([this.invoices.updateInvoiceOp(tenantId, current, { dunningStep: step })]);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
    }
  }

  // ---- the policy, the steps taken and the collector's queue -------------------------------
  /** The collector's queue: tasks the dunning policy's COLLECTOR step created, with their letters. */
  async collectorTasks(principal: Principal | null, page: PageRequest): Promise<Page<CollectorTask>> {
    const p = authorize(principal, 'payments:write');
    const result = await this.repo.listCollectorTasks(p.tenantId, page);
    if (p.scope === 'all') return result;
    // A task sits where its invoice does; one written before tasks carried it reaches tenant-wide scopes only.
    return keepInPage(result, (t) =>
      canReach(p, { ownerUserId: t.assigneeId, branchId: t.branchId ?? null, regionId: t.regionId ?? null }),
    );
  }

  /** An expiring link to a collector task's formal letter. */
  async letterUrl(task: CollectorTask): Promise<string | null> {
    return pdfLink(this.adapters, task.letterKey, `notice-${task.invoiceNumber ?? task.invoiceId}.pdf`);
  }

  async dunningSteps(principal: Principal | null, invoiceId: string): Promise<DunningStepRecord[]> {
    const p = authorize(principal, 'invoices:read');
    await this.access.requireInvoice(p, invoiceId);
    return this.repo.listSteps(p.tenantId, invoiceId);
  }

  async dunningPolicy(principal: Principal | null): Promise<DunningPolicy> {
    const p = authorize(principal, 'invoices:read');
    return (await this.repo.getDunningPolicy(p.tenantId)) ?? DEFAULT_DUNNING_POLICY;
  }

  async setDunningPolicy(principal: Principal | null, rawInput: unknown): Promise<DunningPolicy> {
    const p = authorize(principal, 'dunning:configure');
    const input = parseInput(SetDunningPolicySchema, rawInput);
    const policy: DunningPolicy = {
      steps: [...input.steps].sort((a, b) => a.afterDays - b.afterDays),
      quietHoursStart: input.quietHoursStart,
      quietHoursEnd: input.quietHoursEnd,
      version: input.expectedVersion + 1,
      updatedAt: this.access.now(),
      updatedBy: p.userId,
    };
    await this.repo.saveDunningPolicy(p.tenantId, policy, input.expectedVersion);
    return policy;
  }
}
