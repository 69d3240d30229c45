import { Dec } from '../../../shared/money.js';
import { versionInForce } from './engine.js';
import type { Scheme } from './scheme.model.js';

/** A promotion a month's production earned: who joins which group from when, and why. */
export interface PromotionDecision {
  schemeId: string;
  ruleId: string;
  fromRateGroupId: string;
  toRateGroupId: string;
  /** First day of the month after `period`. */
  from: string;
  /** The month (`YYYY-MM`) whose personal production passed the threshold. */
  period: string;
  /** The production of the month, in `currency`. */
  written: string;
  threshold: string;
  currency: string;
}

/** Whether any scheme version defines a promotion rule (the consumer reads production only then). */
export function usesPromotions(schemes: readonly Scheme[]): boolean {
  return schemes.some((s) => s.versions.some((v) => (v.promotions ?? []).length > 0));
}

/** `2026-02` → `2026-03-01`; December rolls over to January of the next year. */
export function nextMonthStart(period: string): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/**
 * The promotion an advisor's production earns on `date`: the first promotion rule, of the scheme
 * versions in force on that date in the production's currency, that promotes from the advisor's
 * group on that date and whose threshold the month's production reaches (exact decimals, ≥). Null
 * when none applies. Pure, so a replayed record reaches the same decision.
 */
export function promotionFor(
  schemes: readonly Scheme[],
  p: { date: string; currency: string; rateGroupId: string | null; written: string },
): PromotionDecision | null {
  if (p.rateGroupId === null) return null;
  const period = p.date.slice(0, 7);
  for (const scheme of schemes) {
    if (scheme.currency !== p.currency) continue;
    const version = versionInForce(scheme, p.date);
    const rule = version?.promotions?.find((r) => r.fromRateGroupId === p.rateGroupId);
    if (rule === undefined || new Dec(p.written).lt(rule.minPersonalPremium)) continue;
    return {
      schemeId: scheme.id,
      ruleId: rule.id,
      fromRateGroupId: rule.fromRateGroupId,
      toRateGroupId: rule.toRateGroupId,
      from: nextMonthStart(period),
      period,
      written: p.written,
      threshold: rule.minPersonalPremium,
      currency: p.currency,
    };
  }
  return null;
}
