import Decimal from 'decimal.js';
import * as z from 'zod';

/**
 * Exact money. Amounts are decimal strings (never binary floating point) computed with a private
 * decimal.js constructor; every amount carries its ISO-4217 currency. Rounding to the currency's
 * minor unit is half-even ("banker's rounding") and is named on every rounded line.
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });
export type Dec = Decimal;

export const ROUNDING_RULE = 'HALF_EVEN';

/** A decimal literal as a string: optional sign, digits, optional fraction. No exponents, no floats. */
export const DecimalStringSchema = z
  .string()
  .trim()
  .regex(/^-?\d{1,15}(\.\d{1,10})?$/, 'must be a decimal number such as 1234.50');

export const CurrencySchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, 'must be a three-letter ISO-4217 currency code')
  .refine((code) => minorUnitsOrUndefined(code) !== undefined, 'is not a known ISO-4217 currency');

export interface Money {
  /** Decimal string, always written with the currency's minor-unit digits (e.g. "300.00"). */
  amount: string;
  currency: string;
}

/**
 * ISO-4217 codes the runtime knows. `Intl.NumberFormat` alone accepts any well-formed code (it
 * formats `XYZ` with 2 digits), so membership is checked against this list.
 */
const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** Minor-unit digits per known currency, found once: building an Intl.NumberFormat costs tens of µs. */
const MINOR_UNITS = new Map<string, number | undefined>();

function minorUnitsOrUndefined(currency: string): number | undefined {
  if (!KNOWN_CURRENCIES.has(currency)) return undefined;
  if (MINOR_UNITS.has(currency)) return MINOR_UNITS.get(currency);
  let digits: number | undefined;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits;
  } catch {
    digits = undefined;
  }
  MINOR_UNITS.set(currency, digits);
  return digits;
}

/** Digits after the decimal point in the currency's minor unit (EUR 2, JPY 0, BHD 3). */
export function minorUnits(currency: string): number {
  const digits = minorUnitsOrUndefined(currency);
  if (digits === undefined) throw new RangeError(`Unknown currency ${currency}`);
  return digits;
}

/** Rounds half-even to the currency's minor unit and returns it as Money. */
export function money(amount: Decimal.Value, currency: string): Money {
  const digits = minorUnits(currency);
  return {
    amount: new Dec(amount).toDecimalPlaces(digits, Decimal.ROUND_HALF_EVEN).toFixed(digits),
    currency,
  };
}

export function addMoney(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(new Dec(a.amount).plus(b.amount), a.currency);
}

export function negateMoney(a: Money): Money {
  return money(new Dec(a.amount).negated(), a.currency);
}

export function isZero(a: Money): boolean {
  return new Dec(a.amount).isZero();
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new RangeError(`Cannot combine ${a.currency} and ${b.currency}`);
  }
}

/** Parses a user-supplied decimal string, refusing anything that is not a plain decimal literal. */
export function parseDecimal(value: string): Decimal {
  const parsed = DecimalStringSchema.safeParse(value);
  if (!parsed.success) throw new RangeError(`Not a decimal: ${value}`);
  return new Dec(parsed.data);
}
