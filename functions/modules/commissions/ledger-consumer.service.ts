import type { TableChangeDetail } from '../../shared/change-event.js';
import { mapLimit } from '../../shared/map-limit.js';
import type { Dec } from '../../shared/money.js';
import type { ClientLookup, PolicyLookup, PromotionRecord } from './commission-lookups.js';
import { recipientKey } from './commissions.model.js';
import { ChangeBatch, CONSUMER_CONCURRENCY, readyNow } from './consumer-batch.js';
import {
  type Parsed,
  type Planned,
  parseChange,
  planEvent,
  sellerOf,
  usesPeriodTotals,
  writtenPremium,
} from './consumer-events.js';
import {
  BROKERAGE_ID,
  type CommissionEvent,
  type CommissionLine,
  computeCommissionLines,
  type PeriodTotal,
  type Recipient,
  type Scheme,
  usesPremiumQualification,
} from './engine/index.js';
import type { LedgerRepository } from './ledger.repository.js';
import { type EventWriteOutcome, type EventWrites, firstOpen, type LedgerWriter } from './ledger-writer.js';
import { fromMinor } from './minor-units.js';
import type { Promotions } from './promotions.service.js';
import type { SchemesRepository } from './schemes.repository.js';

export { ChangeBatch };

/** What the stream consumer did with one change, for logs and tests. */
export interface ChangeOutcome {
  eventId: string | null;
  written: number;
  duplicates: number;
  /** The automatic promotion this record earned its seller, recorded now (null: none, or recorded before). */
  promoted?: PromotionRecord | null;
}

/**
 * What the consumer did with a stream batch: an outcome per record it finished, and when one
 * failed, the first record Lambda must deliver again (`failedFrom`: the failed one or an earlier
 * one not processed yet; every record from it on is reported failed, a record already booked writes
 * nothing on replay).
 */
export interface BatchOutcome {
  outcomes: Array<ChangeOutcome | undefined>;
  failedFrom: number | null;
  failure: { index: number; error: unknown } | null;
}

const NOTHING: ChangeOutcome = { eventId: null, written: 0, duplicates: 0 };

/** An event computed: its writes, and what promotion reads after them. */
interface Computed {
  planned: Planned;
  writes: EventWrites;
  schemes: Scheme[];
  written: Dec | null;
  sellerId: string;
}

/**
 * The stream consumer: turns policy and payment writes into ledger lines and accruals. The
 * arithmetic is the engine's; this decides what to feed it and where its lines land.
 *
 * A stream batch is read once (schemes, periods, the clients of all its policies in one
 * BatchGetItem), then booked in rounds: each round takes, in stream order, every event that does not
 * depend on an earlier pending one ({@link readyNow}), computes them a few at a time, and appends
 * their lines in as few transactions as fit (merged counters, {@link LedgerWriter.appendEvents}).
 * A policy's records thus stay in order while records of other policies go together.
 */
export class LedgerConsumer {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly schemes: SchemesRepository,
    private readonly writer: LedgerWriter,
    private readonly policies: PolicyLookup,
    private readonly clients: ClientLookup,
    private readonly promotions: Promotions,
  ) {}

  /**
   * Handles one table change (Policy or Payment): a batch of one. Derives the engine event, computes
   * the lines and appends each with its accrual in one transaction on an absent id: a replay finds
   * every id taken and changes nothing. Throws what failed.
   */
  async onChange(detail: TableChangeDetail, batch: ChangeBatch = new ChangeBatch()): Promise<ChangeOutcome> {
    const result = await this.onBatch([detail], (d) => d, batch);
    if (result.failure) throw result.failure.error;
    return result.outcomes[0] ?? NOTHING;
  }

  /**
   * Handles a stream batch in order per policy (see the class). Stops at the first failure once the
   * round it happened in has finished, and says from which record the batch must be delivered again.
   */
  async onBatch<R>(
    records: readonly R[],
    toDetail: (record: R) => TableChangeDetail,
    batch: ChangeBatch = new ChangeBatch(),
  ): Promise<BatchOutcome> {
    const outcomes: Array<ChangeOutcome | undefined> = new Array(records.length);
    const failures: Array<{ index: number; error: unknown }> = [];
    const parsed: Parsed[] = [];
    for (const [index, record] of records.entries()) {
      try {
        const p = parseChange(index, toDetail(record));
        if (p) parsed.push(p);
        else outcomes[index] = NOTHING;
      } catch (error) {
        failures.push({ index, error });
        break;
      }
    }
    let pending: Planned[] = [];
    try {
      await this.prefetch(parsed, batch);
      for (const p of parsed) {
        const schemes = await batch.schemes(p.tenantId, () => this.schemes.listSchemes(p.tenantId));
        const planned = planEvent(p, batch, schemes);
        if (planned) pending.push(planned);
        else outcomes[p.index] = NOTHING;
      }
    } catch (error) {
      pending = [];
      if (parsed[0]) failures.push({ index: parsed[0].index, error });
    }
    // Records before an unreadable one are still booked; a failed round ends the batch.
    for (let failed = false; pending.length > 0 && !failed; ) {
      const ready = new Set(readyNow(pending));
      pending = pending.filter((p) => !ready.has(p));
      for (const [index, result] of await this.round([...ready], batch)) {
        if ('error' in result) {
          failures.push({ index, error: result.error });
          failed = true;
        } else outcomes[index] = result;
      }
    }
    const failure = failures.sort((a, b) => a.index - b.index)[0] ?? null;
    const failedFrom = failure ? Math.min(failure.index, ...pending.map((p) => p.index)) : null;
    return { outcomes, failedFrom, failure };
  }

  /** The batch's shared reads: per tenant its schemes, periods, the payments' policies, then all clients. */
  private async prefetch(parsed: readonly Parsed[], batch: ChangeBatch): Promise<void> {
    const tenants = [...new Set(parsed.map((p) => p.tenantId))];
    await Promise.all(
      tenants.map(async (tenantId) => {
        const mine = parsed.filter((p) => p.tenantId === tenantId);
        const paid = mine.flatMap((p) =>
          p.kind === 'payment' && p.payment.policyId ? [p.payment.policyId] : [],
        );
        await Promise.all([
          batch.schemes(tenantId, () => this.schemes.listSchemes(tenantId)),
          batch.periods(tenantId, () => this.ledger.listPeriods(tenantId)),
          batch.loadPolicies(tenantId, paid, (id) => this.policies.getPolicy(tenantId, id)),
        ]);
        const clientIds = mine.flatMap((p) => {
          if (p.kind === 'policy') return [p.now.clientId];
          const policy = p.payment.policyId ? batch.policy(tenantId, p.payment.policyId) : null;
          return policy ? [policy.clientId] : [];
        });
        await batch.loadClients(tenantId, clientIds, (ids) => this.clients.getClients(tenantId, ids));
      }),
    );
  }

  /**
   * One round: its events computed a few at a time, their writes appended per tenant in merged
   * transactions, then the promotions their premium may have earned. Results by record index.
   */
  private async round(
    ready: readonly Planned[],
    batch: ChangeBatch,
  ): Promise<Map<number, ChangeOutcome | { error: unknown }>> {
    const results = new Map<number, ChangeOutcome | { error: unknown }>();
    const computed: Computed[] = [];
    await mapLimit(ready, CONSUMER_CONCURRENCY, async (planned) => {
      try {
        computed.push(await this.compute(planned, batch));
      } catch (error) {
        results.set(planned.index, { error });
      }
    });
    computed.sort((a, b) => a.planned.index - b.planned.index);
    const booked: Array<{ c: Computed; outcome: EventWriteOutcome }> = [];
    const tenants = [...new Set(computed.map((c) => c.planned.tenantId))];
    await Promise.all(
      tenants.map(async (tenantId) => {
        const mine = computed.filter((c) => c.planned.tenantId === tenantId);
        const periods = await batch.periods(tenantId, () => this.ledger.listPeriods(tenantId));
        const outcomes = await this.writer.appendEvents(
          tenantId,
          mine.map((c) => c.writes),
          periods,
        );
        if (outcomes.some((o) => 'error' in o)) batch.forgetPeriods(tenantId);
        for (const [i, c] of mine.entries()) booked.push({ c, outcome: outcomes[i] as EventWriteOutcome });
      }),
    );
    await mapLimit(booked, CONSUMER_CONCURRENCY, async ({ c, outcome }) => {
      if ('error' in outcome) {
        results.set(c.planned.index, outcome);
        return;
      }
      try {
        const promoted = c.written?.gt(0)
          ? await this.promotions.afterPremium(c.planned.tenantId, c.schemes, {
              sellerId: c.sellerId,
              date: c.planned.date,
              currency: c.planned.policy.premium.currency,
            })
          : null;
        results.set(c.planned.index, {
          eventId: c.planned.eventId,
          ...outcome,
          ...(promoted ? { promoted } : {}),
        });
      } catch (error) {
        results.set(c.planned.index, { error });
      }
    });
    return results;
  }

  /** Reads what this event alone needs (its policy's lines, standings the schemes depend on) and runs the engine. */
  private async compute(planned: Planned, batch: ChangeBatch): Promise<Computed> {
    const { tenantId } = planned;
    const schemes: Scheme[] = await batch.schemes(tenantId, () => this.schemes.listSchemes(tenantId));
    const periods = await batch.periods(tenantId, () => this.ledger.listPeriods(tenantId));
    const event = planned.build(
      planned.needsPolicyLines ? await this.ledger.listLinesOfPolicy(tenantId, planned.policy.id) : [],
    );
    const month = planned.date.slice(0, 7);
    const periodTotals = await this.periodTotals(tenantId, event, schemes, firstOpen(month, periods));
    const qualifying = usesPremiumQualification(schemes);
    const personalPremium = qualifying
      ? await this.ledger.getProduction(
          tenantId,
          event.policy.hierarchy.filter((h) => h.level > 0).map((h) => h.userId),
          month,
          event.policy.premium.currency,
        )
      : undefined;
    const computed = computeCommissionLines({ event, schemes, periodTotals, personalPremium });
    const lines = qualifying ? await this.withoutTakenLevels(tenantId, event, computed) : computed;
    const written = writtenPremium(event);
    const sellerId = sellerOf(event.policy);
    const policy = planned.policy;
    return {
      planned,
      schemes,
      written,
      sellerId,
      writes: {
        lines,
        date: planned.date,
        ref: { insurerId: policy.insurerId, policyNumber: policy.policyNumber, clientId: policy.clientId },
        production:
          written === null || written.isZero()
            ? null
            : {
                userId: sellerId,
                period: month,
                currency: event.policy.premium.currency,
                amount: written.toFixed(),
                eventId: event.eventId,
              },
      },
    };
  }

  /**
   * A replayed event must not change who took an override level: an upline who qualifies now but did
   * not when the event was first booked would get a line with another id. Once the ledger holds lines
   * of the event (one Query on the policy's lines), only override lines already there are kept.
   */
  private async withoutTakenLevels(
    tenantId: string,
    event: CommissionEvent,
    lines: CommissionLine[],
  ): Promise<CommissionLine[]> {
    if (!lines.some((l) => l.explanation.role === 'OVERRIDE')) return lines;
    const booked = (await this.ledger.listLinesOfPolicy(tenantId, event.policy.id)).filter(
      (l) => l.sourceEventId === event.eventId,
    );
    if (booked.length === 0) return lines;
    const ids = new Set(booked.map((l) => l.id));
    return lines.filter((l) => l.explanation.role !== 'OVERRIDE' || ids.has(l.id));
  }

  /**
   * The open period's standings of the recipients a PERIOD_TOTAL rule could pay for this event (the
   * brokerage, the seller, the referring partner), read only when some scheme has such a rule.
   */
  private async periodTotals(
    tenantId: string,
    event: CommissionEvent,
    schemes: Scheme[],
    period: string,
  ): Promise<PeriodTotal[]> {
    if (!usesPeriodTotals(schemes)) return [];
    const policy = event.policy;
    const seller = sellerOf(policy);
    const recipients: Recipient[] = [
      { kind: 'BROKERAGE', id: BROKERAGE_ID },
      { kind: 'USER', id: seller },
      ...(policy.referringPartnerId ? [{ kind: 'PARTNER' as const, id: policy.referringPartnerId }] : []),
    ];
    const totals: PeriodTotal[] = [];
    for (const recipient of recipients) {
      for (const t of await this.ledger.getRuleTotals(tenantId, recipientKey(recipient), period)) {
        totals.push({
          schemeId: t.schemeId,
          ruleId: t.ruleId,
          recipient,
          volume: fromMinor(t.volumeMinor ?? 0, t.currency),
          earned: fromMinor(t.earnedMinor ?? 0, t.currency),
        });
      }
    }
    return totals;
  }
}
