import * as z from 'zod';
import { IdSchema, PeriodSchema } from '../../shared/input.js';
import { Dec, type Money, money } from '../../shared/money.js';

/** How a receipt was recognised as an insurer's: its payer account, the insurer's payment reference, or a person. */
export type SettlementMatch = 'IBAN' | 'REFERENCE' | 'MANUAL';

/** The part of a commission month a receipt settles, and what the month still lacks after it. */
export interface SettlementAllocation {
  period: string;
  /** Settled by this receipt. */
  amount: Money;
  /** The month's commission receivable from the insurer (RECEIVABLE lines, clawbacks netted). */
  receivable: Money;
  /** Settled by earlier receipts. */
  settledBefore: Money;
  /** Still open after this receipt: receivable − settledBefore − amount. */
  openAfter: Money;
}

/**
 * Money an insurer paid the brokerage against its commission receivable: a bank-statement row (or a
 * queued one a person matched), split over the insurer's commission months it settles; what exceeds
 * the open receivable is `unallocated` (held in suspense until explained).
 */
export interface InsurerSettlement {
  /** The bank row's payment id (`bank-<importId>-<row>`): the same row recorded again is a duplicate. */
  id: string;
  insurerId: string;
  receivedDate: string;
  amount: Money;
  allocations: SettlementAllocation[];
  unallocated: Money;
  explanation: string;
  matchedBy: SettlementMatch;
  importId: string;
  row: number;
  reference: string | null;
  payer: string | null;
  payerIban: string | null;
  recordedBy: string;
  recordedAt: string;
  version: number;
}

/** A bank-statement row as settlement records it (the invoices module's import hands it over). */
export interface BankReceipt {
  id: string;
  importId: string;
  row: number;
  receivedDate: string;
  amount: Money;
  reference: string | null;
  payer: string | null;
  payerIban: string | null;
  by: string;
}

/** A person matches a queued bank row to an insurer (and, when the reference does not say, its months). */
export const MatchInsurerSettlementSchema = z.object({
  unmatchedId: z.string().trim().min(1, 'is required').max(200, 'is too long'),
  insurerId: IdSchema,
  periods: z.array(PeriodSchema).max(24, 'has more than 24 months').nullish(),
});

/**
 * The commission months a payment reference names: `2026-03`, `2026/03`, `03/2026`, `03-2026`,
 * `3.2026`, in order of appearance, without repeats.
 */
export function periodsNamedIn(text: string | null | undefined): string[] {
  if (!text) return [];
  const found: Array<[number, string]> = [];
  for (const m of text.matchAll(/(?<![\d])(20\d{2})[-/.](0[1-9]|1[0-2])(?![\d])/g)) {
    found.push([m.index, `${m[1]}-${m[2]}`]);
  }
  for (const m of text.matchAll(/(?<![\d./-])(0?[1-9]|1[0-2])[-/.](20\d{2})(?![\d])/g)) {
    found.push([m.index, `${m[2]}-${(m[1] as string).padStart(2, '0')}`]);
  }
  return [...new Set(found.sort((a, b) => a[0] - b[0]).map(([, p]) => p))];
}

/** Settles months in the order given, each up to what is open; the rest of the amount is unallocated. */
export function allocate(
  amount: string,
  months: ReadonlyArray<{ period: string; open: string }>,
): { allocations: Array<{ period: string; amount: string }>; unallocated: string } {
  let rest = new Dec(amount);
  const allocations: Array<{ period: string; amount: string }> = [];
  for (const month of months) {
    const open = new Dec(month.open);
    if (rest.lte(0) || open.lte(0)) continue;
    const take = Dec.min(rest, open);
    allocations.push({ period: month.period, amount: take.toFixed() });
    rest = rest.minus(take);
  }
  return { allocations, unallocated: rest.toFixed() };
}

/** The months `count` back from `period`, oldest first, `period` included. */
export function monthsUpTo(period: string, count: number): string[] {
  const [y = 0, m = 1] = period.split('-').map(Number);
  const out: string[] = [];
  for (let back = count - 1; back >= 0; back--) {
    const total = y * 12 + (m - 1) - back;
    out.push(`${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

/** Words for the journal and the reader: what was received, what it settled and what stays open. */
export function explainSettlement(
  s: Pick<InsurerSettlement, 'amount' | 'receivedDate' | 'allocations' | 'unallocated' | 'matchedBy'>,
  insurerName: string,
): string {
  const cur = s.amount.currency;
  const how = { IBAN: 'by its account', REFERENCE: 'by its payment reference', MANUAL: 'by hand' }[
    s.matchedBy
  ];
  const parts = [`${s.amount.amount} ${cur} from ${insurerName} on ${s.receivedDate} (matched ${how})`];
  for (const a of s.allocations) {
    parts.push(
      `settles ${a.amount.amount} of ${a.period} (receivable ${a.receivable.amount}, settled before ${a.settledBefore.amount}); ${a.openAfter.amount} ${cur} of ${a.period} stays open`,
    );
  }
  if (!new Dec(s.unallocated.amount).isZero()) {
    parts.push(
      `${s.unallocated.amount} ${cur} is beyond the open commission receivable and is held in suspense until explained`,
    );
  }
  return parts.join('; ');
}

/** Zero in a currency, as stored. */
export const zero = (currency: string): Money => money(0, currency);
