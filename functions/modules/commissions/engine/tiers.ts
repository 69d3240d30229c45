import { Dec } from '../../../shared/money.js';
import type { Tier, TierTable } from './scheme.model.js';

const HUNDRED = new Dec(100);

/** One slice of a volume paid at one tier's rate. */
export interface TierSlice {
  tierIndex: number;
  portion: Dec;
  rate: string;
}

/** The unrounded result of a tier table on one volume, with what is needed to explain it. */
export interface TierResult {
  /** Unrounded: rounding happens once, at the line. */
  amount: Dec;
  /** Index of the tier the volume reached under the table's boundary rule. */
  tierIndex: number;
  /** The reached tier's rate (the rate paid on the whole volume under WHOLE_AMOUNT). */
  rate: string;
  slices: TierSlice[];
}

/**
 * Which tier a volume falls in. LOWER_INCLUSIVE reads a tier as [from, to): an exact boundary value
 * belongs to the upper tier. UPPER_INCLUSIVE reads (from, to]: it stays in the lower tier. Zero is
 * always in the first tier, and a volume beyond a closed last tier stays in the last tier, because
 * a table that stops is read as "the top rate from here on" rather than "nothing".
 */
export function tierIndexOf(table: TierTable, volume: Dec): number {
  const v = volume.abs();
  for (let i = 0; i < table.tiers.length; i += 1) {
    const t = table.tiers[i] as Tier;
    if (t.to === undefined) return i;
    const inside = table.boundary === 'LOWER_INCLUSIVE' ? v.lt(t.to) : v.lte(t.to);
    if (inside) return i;
  }
  return table.tiers.length - 1;
}

/**
 * Evaluates a tier table on a volume. MARGINAL pays each slice of the volume at its own tier's rate;
 * WHOLE_AMOUNT pays all of it at the rate of the tier reached. A negative volume (a premium that fell)
 * gives the negated result of its absolute value, so a reversal mirrors the original exactly.
 */
export function evaluateTiers(table: TierTable, volume: Dec): TierResult {
  const negative = volume.isNegative() && !volume.isZero();
  const v = volume.abs();
  const tierIndex = tierIndexOf(table, v);
  const reached = table.tiers[tierIndex] as Tier;
  let amount: Dec;
  let slices: TierSlice[];
  if (table.mode === 'WHOLE_AMOUNT') {
    amount = v.times(reached.rate).div(HUNDRED);
    slices = [{ tierIndex, portion: v, rate: reached.rate }];
  } else {
    slices = [];
    amount = new Dec(0);
    table.tiers.forEach((t, i) => {
      const last = i === table.tiers.length - 1;
      const upper = t.to === undefined || last ? v : Dec.min(v, t.to);
      const portion = upper.minus(t.from);
      if (portion.gt(0)) {
        slices.push({ tierIndex: i, portion, rate: t.rate });
        amount = amount.plus(portion.times(t.rate).div(HUNDRED));
      }
    });
  }
  return { amount: negative ? amount.negated() : amount, tierIndex, rate: reached.rate, slices };
}
