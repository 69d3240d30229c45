import { Dec, minorUnits } from '../../../shared/money.js';
import type { TierResult } from './tiers.js';
import type { HierarchyFact, RateGroupPromotionFact } from './types.js';

/**
 * Formula text for ledger lines. An advisor or an insurer's clerk must be able to redo every line
 * with a pocket calculator, so the text shows the base, the rate or tier, the rule and version, and
 * the result, e.g. `2,000.00 × 15% (MTPL receivable, v3) = 300.00`. Locale-neutral on purpose:
 * the text is stored on the line and read by people in any locale and by tests.
 */

/** An amount with thousands separators and the currency's minor-unit digits (`2,000.00`). */
export function formatAmount(value: Dec | string, currency: string): string {
  const d = new Dec(value);
  const fixed = d.abs().toFixed(minorUnits(currency));
  const [whole = '0', fraction] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = d.isNegative() && !d.isZero() ? '-' : '';
  return `${sign}${grouped}${fraction === undefined ? '' : `.${fraction}`}`;
}

/** A percent without trailing zeros (`15%`, `2.5%`). */
export function formatRate(rate: Dec | string): string {
  return `${new Dec(rate).toFixed()}%`;
}

/** The rule reference written in brackets after a formula. */
export function ruleLabel(ruleName: string, schemeVersion: number, level?: number): string {
  return level !== undefined && level > 0
    ? `(${ruleName}, v${schemeVersion}, override level ${level})`
    : `(${ruleName}, v${schemeVersion})`;
}

/** `10,000.00: 5,000.00 × 5% + 5,000.00 × 7%` for marginal, `10,000.00 × 7% (tier 2)` for whole amount. */
export function tierFormula(volume: Dec, result: TierResult, whole: boolean, currency: string): string {
  if (whole)
    return `${formatAmount(volume, currency)} × ${formatRate(result.rate)} (tier ${result.tierIndex + 1})`;
  const parts = result.slices.map((s) => `${formatAmount(s.portion, currency)} × ${formatRate(s.rate)}`);
  return `${formatAmount(volume, currency)}: ${parts.length === 0 ? '0' : parts.join(' + ')}`;
}

/**
 * `rate group SENIOR since 2026-03 (promoted: 52,000.00 EUR written in 2026-02 ≥ 50,000.00)` for a
 * hierarchy member whose rate group (frozen on the policy) came from a promotion; null otherwise.
 */
export function promotionNote(fact: Pick<HierarchyFact, 'rateGroupPromotion'>): string | null {
  const p: RateGroupPromotionFact | null | undefined = fact.rateGroupPromotion;
  if (!p) return null;
  return `rate group ${p.rateGroupName} since ${p.from.slice(0, 7)} (promoted: ${formatAmount(p.written, p.currency)} ${p.currency} written in ${p.period} ≥ ${formatAmount(p.threshold, p.currency)})`;
}
