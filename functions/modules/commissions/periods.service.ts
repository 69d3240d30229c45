import { assertTenantWide, authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { TransactOp } from '../../shared/db.js';
import { parseInput } from '../../shared/validation.js';
import { type CommissionPeriod, PeriodActionSchema } from './commissions.model.js';
import type { Recipient } from './engine/index.js';
import type { LedgerRepository } from './ledger.repository.js';

/**
 * What else changes when a month is marked PAID, in the same transaction: the settlement module's
 * payout batches of the month are recorded as paid.
 */
export interface PeriodPaidListener {
  paidOps(tenantId: string, period: string, by: string, at: string): Promise<TransactOp[]>;
}

/** An approved month and who has lines in it. */
export interface ApprovedPeriod {
  period: string;
  approvedAt: string;
  recipients: Recipient[];
}

/** Commission months: approved (locked, totals fixed) and then marked paid, tenant-wide only. */
export class PeriodsService {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly clock: Clock,
    private readonly paid: PeriodPaidListener | null = null,
  ) {}

  async list(principal: Principal | null): Promise<CommissionPeriod[]> {
    const p = authorize(principal, 'commissions:read');
    return this.ledger.listPeriods(p.tenantId);
  }

  /**
   * The months approved at or after `since` (ISO instant), each with the recipients that have lines
   * in it (one accrual per recipient and currency, so each recipient once): whom the statements
   * schedule mails. A system read, for schedules only: no principal.
   */
  async approvedSince(tenantId: string, since: string): Promise<ApprovedPeriod[]> {
    const approved = (await this.ledger.listPeriods(tenantId)).filter(
      (x) => x.status !== 'OPEN' && (x.approvedAt ?? '') >= since,
    );
    return Promise.all(
      approved.map(async (x) => {
        const recipients = new Map<string, Recipient>();
        for (const a of await this.ledger.listAccrualsByPeriod(tenantId, x.period))
          if (a.lineCount > 0) recipients.set(a.recipientKey, a.recipient);
        return { period: x.period, approvedAt: x.approvedAt ?? since, recipients: [...recipients.values()] };
      }),
    );
  }

  /**
   * OPEN → APPROVED: locks the month (the consumer's line writes check it in their transaction, so
   * nothing lands in it afterwards) and fixes each recipient's approved total.
   */
  async approve(principal: Principal | null, input: unknown): Promise<CommissionPeriod> {
    return this.movePeriod(principal, input, 'OPEN', 'APPROVED', 'approvedMinor');
  }

  /** APPROVED → PAID: the approved totals are recorded as paid, and the month's payout batches with them. */
  async markPaid(principal: Principal | null, input: unknown): Promise<CommissionPeriod> {
    return this.movePeriod(principal, input, 'APPROVED', 'PAID', 'paidMinor');
  }

  private async movePeriod(
    principal: Principal | null,
    input: unknown,
    from: CommissionPeriod['status'],
    to: CommissionPeriod['status'],
    field: 'approvedMinor' | 'paidMinor',
  ): Promise<CommissionPeriod> {
    const p = authorize(principal, 'commissions:approve');
    assertTenantWide(p, 'Approving or paying a commission month');
    const { period } = parseInput(PeriodActionSchema, input);
    const current = await this.ledger.getPeriod(p.tenantId, period);
    const at = this.clock.now().toISOString();
    const next: CommissionPeriod = {
      period,
      status: to,
      approvedBy: current?.approvedBy ?? (to === 'APPROVED' ? p.userId : null),
      approvedAt: current?.approvedAt ?? (to === 'APPROVED' ? at : null),
      paidBy: to === 'PAID' ? p.userId : null,
      paidAt: to === 'PAID' ? at : null,
      version: (current?.version ?? 0) + 1,
    };
    const extra = to === 'PAID' && this.paid ? await this.paid.paidOps(p.tenantId, period, p.userId, at) : [];
    await this.ledger.setPeriodStatus(p.tenantId, next, from, extra);
    for (const a of await this.ledger.listAccrualsByPeriod(p.tenantId, period)) {
      const total =
        field === 'approvedMinor'
          ? (a.accruedMinor ?? 0) + (a.clawedBackMinor ?? 0) + (a.adjustedMinor ?? 0)
          : (a.approvedMinor ?? 0);
      await this.ledger.setAccrualTotal(p.tenantId, a, field, total);
    }
    return next;
  }
}
