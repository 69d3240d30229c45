import type { Principal } from '../../shared/auth/principal.js';
import { type Clock, isoDateInZone } from '../../shared/clock.js';
import type { TransactOp } from '../../shared/db.js';
import { ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { fitsCurrencyScale, scaleMessage } from '../../shared/input.js';
import { money } from '../../shared/money.js';
import type { CommissionOrgDirectory } from './commission-lookups.js';
import { type CommissionPeriod, nextPeriod, recipientKey, type StoredLine } from './commissions.model.js';
import { type CommissionLine, lineId } from './engine/index.js';
import {
  type LedgerRepository,
  LineAlreadyWrittenError,
  PeriodLockedError,
  ProductionAlreadyCountedError,
  type ProductionEntry,
} from './ledger.repository.js';
import { type Packing, packWrites, unitsOf, type WriteUnit } from './write-packing.js';

const MAX_PERIOD_RETRIES = 3;

/**
 * The policy facts a line carries: insurer and number for statement matching, the client so a ledger
 * page reads its policies with one BatchGetItem (policies live in their client's item collection).
 */
export interface PolicyRef {
  insurerId: string | null;
  policyNumber: string | null;
  clientId: string | null;
}

export const refOf = (line: StoredLine): PolicyRef => ({
  insurerId: line.insurerId ?? null,
  policyNumber: line.policyNumber ?? null,
  clientId: line.clientId ?? null,
});

/** One event's writes for {@link LedgerWriter.appendEvents}: its lines, their date, its production. */
export interface EventWrites {
  lines: CommissionLine[];
  /** The event's date: its lines land in this month, or the next open one. */
  date: string;
  ref: PolicyRef;
  /** The premium the event adds to its seller's production (null: none). */
  production: ProductionEntry | null;
  /** A correction's reason and author, written on each line (a recompute's); absent: none. */
  adjustment?: { reason: string; by: string } | null;
}

/** What {@link LedgerWriter.appendEvents} did with one event: its counts, or why it failed. */
export type EventWriteOutcome = { written: number; duplicates: number } | { error: unknown };

/** A cancelled merged write that the event-by-event path sorts out (a replay, a month locked meanwhile). */
const sortedOutOneByOne = (error: unknown) =>
  error instanceof LineAlreadyWrittenError ||
  error instanceof PeriodLockedError ||
  error instanceof ProductionAlreadyCountedError ||
  error instanceof RangeError;

/** The first month from `period` on that is not locked. */
export function firstOpen(period: string, periods: CommissionPeriod[]): string {
  const locked = new Set(periods.filter((x) => x.status !== 'OPEN').map((x) => x.period));
  let candidate = period;
  while (locked.has(candidate)) candidate = nextPeriod(candidate);
  return candidate;
}

/**
 * A manager's correction of `target`: a new ADJUSTMENT line for the same recipient, ledger and
 * policy, with the reason and author in its formula. The corrected line is never edited.
 */
export function adjustmentLine(
  target: StoredLine,
  amount: string,
  reason: string,
  p: Principal,
): CommissionLine {
  // Refused, never rounded: 0.001 EUR would silently become a 0.00 line.
  if (!fitsCurrencyScale(amount, target.currency)) {
    throw new ValidationFailedError(`Invalid input: input.amount ${scaleMessage(target.currency)}`, [
      { path: 'input.amount', message: scaleMessage(target.currency) },
    ]);
  }
  const rounded = money(amount, target.currency);
  const sourceEventId = `adjustment:${newId()}`;
  const ex = target.explanation;
  return {
    id: lineId({
      sourceEventId,
      kind: 'ADJUSTMENT',
      schemeId: ex.schemeId,
      ruleId: ex.ruleId,
      schemeVersion: ex.schemeVersion,
      recipientKind: target.recipient.kind,
      recipientId: target.recipient.id,
      level: ex.level,
      role: ex.role,
      relatedLineId: target.id,
    }),
    ledger: target.ledger,
    recipient: target.recipient,
    policyId: target.policyId,
    sourceEventId,
    kind: 'ADJUSTMENT',
    amount: rounded.amount,
    currency: target.currency,
    relatedLineId: target.id,
    policyVersion: target.policyVersion,
    explanation: {
      ...ex,
      base: target.amount,
      previousBase: null,
      rate: null,
      tier: null,
      share: null,
      formula: `manual adjustment of line ${target.id} by ${p.userId}: ${reason} = ${rounded.amount}`,
    },
  };
}

/**
 * Appends lines to the ledger where they belong: the month of their date, or the next open month
 * when that one is locked. The consumer, manual adjustments and resolved disputes all write here.
 */
export class LedgerWriter {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly org: CommissionOrgDirectory,
    private readonly clock: Clock,
  ) {}

  /** Today in the tenant's time zone: periods are calendar months there. */
  async today(tenantId: string): Promise<string> {
    return isoDateInZone(this.clock.now(), (await this.org.timeZone(tenantId)) ?? 'UTC');
  }

  /**
   * Appends lines in the month of `date`, or the next open month when that one is locked. A line
   * whose period is approved while it is being written is retried in the next open month.
   */
  async appendAll(
    tenantId: string,
    lines: CommissionLine[],
    date: string,
    options: {
      adjustment: { reason: string; by: string } | null;
      ref: PolicyRef;
      extra?: TransactOp[];
      /** The periods as the caller just read them (a locked month is re-read on conflict anyway). */
      periods?: CommissionPeriod[];
      /**
       * Production counting ({@link LedgerRepository.productionOps}): written in the lines' transaction,
       * or on its own when the lines cannot go in one (none, a replay, a month locked meanwhile).
       */
      production?: TransactOp[];
    },
  ): Promise<{ written: number; duplicates: number }> {
    let written = 0;
    let duplicates = 0;
    const production = options.production ?? [];
    if (lines.length === 0) {
      if (production.length > 0) await this.ledger.countProduction(production);
      return { written, duplicates };
    }
    let periods = options.periods ?? (await this.ledger.listPeriods(tenantId));
    if ((lines.length > 1 || production.length > 0) && !options.extra) {
      // The usual case, a new event: all its lines in one transaction. A line already there (a
      // replay, or an event some of whose lines were written before) or a month locked meanwhile
      // falls back to the line-by-line path below, which sorts out each line on its own.
      const period = firstOpen(date.slice(0, 7), periods);
      try {
        await this.ledger.appendLines(
          tenantId,
          lines.map((line) => this.stored(line, period, options.adjustment, options.ref)),
          production,
        );
        return { written: lines.length, duplicates: 0 };
      } catch (error) {
        if (!sortedOutOneByOne(error)) throw error;
        if (error instanceof PeriodLockedError) periods = await this.ledger.listPeriods(tenantId);
      }
    }
    for (const line of lines) {
      for (let attempt = 0; ; attempt += 1) {
        const stored = this.stored(
          line,
          firstOpen(date.slice(0, 7), periods),
          options.adjustment,
          options.ref,
        );
        try {
          await this.ledger.appendLine(tenantId, stored, options.extra);
          written += 1;
          break;
        } catch (error) {
          if (error instanceof LineAlreadyWrittenError) {
            duplicates += 1;
            break;
          }
          if (error instanceof PeriodLockedError && attempt < MAX_PERIOD_RETRIES) {
            periods = await this.ledger.listPeriods(tenantId);
            continue;
          }
          throw error;
        }
      }
    }
    if (production.length > 0) await this.ledger.countProduction(production);
    return { written, duplicates };
  }

  /**
   * Appends the writes of independent events (no two of the same policy; the stream consumer's
   * rounds and a recompute's distinct policies guarantee it) in as few transactions as fit, packed by
   * item rather than by event ({@link packWrites}): each line goes with its own counter increments and
   * each production marker with its counter, and the lines of one accrual sit side by side, so the
   * brokerage's accrual, which every receivable line adds to, is updated once for the whole set
   * instead of once per transaction of events. Safe because the atomic unit is the line with its
   * increments, never more: a transaction is written whole or not at all, and a replayed line is
   * taken, so it cancels its transaction and the events involved are then appended one by one by
   * {@link appendAll}, which skips what is there (lines counted as they were written, none twice).
   * Transactions run in order; after one fails nothing later is sent. An event whose writes are not
   * all in is then sorted out one by one (a replay, a month locked meanwhile) or reported failed with
   * the error (its redelivery sorts it out the same way). Outcomes come back in the events' order.
   * With `packing` `event` each event's writes stay in one transaction ({@link Packing}).
   */
  async appendEvents(
    tenantId: string,
    events: readonly EventWrites[],
    periods: CommissionPeriod[],
    packing: Packing = 'line',
  ): Promise<EventWriteOutcome[]> {
    const outcomes: EventWriteOutcome[] = new Array(events.length);
    const units: WriteUnit[] = [];
    for (const [i, e] of events.entries()) {
      const period = firstOpen(e.date.slice(0, 7), periods);
      const lines = e.lines.map((line) => this.stored(line, period, e.adjustment ?? null, e.ref));
      if (lines.length === 0 && !e.production) outcomes[i] = { written: 0, duplicates: 0 };
      units.push(...unitsOf(i, lines, e.production, packing));
    }
    const sets = packWrites(tenantId, units);
    const early: number[] = new Array(events.length).fill(0);
    let failedAt = sets.length;
    let failure: unknown = null;
    for (const [k, s] of sets.entries()) {
      try {
        await this.ledger.appendWriteSet(s.set);
        for (const [i, n] of s.lines) early[i] = (early[i] ?? 0) + n;
      } catch (error) {
        [failedAt, failure] = [k, error];
        break;
      }
    }
    const unfinished = new Set(sets.slice(failedAt).flatMap((s) => [...s.events]));
    for (const [i, e] of events.entries()) {
      if (!outcomes[i] && !unfinished.has(i)) outcomes[i] = { written: e.lines.length, duplicates: 0 };
    }
    if (unfinished.size === 0) return outcomes;
    if (!sortedOutOneByOne(failure)) {
      for (const i of unfinished) outcomes[i] = { error: failure };
      return outcomes;
    }
    const current = failure instanceof PeriodLockedError ? await this.ledger.listPeriods(tenantId) : periods;
    // One after another: the events share counters, and parallel transactions on them collide.
    for (const i of [...unfinished].sort((a, b) => a - b)) {
      const e = events[i] as EventWrites;
      try {
        const outcome = await this.appendAll(tenantId, e.lines, e.date, {
          adjustment: e.adjustment ?? null,
          ref: e.ref,
          periods: current,
          production: e.production ? this.ledger.productionOps(tenantId, e.production) : [],
        });
        // Lines an earlier transaction of this call wrote are this call's, not a replay's.
        const mine = early[i] ?? 0;
        outcomes[i] = { written: outcome.written + mine, duplicates: outcome.duplicates - mine };
      } catch (error) {
        outcomes[i] = { error };
      }
    }
    return outcomes;
  }

  private stored(
    line: CommissionLine,
    period: string,
    adjustment: { reason: string; by: string } | null,
    ref: PolicyRef,
  ): StoredLine {
    return {
      ...line,
      insurerId: ref.insurerId,
      policyNumber: ref.policyNumber,
      clientId: ref.clientId,
      period,
      recipientKey: recipientKey(line.recipient),
      reason: adjustment?.reason ?? null,
      by: adjustment?.by ?? null,
      createdAt: this.clock.now().toISOString(),
      version: 1,
    };
  }
}
