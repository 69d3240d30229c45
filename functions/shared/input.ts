import * as z from 'zod';
import { CurrencySchema, Dec, DecimalStringSchema, minorUnits } from './money.js';

/**
 * Building blocks for input at the edge, shared by every module's model and by the GraphQL input
 * guard: ids, bounded text, e-mail addresses, dates within a sane range and money with the scale
 * of its currency. A value that passed these can go into a key or a number without surprises.
 */

/** What an id may contain: the characters a key segment allows, never the `#` separator or `/`. */
export const ID_PATTERN = /^[A-Za-z0-9_.:@+-]{1,100}$/;
export const ID_MESSAGE = 'must be an id: 1–100 letters, digits or _ . : @ + -';

/** True when a value can be used as an id in a key (see {@link ID_PATTERN}). */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** An id of one of our items (or a tenant, a user): shape and length checked before any key is built. */
export const IdSchema = z.string().trim().min(1, 'is required').regex(ID_PATTERN, ID_MESSAGE);

/** Required text, trimmed, at most `max` characters. */
export const text = (max: number) => z.string().trim().min(1, 'is required').max(max, 'is too long');
/** Optional text, trimmed, at most `max` characters. */
export const optionalText = (max: number) => z.string().trim().max(max, 'is too long').nullish();

/** RFC 5321 limits an address to 254 characters; anything longer cannot be delivered (or keyed). */
export const EMAIL_MAX = 254;
export const EmailSchema = z
  .string()
  .trim()
  .max(EMAIL_MAX, `must be at most ${EMAIL_MAX} characters`)
  .toLowerCase()
  .pipe(z.email('must be an e-mail address'));

/**
 * Calendar dates the book accepts: 1900-01-01 to 2100-12-31. Wider dates are typing errors
 * (9999-12-31 would open ledger period 9999-12); README documents the range.
 */
export const DATE_MIN = '1900-01-01';
export const DATE_MAX = '2100-12-31';
export const DATE_RANGE_MESSAGE = `must be between ${DATE_MIN} and ${DATE_MAX}`;

/** True when an ISO date (or the date part of an instant) lies within {@link DATE_MIN}..{@link DATE_MAX}. */
export function isDateInRange(isoDate: string): boolean {
  const day = isoDate.slice(0, 10);
  return day >= DATE_MIN && day <= DATE_MAX;
}

export const IsoDateSchema = z.iso
  .date('must be a date YYYY-MM-DD')
  .refine(isDateInRange, DATE_RANGE_MESSAGE);

/**
 * Amounts stay below one billion in any currency: in minor units (up to 3 digits) every amount,
 * and any sum of up to a million of them, stays an exact JavaScript integer, so no counter or
 * accrual can overflow.
 */
export const AMOUNT_LIMIT = '1000000000';
export const AMOUNT_LIMIT_MESSAGE = 'must be less than 1,000,000,000 in absolute value';

/**
 * True when |amount| < {@link AMOUNT_LIMIT}. Zod runs every check of a field even after its format
 * check failed, so text that is no decimal passes here and is reported by that format check.
 */
export function isAmountInRange(amount: string): boolean {
  if (!DecimalStringSchema.safeParse(amount).success) return true;
  return new Dec(amount.trim()).abs().lt(AMOUNT_LIMIT);
}

/** A decimal amount within {@link AMOUNT_LIMIT} (scale is checked where the currency is known). */
export const AmountSchema = DecimalStringSchema.refine(isAmountInRange, AMOUNT_LIMIT_MESSAGE);

/** Digits after the decimal point of a decimal literal. */
function scaleOf(amount: string): number {
  const dot = amount.indexOf('.');
  return dot === -1 ? 0 : amount.length - dot - 1;
}

/**
 * True when the amount has no more fraction digits than its currency's minor unit, ignoring
 * trailing zeros (`0.10` EUR is fine, `0.001` EUR is refused, never rounded to 0.00).
 */
export function fitsCurrencyScale(amount: string, currency: string): boolean {
  if (!DecimalStringSchema.safeParse(amount).success) return true; // reported by the format check
  let digits: number;
  try {
    digits = minorUnits(currency);
  } catch {
    return true; // an unknown currency is reported on its own field
  }
  return scaleOf(new Dec(amount.trim()).toFixed()) <= digits;
}

export function scaleMessage(currency: string): string {
  let digits = 2;
  try {
    digits = minorUnits(currency);
  } catch {}
  return `must have at most ${digits} decimal places for ${currency}`;
}

/**
 * Adds a field error at `path` when `amount` has more decimals than `currency` allows; for inputs
 * that carry the currency apart from the amount (invoices, payments).
 */
export function checkScale(
  ctx: z.RefinementCtx,
  amount: string | null | undefined,
  currency: string,
  path: (string | number)[],
): void {
  if (amount && DecimalStringSchema.safeParse(amount).success && !fitsCurrencyScale(amount, currency)) {
    ctx.addIssue({ code: 'custom', path, message: scaleMessage(currency) });
  }
}

/** Money as input: a bounded amount with no more decimals than its currency has. */
export const MoneyInputSchema = z
  .object({ amount: AmountSchema, currency: CurrencySchema })
  .superRefine((m, ctx) => checkScale(ctx, m.amount, m.currency, ['amount']));

/** A calendar month YYYY-MM within the date range (ledger periods, statements, reports). */
export const PeriodSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM')
  .refine((p) => isDateInRange(`${p}-01`), DATE_RANGE_MESSAGE);

/** Standard base64 (RFC 4648 §4) with padding; line breaks a mail client may add are tolerated. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A file sent as base64: refused unless it is well-formed base64 of at least one byte, so garbage
 * never decodes silently into an empty import. `maxLength` bounds the encoded text.
 */
export const base64File = (maxLength: number) =>
  z
    .string()
    .min(1, 'is required')
    .max(maxLength, 'is too large: split the file')
    .transform((v) => v.replace(/[\r\n]/g, ''))
    .refine((v) => v.length > 0 && BASE64.test(v), 'is not base64');

/** True when the bytes start as an XLSX (a ZIP container) does. */
export function looksLikeXlsx(content: Uint8Array): boolean {
  return content[0] === 0x50 && content[1] === 0x4b && content[2] === 0x03 && content[3] === 0x04;
}

/** True when the bytes are text: valid UTF-8 with no NUL byte (binary files contain NULs). */
export function looksLikeText(content: Uint8Array): boolean {
  if (content.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content);
    return true;
  } catch {
    return false;
  }
}

/** Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Makes a cell safe to open in a spreadsheet: text that starts like a formula gets a leading `'`,
 * so `=HYPERLINK(…)` shows as text instead of running. Plain numbers (`-12.50`) stay as they are.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}
