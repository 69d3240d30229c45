import { Dec, money } from '../../shared/money.js';
import type { InsurerSettlement } from './insurer-settlement.model.js';
import type { AccountRole, ChartAccount, JournalEntry, JournalLine } from './journal.model.js';
import type { IssuedInvoice, PayoutLine, ReceivedPayment } from './ports.js';
import type { CommissionPayout, PayoutPayment } from './settlement.model.js';

/**
 * Journal entries built from what the product records: pure functions, data in, balanced entries
 * out. Each entry is one debit and one or more credits (or the reverse for a negative amount, so
 * every figure in the file is positive) and carries the ids of what it came from.
 */

type Codes = (role: AccountRole) => string;

export function codesOf(chart: readonly ChartAccount[]): Codes {
  const byRole = new Map(chart.map((a) => [a.role, a.code]));
  return (role) => byRole.get(role) ?? role;
}

/** Debits `debitRole` and credits the parts; a negative total swaps the sides. */
function lines(
  codes: Codes,
  currency: string,
  debitRole: AccountRole,
  credits: Array<[AccountRole, string]>,
): JournalLine[] {
  const total = credits.reduce((s, [, amount]) => s.plus(amount), new Dec(0));
  const negative = total.isNegative();
  const side = (role: AccountRole, amount: Dec, debit: boolean): JournalLine => {
    const value = money(amount.abs(), currency).amount;
    const zero = money(0, currency).amount;
    return {
      account: codes(role),
      role,
      debit: debit ? value : zero,
      credit: debit ? zero : value,
      currency,
    };
  };
  return [
    side(debitRole, total, !negative),
    ...credits.filter(([, a]) => !new Dec(a).isZero()).map(([role, a]) => side(role, new Dec(a), negative)),
  ];
}

const LEDGER_ROLES: Record<string, [AccountRole, AccountRole]> = {
  RECEIVABLE: ['COMMISSION_RECEIVABLE', 'COMMISSION_INCOME'],
  ADVISOR: ['ADVISOR_COMMISSION_EXPENSE', 'ADVISOR_PAYABLE'],
  PARTNER: ['PARTNER_COMMISSION_EXPENSE', 'PARTNER_PAYABLE'],
};

/**
 * A commission line: receivable booked (receivable / income), advisor or partner commission
 * (expense / payable); clawbacks and adjustments are lines too, negative ones reverse the sides.
 */
export function commissionLineEntry(codes: Codes, line: PayoutLine): JournalEntry | null {
  const roles = LEDGER_ROLES[line.ledger];
  if (!roles || new Dec(line.amount).isZero()) return null;
  return {
    id: `cline-${line.id}`,
    date: bookingDate(line),
    kind: `COMMISSION_${line.kind ?? 'LINE'}`,
    description:
      `${line.ledger} commission ${line.kind ?? ''} for ${line.recipient.kind} ${line.recipient.id}`.replace(
        /\s+/g,
        ' ',
      ),
    source: {
      type: 'CommissionLine',
      id: line.id,
      refs: {
        ledger: line.ledger,
        ...(line.policyId ? { policyId: line.policyId } : {}),
        period: line.period ?? '',
      },
    },
    lines: lines(codes, line.currency, roles[0], [[roles[1], line.amount]]),
  };
}

/**
 * A line is booked in its commission month: on the day it was written when that falls in the month,
 * else on the month's first day (written before it) or last day (written after it, e.g. a policy
 * entered late or a correction landing in a later open month).
 */
export function bookingDate(line: Pick<PayoutLine, 'createdAt' | 'period'>): string {
  const written = (line.createdAt ?? '').slice(0, 10);
  if (!line.period) return written;
  const first = `${line.period}-01`;
  const [y = 0, m = 1] = line.period.split('-').map(Number);
  const last = `${line.period}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
  return written < first ? first : written > last ? last : written;
}

export function paymentEntry(codes: Codes, p: ReceivedPayment): JournalEntry | null {
  if (new Dec(p.amount.amount).isZero()) return null;
  return {
    id: `payment-${p.id}`,
    date: p.paidDate,
    kind: new Dec(p.amount.amount).isNegative() ? 'PAYMENT_REVERSED' : 'PAYMENT_RECEIVED',
    description: `Payment of invoice ${p.invoiceId}`,
    source: { type: 'Payment', id: p.id, refs: { invoiceId: p.invoiceId, clientId: p.clientId } },
    lines: lines(codes, p.amount.currency, 'BANK', [
      ['CLIENT_RECEIVABLES', p.applied.amount],
      ['CLIENT_CREDIT', p.credited.amount],
    ]),
  };
}

/**
 * An invoice issued: the client owes its total (client receivables), against the premium the
 * brokerage collects for the insurer when it bills a policy's instalment, else the brokerage's own
 * fee income. No VAT line: insurance mediation is exempt (EU VAT Directive, art. 135(1)(a)).
 */
export function invoiceEntry(codes: Codes, invoice: IssuedInvoice): JournalEntry | null {
  if (new Dec(invoice.total.amount).isZero()) return null;
  const premium = invoice.policyId !== null;
  return {
    id: `invoice-${invoice.invoiceId}`,
    date: invoice.issueDate,
    kind: premium ? 'INVOICE_PREMIUM' : 'INVOICE_FEE',
    description: `Invoice ${invoice.number}`,
    source: {
      type: 'Invoice',
      id: invoice.invoiceId,
      refs: {
        number: invoice.number,
        clientId: invoice.clientId,
        ...(invoice.policyId ? { policyId: invoice.policyId } : {}),
        ...(invoice.insurerId ? { insurerId: invoice.insurerId } : {}),
      },
    },
    lines: lines(codes, invoice.total.currency, 'CLIENT_RECEIVABLES', [
      [premium ? 'PREMIUM_PAYABLE' : 'FEE_INCOME', invoice.total.amount],
    ]),
  };
}

/** A transfer of a paid payout batch: the payable is settled from the bank. */
export function payoutEntry(codes: Codes, payout: CommissionPayout, payment: PayoutPayment): JournalEntry {
  const payable: AccountRole = payout.ledger === 'PARTNER' ? 'PARTNER_PAYABLE' : 'ADVISOR_PAYABLE';
  const amount = new Dec(payment.amount.amount);
  return {
    id: `payout-${payout.id}-${payment.endToEndId}`,
    date: (payout.paidAt ?? payout.executionDate).slice(0, 10),
    kind: 'COMMISSION_PAYOUT',
    description: `Commission payout ${payout.period} to ${payment.name}`,
    source: {
      type: 'CommissionPayout',
      id: payout.id,
      refs: {
        endToEndId: payment.endToEndId,
        recipient: `${payment.recipient.kind}:${payment.recipient.id}`,
        lineIds: payment.lineIds,
      },
    },
    // Debit the payable, credit the bank.
    lines: lines(codes, payment.amount.currency, payable, [['BANK', amount.toFixed()]]),
  };
}

/**
 * Commission an insurer paid (receivable settled): the bank against the commission receivable of each
 * month it settles; what exceeds the open receivable is credited to suspense until explained. What a
 * month still lacks stays in the receivable, named in `refs.openAfter`.
 */
export function insurerSettlementEntry(codes: Codes, s: InsurerSettlement): JournalEntry {
  return {
    id: `settled-${s.id}`,
    date: s.receivedDate,
    kind: 'COMMISSION_SETTLED',
    description: s.explanation.slice(0, 500),
    source: {
      type: 'InsurerSettlement',
      id: s.id,
      refs: {
        insurerId: s.insurerId,
        periods: s.allocations.map((a) => a.period),
        openAfter: s.allocations.map((a) => `${a.period}:${a.openAfter.amount}`),
        unallocated: s.unallocated.amount,
        importId: s.importId,
        row: String(s.row),
      },
    },
    lines: lines(codes, s.amount.currency, 'BANK', [
      ...s.allocations.map((a): [AccountRole, string] => ['COMMISSION_RECEIVABLE', a.amount.amount]),
      ['COMMISSION_SUSPENSE', s.unallocated.amount],
    ]),
  };
}

/** Whether each currency's debits equal its credits over the given lines. */
export function balances(
  entryLines: readonly JournalLine[],
): Array<{ currency: string; debit: string; credit: string }> {
  const sums = new Map<string, { debit: Dec; credit: Dec }>();
  for (const l of entryLines) {
    const s = sums.get(l.currency) ?? { debit: new Dec(0), credit: new Dec(0) };
    sums.set(l.currency, { debit: s.debit.plus(l.debit), credit: s.credit.plus(l.credit) });
  }
  return [...sums]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, s]) => ({
      currency,
      debit: money(s.debit, currency).amount,
      credit: money(s.credit, currency).amount,
    }));
}

/** The CSV columns: one row per journal line. */
export const JOURNAL_CSV_COLUMNS = [
  'entryId',
  'date',
  'kind',
  'account',
  'role',
  'debit',
  'credit',
  'currency',
  'sourceType',
  'sourceId',
  'description',
] as const;
