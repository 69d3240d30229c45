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
  LedgerWriteSet,
  LineAlreadyWrittenError,
  PeriodLockedError,
  ProductionAlreadyCountedError,
  type ProductionEntry,
} from './ledger.repository.js';
import { MAX_TRANSACT_OPS } from './ledger-write-set.js';

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
   * rounds guarantee it) in as few transactions as fit: consecutive events share one while its
   * operations, counters merged, stay within DynamoDB's 100. A new batch thus costs a few
   * transactions instead of one per event. A merged transaction that fails as a whole on a replayed
   * member or a month locked meanwhile wrote nothing; its events are then appended one by one by
   * {@link appendAll}, which skips what is there. Outcomes come back in the events' order.
   */
  async appendEvents(
    tenantId: string,
    events: readonly EventWrites[],
    periods: CommissionPeriod[],
  ): Promise<EventWriteOutcome[]> {
    const outcomes: EventWriteOutcome[] = new Array(events.length);
    let current = periods;
    const oneByOne = async (i: number): Promise<void> => {
      const e = events[i] as EventWrites;
      try {
        outcomes[i] = await this.appendAll(tenantId, e.lines, e.date, {
          adjustment: null,
          ref: e.ref,
          periods: current,
          production: e.production ? this.ledger.productionOps(tenantId, e.production) : [],
        });
      } catch (error) {
        outcomes[i] = { error };
      }
    };
    let set = new LedgerWriteSet(tenantId);
    let members: number[] = [];
    const flush = async (): Promise<void> => {
      const [pending, indexes] = [set, members];
      [set, members] = [new LedgerWriteSet(tenantId), []];
      if (indexes.length === 0) return;
      try {
        await this.ledger.appendWriteSet(pending);
        for (const i of indexes) outcomes[i] = { written: events[i]?.lines.length ?? 0, duplicates: 0 };
      } catch (error) {
        if (!sortedOutOneByOne(error)) {
          for (const i of indexes) outcomes[i] = { error };
          return;
        }
        if (error instanceof PeriodLockedError) current = await this.ledger.listPeriods(tenantId);
        // One after another: the events share counters, and parallel transactions on them collide.
        for (const i of indexes) await oneByOne(i);
      }
    };
    for (const [i, e] of events.entries()) {
      const lines = e.lines.map((line) =>
        this.stored(line, firstOpen(e.date.slice(0, 7), current), null, e.ref),
      );
      if (lines.length === 0 && !e.production) {
        outcomes[i] = { written: 0, duplicates: 0 };
        continue;
      }
      if (new LedgerWriteSet(tenantId).sizeWith(lines, e.production) > MAX_TRANSACT_OPS) {
        await oneByOne(i);
        continue;
      }
      if (set.sizeWith(lines, e.production) > MAX_TRANSACT_OPS) await flush();
      set.add(lines, e.production);
      members.push(i);
    }
    await flush();
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
