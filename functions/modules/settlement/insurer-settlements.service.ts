import { assertTenantWide, authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { TransactOp } from '../../shared/db.js';
import {
  AlreadyExistsError,
  NotFoundError,
  RuleViolationError,
  VersionConflictError,
} from '../../shared/errors.js';
import { Dec, money } from '../../shared/money.js';
import { parseInput } from '../../shared/validation.js';
import {
  allocate,
  type BankReceipt,
  explainSettlement,
  type InsurerSettlement,
  MatchInsurerSettlementSchema,
  monthsUpTo,
  periodsNamedIn,
  type SettlementMatch,
  zero,
} from './insurer-settlement.model.js';
import type { InsurerSettlementsRepository, SettledPeriod } from './insurer-settlements.repository.js';
import type { InsurerReceivables, UnmatchedBankRows } from './ports.js';

/** Months back from the day money arrived that a payment naming no month may settle, oldest first. */
export const SETTLEMENT_LOOKBACK_MONTHS = 12;
const MAX_ATTEMPTS = 5;

/**
 * Insurer commission settlements: money an insurer pays the brokerage against the commission
 * receivable, recorded from bank-statement rows (recognised by the insurer's account or payment
 * reference) or matched by hand from the unmatched queue, split over the insurer's open commission
 * months (the months the reference names, else the oldest open ones), the difference left open.
 */
export class InsurerSettlementsService {
  constructor(
    private readonly repo: InsurerSettlementsRepository,
    private readonly receivables: InsurerReceivables,
    private readonly queue: UnmatchedBankRows | null,
    private readonly clock: Clock,
  ) {}

  /**
   * A bank row from the statement import: recorded when an insurer paid it, else null (the import
   * matches it to invoices). A row recorded before answers its settlement with `duplicate`.
   */
  async recordBankReceipt(
    tenantId: string,
    receipt: BankReceipt,
  ): Promise<{ settlement: InsurerSettlement; duplicate: boolean } | null> {
    const before = await this.repo.getSettlement(tenantId, receipt.receivedDate, receipt.id);
    if (before) return { settlement: before, duplicate: true };
    const insurer = await this.insurerOf(tenantId, receipt);
    if (!insurer) return null;
    return this.record(tenantId, receipt, insurer.insurerId, insurer.by, periodsNamedIn(receipt.reference));
  }

  /**
   * A person matches a queued bank row to an insurer (and the months it pays, when its reference names
   * none): the settlement is recorded and the row leaves the queue, together.
   */
  async matchByHand(principal: Principal | null, rawInput: unknown): Promise<InsurerSettlement> {
    const p = authorize(principal, 'commissions:reconcile');
    assertTenantWide(p, 'Insurer commission settlements');
    const input = parseInput(MatchInsurerSettlementSchema, rawInput);
    const row = this.queue ? await this.queue.get(p.tenantId, input.unmatchedId) : undefined;
    if (!this.queue || !row) throw new NotFoundError('UnmatchedPayment', input.unmatchedId);
    if (row.reason === 'INVALID_ROW' || !new Dec(row.amount.amount || 0).gt(0)) {
      throw new RuleViolationError('This row is not a valid payment; fix the statement');
    }
    if ((await this.receivables.insurerName(p.tenantId, input.insurerId)) === null) {
      throw new NotFoundError('Insurer', input.insurerId);
    }
    const receipt: BankReceipt = {
      id: row.id,
      importId: row.importId,
      row: row.row,
      receivedDate: row.paidDate,
      amount: row.amount,
      reference: row.reference,
      payer: row.payer,
      payerIban: null,
      by: p.userId,
    };
    const periods = input.periods?.length ? input.periods : periodsNamedIn(row.reference);
    const done = await this.record(p.tenantId, receipt, input.insurerId, 'MANUAL', periods, [
      this.queue.leaveQueueOp(p.tenantId, row.id),
    ]);
    if (done.duplicate) throw new AlreadyExistsError('InsurerSettlement', 'id', row.id);
    return done.settlement;
  }

  /** Settlements that arrived between two days (inclusive): the journal's "settled" entries. */
  settlementsBetween(tenantId: string, from: string, to: string): Promise<InsurerSettlement[]> {
    return this.repo.listSettlementsBetween(tenantId, from, to);
  }

  /**
   * The insurer a row comes from: the one whose account is the payer's (when several insurers share
   * it, the one whose payment reference the row carries), else the one whose payment reference it
   * carries; null when none or several fit.
   */
  private async insurerOf(
    tenantId: string,
    receipt: BankReceipt,
  ): Promise<{ insurerId: string; by: SettlementMatch } | null> {
    const accounts = await this.repo.listInsurerAccounts(tenantId);
    if (accounts.length === 0) return null;
    const iban = receipt.payerIban?.replace(/\s+/g, '').toUpperCase() ?? '';
    const byIban = iban ? accounts.filter((a) => a.iban === iban) : [];
    if (byIban.length === 1)
      return { insurerId: (byIban[0] as (typeof accounts)[number]).owner.id, by: 'IBAN' };
    const text = compact(receipt.reference ?? '');
    const byReference = (byIban.length ? byIban : accounts).filter(
      (a) => a.paymentReference && text.includes(compact(a.paymentReference)),
    );
    const [only] = byReference;
    if (byReference.length !== 1 || !only) return null;
    return { insurerId: only.owner.id, by: byIban.length ? 'IBAN' : 'REFERENCE' };
  }

  /**
   * Splits the receipt over the insurer's open months and records it with the months' new totals,
   * re-reading after a lost race; a row recorded before answers `duplicate`.
   */
  private async record(
    tenantId: string,
    receipt: BankReceipt,
    insurerId: string,
    by: SettlementMatch,
    named: string[],
    extra: TransactOp[] = [],
  ): Promise<{ settlement: InsurerSettlement; duplicate: boolean }> {
    const name = (await this.receivables.insurerName(tenantId, insurerId)) ?? insurerId;
    const currency = receipt.amount.currency;
    const months = named.length
      ? [...named].sort()
      : monthsUpTo(receipt.receivedDate.slice(0, 7), SETTLEMENT_LOOKBACK_MONTHS);
    for (let attempt = 1; ; attempt++) {
      const state = await Promise.all(
        months.map(async (period) => ({
          period,
          receivable:
            (await this.receivables.receivableOf(tenantId, insurerId, period)).find(
              (m) => m.currency === currency,
            ) ?? zero(currency),
          settled: await this.repo.getSettledPeriod(tenantId, insurerId, period, currency),
        })),
      );
      const open = (s: (typeof state)[number]) =>
        new Dec(s.receivable.amount).minus(s.settled?.settled.amount ?? 0);
      const split = allocate(
        receipt.amount.amount,
        state.map((s) => ({ period: s.period, open: open(s).toFixed() })),
      );
      const totals: Array<{ next: SettledPeriod; expectedVersion: number }> = [];
      const allocations = split.allocations.map((a) => {
        const s = state.find((x) => x.period === a.period) as (typeof state)[number];
        const before = s.settled?.settled ?? zero(currency);
        totals.push({
          next: {
            insurerId,
            period: a.period,
            settled: money(new Dec(before.amount).plus(a.amount), currency),
            settlementIds: [...(s.settled?.settlementIds ?? []), receipt.id],
            version: (s.settled?.version ?? 0) + 1,
          },
          expectedVersion: s.settled?.version ?? 0,
        });
        return {
          period: a.period,
          amount: money(a.amount, currency),
          receivable: s.receivable,
          settledBefore: before,
          openAfter: money(open(s).minus(a.amount), currency),
        };
      });
      const recorded = {
        amount: receipt.amount,
        receivedDate: receipt.receivedDate,
        allocations,
        unallocated: money(split.unallocated, currency),
        matchedBy: by,
      };
      const settlement: InsurerSettlement = {
        id: receipt.id,
        insurerId,
        ...recorded,
        explanation: explainSettlement(recorded, name),
        importId: receipt.importId,
        row: receipt.row,
        reference: receipt.reference,
        payer: receipt.payer,
        payerIban: receipt.payerIban,
        recordedBy: receipt.by,
        recordedAt: this.clock.now().toISOString(),
        version: 1,
      };
      try {
        await this.repo.recordSettlement(tenantId, settlement, totals, extra);
        return { settlement, duplicate: false };
      } catch (error) {
        if (error instanceof AlreadyExistsError) {
          const before = await this.repo.getSettlement(tenantId, receipt.receivedDate, receipt.id);
          return { settlement: before ?? settlement, duplicate: true };
        }
        if (!(error instanceof VersionConflictError) || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }
}

/** A reference as compared: upper case, letters and digits only. */
function compact(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9]/g, '');
}
