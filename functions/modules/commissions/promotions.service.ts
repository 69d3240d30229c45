import type { PromotionRecord, RateGroupHistory, RateGroupStanding } from './commission-lookups.js';
import { promotionFor, type Scheme, usesPromotions } from './engine/index.js';
import type { LedgerRepository } from './ledger.repository.js';

/** What a premium record tells promotions: whose production grew, in which month and currency. */
export interface PremiumRecord {
  sellerId: string;
  /** The record's date (written date, an endorsement's effective date): its month is the period. */
  date: string;
  currency: string;
}

/** The group a user is in on a date: the latest membership starting on or before it. */
function groupOn(memberships: readonly RateGroupStanding[], date: string): string | null {
  let best: RateGroupStanding | undefined;
  for (const m of memberships) if (m.from <= date && (best === undefined || m.from > best.from)) best = m;
  return best?.rateGroupId ?? null;
}

/**
 * Automatic promotion, run by the stream consumer after it booked a premium record (and counted the
 * record into the seller's production for the month). It reads the month's production as counted —
 * this record's share included whether counted now or on an earlier delivery — and the seller's
 * rate-group history, asks the engine for the promotion due, and records it as a membership from
 * the first day of the next month under an id derived from the rule and the month: a replayed record
 * reaches the same decision and finds the membership there, so it promotes once.
 */
export class Promotions {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly history: RateGroupHistory,
  ) {}

  /** The promotion recorded for this record, or null when none was due or it was recorded before. */
  async afterPremium(
    tenantId: string,
    schemes: readonly Scheme[],
    record: PremiumRecord,
  ): Promise<PromotionRecord | null> {
    if (!usesPromotions(schemes)) return null;
    const period = record.date.slice(0, 7);
    const written = await this.ledger.getOwnProduction(tenantId, record.sellerId, period, record.currency);
    const memberships = await this.history.memberships(tenantId, record.sellerId);
    const decision = promotionFor(schemes, {
      date: record.date,
      currency: record.currency,
      rateGroupId: groupOn(memberships, record.date),
      written,
    });
    if (decision === null || groupOn(memberships, decision.from) === decision.toRateGroupId) return null;
    const promoted: PromotionRecord = {
      userId: record.sellerId,
      rateGroupId: decision.toRateGroupId,
      from: decision.from,
      promotion: {
        schemeId: decision.schemeId,
        ruleId: decision.ruleId,
        rateGroupName:
          (await this.history.rateGroupName(tenantId, decision.toRateGroupId)) ?? decision.toRateGroupId,
        period: decision.period,
        written: decision.written,
        threshold: decision.threshold,
        currency: decision.currency,
      },
    };
    const id = `promotion-${decision.schemeId}-${decision.ruleId}-${decision.period}`;
    return (await this.history.recordPromotion(tenantId, promoted, id)) ? promoted : null;
  }
}
