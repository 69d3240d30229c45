import type { TableChangeDetail } from '../../shared/change-event.js';
import { readOnce } from '../../shared/memoized-reads.js';
import { Dec } from '../../shared/money.js';
import { EntityType } from '../../shared/table-design.js';
import { paymentImage, policyImage } from './change-images.js';
import { classifyPolicyChange, paymentEventId, policyFacts, toEngineEvent } from './commission-events.js';
import type {
  ClientLookup,
  PaymentRecord,
  PolicyLookup,
  PolicyRecord,
  PromotionRecord,
} from './commission-lookups.js';
import { recipientKey, type StoredScheme } from './commissions.model.js';
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
import { firstOpen, type LedgerWriter } from './ledger-writer.js';
import { fromMinor } from './minor-units.js';
import type { Promotions } from './promotions.service.js';
import type { SchemesRepository } from './schemes.repository.js';

/** What the stream consumer did with one change, for logs and tests. */
export interface ChangeOutcome {
  eventId: string | null;
  written: number;
  duplicates: number;
  /** The automatic promotion this record earned its seller, recorded now (null: none, or recorded before). */
  promoted?: PromotionRecord | null;
}

/**
 * What the records of one stream batch share: each tenant's schemes, read once per batch rather
 * than once per record. A batch is a few seconds of changes; an edit to a scheme during it applies
 * from the next batch, as if the edit had come a moment later.
 */
export class ChangeBatch {
  private readonly schemesOf = new Map<string, Promise<StoredScheme[]>>();

  schemes(tenantId: string, read: () => Promise<StoredScheme[]>): Promise<StoredScheme[]> {
    return readOnce(this.schemesOf, tenantId, read);
  }
}

/** An engine event with the date its lines land by and the policy it is about. */
interface BuiltEvent {
  event: CommissionEvent;
  date: string;
  policy: PolicyRecord;
}

/** The premium an event adds to its seller's personal production: written premium, an endorsement's change. */
function writtenPremium(event: CommissionEvent): Dec | null {
  if (event.type === 'POLICY_WRITTEN') return new Dec(event.policy.premium.amount);
  if (event.type === 'ENDORSED') return new Dec(event.newPremium).minus(event.previousPremium);
  return null;
}

/** The engine's scheme inside a stored one (the engine ignores the bookkeeping fields). */
function engineSchemes(stored: StoredScheme[]): Scheme[] {
  return stored;
}

/**
 * The stream consumer: turns policy and payment writes into ledger lines and accruals. The
 * arithmetic is the engine's; this decides what to feed it and where its lines land.
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
   * Handles one table change (Policy or Payment). Derives the engine event, computes the lines and
   * appends each with its accrual in one transaction on an absent id: a replay finds every id taken
   * and changes nothing.
   */
  async onChange(detail: TableChangeDetail, batch: ChangeBatch = new ChangeBatch()): Promise<ChangeOutcome> {
    const tenantId = detail.tenantId;
    if (!tenantId || !detail.newImage) return { eventId: null, written: 0, duplicates: 0 };
    const built =
      detail.entityType === EntityType.Payment
        ? await this.paymentEvent(tenantId, paymentImage(detail.newImage), detail.eventName)
        : detail.entityType === EntityType.Policy
          ? await this.policyEvent(
              tenantId,
              detail.oldImage ? policyImage(detail.oldImage) : undefined,
              policyImage(detail.newImage),
            )
          : null;
    if (!built) return { eventId: null, written: 0, duplicates: 0 };
    const schemes = engineSchemes(await batch.schemes(tenantId, () => this.schemes.listSchemes(tenantId)));
    const periods = await this.ledger.listPeriods(tenantId);
    const periodTotals = await this.periodTotals(
      tenantId,
      built.event,
      schemes,
      firstOpen(built.date.slice(0, 7), periods),
    );
    const month = built.date.slice(0, 7);
    const qualifying = usesPremiumQualification(schemes);
    const personalPremium = qualifying
      ? await this.ledger.getProduction(
          tenantId,
          built.event.policy.hierarchy.filter((h) => h.level > 0).map((h) => h.userId),
          month,
          built.event.policy.premium.currency,
        )
      : undefined;
    const computed = computeCommissionLines({ event: built.event, schemes, periodTotals, personalPremium });
    const lines = qualifying ? await this.withoutTakenLevels(tenantId, built.event, computed) : computed;
    const written = writtenPremium(built.event);
    const sellerId =
      built.event.policy.hierarchy.find((h) => h.level === 0)?.userId ?? built.event.policy.sellerId;
    const production =
      written === null || written.isZero()
        ? []
        : this.ledger.productionOps(tenantId, {
            userId: sellerId,
            period: month,
            currency: built.event.policy.premium.currency,
            amount: written.toFixed(),
            eventId: built.event.eventId,
          });
    const outcome = await this.writer.appendAll(tenantId, lines, built.date, {
      production,
      adjustment: null,
      ref: {
        insurerId: built.policy.insurerId,
        policyNumber: built.policy.policyNumber,
        clientId: built.policy.clientId,
      },
      periods,
    });
    const promoted = written?.gt(0)
      ? await this.promotions.afterPremium(tenantId, schemes, {
          sellerId,
          date: built.date,
          currency: built.event.policy.premium.currency,
        })
      : null;
    return { eventId: built.event.eventId, ...outcome, ...(promoted ? { promoted } : {}) };
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
    const usesPeriodTotals = schemes.some((s) =>
      s.versions.some((v) =>
        v.rules.some((r) => r.computation.type === 'TIERED' && r.computation.table.volume === 'PERIOD_TOTAL'),
      ),
    );
    if (!usesPeriodTotals) return [];
    const policy = event.policy;
    const seller = policy.hierarchy.find((h) => h.level === 0)?.userId ?? policy.sellerId;
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

  private async policyEvent(
    tenantId: string,
    old: PolicyRecord | undefined,
    now: PolicyRecord,
  ): Promise<BuiltEvent | null> {
    const change = classifyPolicyChange(old, now);
    if (!change) return null;
    const client = await this.clients.getClient(tenantId, now.clientId);
    const needsLines = change.type === 'CANCELLED' || change.type === 'REACTIVATED';
    const lines = needsLines ? await this.ledger.listLinesOfPolicy(tenantId, now.id) : [];
    return {
      event: toEngineEvent(change, policyFacts(now, client ?? null), lines),
      date: change.date,
      policy: now,
    };
  }

  private async paymentEvent(
    tenantId: string,
    payment: PaymentRecord,
    eventName: string,
  ): Promise<BuiltEvent | null> {
    if (eventName !== 'INSERT' || !payment.policyId) return null;
    const policy = await this.policies.getPolicy(tenantId, payment.policyId);
    if (!policy || policy.premium.currency !== payment.applied.currency) return null;
    const client = await this.clients.getClient(tenantId, policy.clientId);
    return {
      event: {
        type: 'PAYMENT_RECEIVED',
        eventId: paymentEventId(payment),
        policy: policyFacts(policy, client ?? null),
        amount: payment.applied.amount,
        paidDate: payment.paidDate,
      },
      date: payment.paidDate,
      policy,
    };
  }
}
