import { Dec, minorUnits } from '../../shared/money.js';

/** An amount in the currency's minor unit as an exact integer (300.00 EUR → 30000). */
export function toMinor(amount: string, currency: string): number {
  const minor = new Dec(amount).times(new Dec(10).pow(minorUnits(currency)));
  if (!minor.isInteger()) throw new RangeError(`${amount} ${currency} is not rounded to the minor unit`);
  // Amounts are bounded at the edge (AMOUNT_LIMIT) so this holds; an ADD beyond 2^53 would lose cents.
  if (!minor.abs().lte(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`${amount} ${currency} is too large to count exactly`);
  return minor.toNumber();
}

/** Minor units back to a decimal string with the currency's digits. */
export function fromMinor(minor: number, currency: string): string {
  const digits = minorUnits(currency);
  return new Dec(minor).div(new Dec(10).pow(digits)).toFixed(digits);
}
