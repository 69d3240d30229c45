import * as z from 'zod';
import { addDays, daysBetween } from '../../shared/dates.js';
import {
  AMOUNT_LIMIT_MESSAGE,
  AmountSchema,
  checkScale,
  IdSchema,
  IsoDateSchema,
  isAmountInRange,
  PeriodSchema,
  text,
} from '../../shared/input.js';
import {
  CurrencySchema,
  Dec,
  DecimalStringSchema,
  type Money,
  minorUnits,
  money,
} from '../../shared/money.js';

export const INVOICE_STATUSES = [
  'DRAFT',
  'ISSUED',
  'PARTIALLY_PAID',
  'PAID',
  'OVERDUE',
  'WRITTEN_OFF',
  'CANCELLED',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/** Statuses in which money is still expected: these sit on the card and count towards the balance. */
export const OPEN_STATUSES: readonly InvoiceStatus[] = ['ISSUED', 'PARTIALLY_PAID', 'OVERDUE'];
/** Statuses whose due date the overdue sweep checks. */
export const SWEPT_STATUSES: readonly InvoiceStatus[] = ['ISSUED', 'PARTIALLY_PAID', 'OVERDUE'];

export interface InvoiceLine {
  description: string;
  /** Decimal string; usually "1". */
  quantity: string;
  unitPrice: Money;
  /** quantity × unit price, rounded half-even to the currency's minor unit. */
  total: Money;
}

/**
 * An invoice to a client. It lives in the client's item collection (`A#INVOICE#<id>`) so the client
 * card's one Query reads it; the indexes place it by id, by status and due date, and, while it is
 * overdue, in the debtor lists by advisor, branch, product line and insurer.
 */
export interface Invoice {
  id: string;
  clientId: string;
  clientName: string;
  policyId: string | null;
  /** The instalment's due date when generated from a policy's plan. */
  instalmentDueDate: string | null;
  /** Assigned on issue from the tenant's gapless sequence: `<year>-<seq, 6 digits>`. */
  number: string | null;
  /** The number without separators, as a bank payment reference (variable symbol). */
  reference: string | null;
  currency: string;
  lines: InvoiceLine[];
  total: Money;
  paid: Money;
  outstanding: Money;
  /** Outstanding in integer minor units, so lists can filter by amount without floats. */
  outstandingMinor: number;
  issueDate: string | null;
  dueDate: string;
  status: InvoiceStatus;
  branchId: string;
  regionId: string | null;
  advisorId: string | null;
  productLineId: string | null;
  insurerId: string | null;
  pdfKey: string | null;
  mailedAt: string | null;
  /** Days past due as of {@link overdueAsOf}; written daily by the overdue sweep (that write drives escalation). */
  daysOverdue: number;
  overdueAsOf: string | null;
  /** The last dunning step taken, for the card. */
  dunningStep: string | null;
  note: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const PAYMENT_SOURCES = ['MANUAL', 'BANK_IMPORT', 'INSURER', 'REVERSAL'] as const;
export type PaymentSource = (typeof PAYMENT_SOURCES)[number];

/**
 * A payment applied to an invoice; append-only (a reversal is a new payment with the negated
 * amount). It carries what schemes that earn on paid premium need: policy, amount, currency, the
 * paid date and its period (`YYYY-MM`).
 */
export interface Payment {
  id: string;
  invoiceId: string;
  invoiceNumber: string | null;
  clientId: string;
  policyId: string | null;
  /** What was received (negative for a reversal). */
  amount: Money;
  /** The part that settled the invoice; the rest went to the client's credit. */
  applied: Money;
  credited: Money;
  paidDate: string;
  period: string;
  /** Paid after the invoice's due date. */
  late: boolean;
  source: PaymentSource;
  reference: string | null;
  reversesPaymentId: string | null;
  reversedByPaymentId: string | null;
  advisorId: string | null;
  productLineId: string | null;
  branchId: string;
  /** The invoice's region: region-scoped managers see the payments of their region. */
  regionId: string | null;
  by: string;
  at: string;
  version: number;
}

/** An overpayment kept for the client (or its reversal, negative). */
export interface CreditEntry {
  id: string;
  clientId: string;
  paymentId: string;
  amount: Money;
  at: string;
}

/** A bank-statement row or an insurer's payment no rule matched: waits for a person to pick its invoice. */
export interface UnmatchedPayment {
  id: string;
  /** BANK_IMPORT (a statement row) or INSURER (a `premium.paid` webhook event). */
  source: PaymentSource;
  /** The statement's hash, or `insurer` for insurer payments. */
  importId: string;
  /** The statement row (1-based), 0 for insurer payments. */
  row: number;
  paidDate: string;
  amount: Money;
  reference: string | null;
  payer: string | null;
  reason: string;
  at: string;
}

// ---- dunning -----------------------------------------------------------------------------

export const DUNNING_ACTIONS = ['EMAIL', 'SMS', 'COLLECTOR'] as const;
export type DunningAction = (typeof DUNNING_ACTIONS)[number];

export interface DunningStepRule {
  /** Stable id: the step's record key, so each step happens once per invoice. */
  id: string;
  afterDays: number;
  action: DunningAction;
}

/** A tenant's dunning policy: data, edited by admins and managers through GraphQL. */
export interface DunningPolicy {
  steps: DunningStepRule[];
  /** SMS are not sent between these local times (HH:MM, tenant time zone); start may be after end (overnight). */
  quietHoursStart: string;
  quietHoursEnd: string;
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

export const DEFAULT_DUNNING_POLICY: DunningPolicy = {
  steps: [
    { id: 'reminder', afterDays: 3, action: 'EMAIL' },
    { id: 'sms', afterDays: 10, action: 'SMS' },
    { id: 'collector', afterDays: 30, action: 'COLLECTOR' },
  ],
  quietHoursStart: '20:00',
  quietHoursEnd: '08:00',
  version: 0,
  updatedAt: null,
  updatedBy: null,
};

export const STEP_OUTCOMES = ['PENDING', 'SENT', 'SKIPPED'] as const;
export type StepOutcome = (typeof STEP_OUTCOMES)[number];

/** The record of one dunning step on one invoice, written (conditionally) before anything is sent. */
export interface DunningStepRecord {
  invoiceId: string;
  stepId: string;
  action: DunningAction;
  outcome: StepOutcome;
  reason: string | null;
  daysOverdue: number;
  recordedAt: string;
  completedAt: string | null;
  /** While PENDING: until when the delivery sending it holds it (released at once if sending fails). */
  leaseUntil: string | null;
}

/** A collection task for a person (the collector), with the formal letter that goes with it. */
export interface CollectorTask {
  id: string;
  invoiceId: string;
  invoiceNumber: string | null;
  clientId: string;
  amount: Money;
  letterKey: string | null;
  assigneeId: string | null;
  /** The invoice's branch and region, so scoped managers list only their own tasks. */
  branchId?: string | null;
  regionId?: string | null;
  at: string;
}

// ---- pure rules ----------------------------------------------------------------------------

/** Line total: quantity × unit price, half-even to the currency's minor unit. */
export function lineTotal(quantity: string, unitPrice: Money): Money {
  return money(new Dec(quantity).times(unitPrice.amount), unitPrice.currency);
}

export function sumMoney(amounts: Money[], currency: string): Money {
  return money(
    amounts.reduce((acc, m) => {
      if (m.currency !== currency) throw new RangeError(`Cannot add ${m.currency} to ${currency}`);
      return acc.plus(m.amount);
    }, new Dec(0)),
    currency,
  );
}

/** Integer minor units of an amount (exact: amounts are already rounded to the minor unit). */
export function toMinor(m: Money): number {
  const minor = new Dec(m.amount).times(new Dec(10).pow(minorUnits(m.currency)));
  // Amounts are bounded at the edge (AMOUNT_LIMIT) so this holds; beyond 2^53 a number loses cents.
  if (!minor.abs().lte(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`${m.amount} ${m.currency} is too large to count exactly`);
  return minor.toNumber();
}

/** The status an open invoice has after its paid amount changed. */
export function statusAfterPayment(
  invoice: Pick<Invoice, 'dueDate'>,
  outstanding: Money,
  paid: Money,
  today: string,
): InvoiceStatus {
  if (new Dec(outstanding.amount).lte(0)) return 'PAID';
  if (invoice.dueDate < today) return 'OVERDUE';
  return new Dec(paid.amount).gt(0) ? 'PARTIALLY_PAID' : 'ISSUED';
}

/** How a received amount splits between the invoice and the client's credit. */
export function splitPayment(outstanding: Money, received: Money): { applied: Money; credited: Money } {
  const out = new Dec(outstanding.amount);
  const rec = new Dec(received.amount);
  const applied = Dec.max(0, Dec.min(out, rec));
  return {
    applied: money(applied, received.currency),
    credited: money(rec.minus(applied), received.currency),
  };
}

/** A payment reference compared without spaces, dashes, slashes or case. */
export function normaliseReference(value: string): string {
  return value.replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}

/**
 * The references a bank row's free text may carry, most specific first: the whole text, each word,
 * and its digits alone. Bank statements prefix the reference (`VS 2026000002`, `VS:2026000002`).
 */
export function referenceCandidates(value: string): string[] {
  const candidates = [
    normaliseReference(value),
    ...value.split(/[\s:;,]+/).map(normaliseReference),
    value.replace(/\D/g, ''),
  ];
  return [...new Set(candidates.filter((c) => c.length >= 4))];
}

export function formatInvoiceNumber(year: string, sequence: number): string {
  return `${year}-${String(sequence).padStart(6, '0')}`;
}

/** The steps due at an age, in order, from a policy. */
export function stepsDue(policy: DunningPolicy, daysOverdue: number): DunningStepRule[] {
  return [...policy.steps]
    .sort((a, b) => a.afterDays - b.afterDays)
    .filter((s) => s.afterDays <= daysOverdue);
}

export { inQuietHours, localTimeInZone } from '../../shared/clock.js';

export const AGE_BUCKETS = ['D0_30', 'D31_60', 'D61_90', 'D90_PLUS'] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number];

/** The due-date range (inclusive) of invoices in an overdue age bucket as of `today`. */
export function dueRangeOfBucket(bucket: AgeBucket, today: string): [string, string] {
  const ranges: Record<AgeBucket, [number, number]> = {
    D0_30: [0, 30],
    D31_60: [31, 60],
    D61_90: [61, 90],
    D90_PLUS: [91, 36_500],
  };
  const [minDays, maxDays] = ranges[bucket];
  return [addDays(today, -maxDays), addDays(today, -Math.max(minDays, 1))];
}

/** The first day and last day of a `YYYY-MM` period. */
export function periodRange(period: string): [string, string] {
  return [`${period}-01`, addDays(`${addDays(`${period}-28`, 4).slice(0, 7)}-01`, -1)];
}

/**
 * An invoice's age, the one definition that `daysOverdue`, the aging buckets and the card read: whole
 * days past the due date in the tenant's calendar while the invoice is open (issued, partially paid,
 * overdue), else 0. It is computed from `today`, never read from the stored sweep value, so an invoice
 * cannot show 0 days while its due date puts it in the 31–60 bucket.
 */
export function invoiceAge(invoice: Pick<Invoice, 'status' | 'dueDate'>, today: string): number {
  return OPEN_STATUSES.includes(invoice.status) ? daysOverdueOn(invoice.dueDate, today) : 0;
}

/** The age bucket of an age in days ({@link invoiceAge}); the inverse of {@link dueRangeOfBucket}. */
export function bucketOf(daysOverdue: number): AgeBucket {
  if (daysOverdue <= 30) return 'D0_30';
  if (daysOverdue <= 60) return 'D31_60';
  if (daysOverdue <= 90) return 'D61_90';
  return 'D90_PLUS';
}

export function daysOverdueOn(dueDate: string, today: string): number {
  return Math.max(0, daysBetween(dueDate, today));
}

// ---- input schemas ------------------------------------------------------------------------

const id = IdSchema;
const expectedVersion = z.number().int().min(1);

/** The most units one invoice line may bill; with {@link AmountSchema}'s bound, totals stay exact. */
const MAX_QUANTITY = 1_000_000;

const LineInputSchema = z.object({
  description: text(300),
  quantity: DecimalStringSchema.default('1')
    .refine((q) => new Dec(q).gt(0), 'must be more than 0')
    .refine((q) => new Dec(q).lte(MAX_QUANTITY), `must be at most ${MAX_QUANTITY}`),
  unitPrice: AmountSchema,
});

export const CreateInvoiceSchema = z
  .object({
    clientId: id,
    policyId: id.nullish(),
    currency: CurrencySchema,
    lines: z.array(LineInputSchema).min(1, 'needs at least one line').max(100),
    issueDate: IsoDateSchema.nullish(),
    dueDate: IsoDateSchema,
    note: z.string().trim().max(1000).nullish(),
  })
  .superRefine((v, ctx) => {
    v.lines.forEach((line, i) => {
      checkScale(ctx, line.unitPrice, v.currency, ['lines', i, 'unitPrice']);
    });
    const linesValid = v.lines.every(
      (l) => LineInputSchema.safeParse(l).success && isAmountInRange(l.unitPrice),
    );
    const total = linesValid
      ? v.lines.reduce((sum, l) => sum.plus(new Dec(l.unitPrice).times(l.quantity)), new Dec(0))
      : new Dec(0);
    if (!isAmountInRange(total.toFixed())) {
      ctx.addIssue({ code: 'custom', path: ['lines'], message: `the total ${AMOUNT_LIMIT_MESSAGE}` });
    }
    if (v.issueDate && v.dueDate < v.issueDate) {
      ctx.addIssue({ code: 'custom', path: ['dueDate'], message: 'must not be before the issue date' });
    }
  });
export type CreateInvoiceInput = z.output<typeof CreateInvoiceSchema>;

export const IssueInvoiceSchema = z.object({ id, expectedVersion: expectedVersion.nullish() });

export const GenerateInstalmentInvoicesSchema = z.object({
  policyId: id,
  /** Days before an instalment's due date on which its invoice is dated. */
  issueDaysBefore: z.number().int().min(0).max(90).default(14),
  issue: z.boolean().default(false),
});

export const RegisterPaymentSchema = z
  .object({
    invoiceId: id,
    amount: AmountSchema.refine((a) => new Dec(a).gt(0), 'must be more than 0'),
    currency: CurrencySchema,
    paidDate: IsoDateSchema,
    reference: z.string().trim().max(140).nullish(),
  })
  .superRefine((p, ctx) => checkScale(ctx, p.amount, p.currency, ['amount']));

export const ReversePaymentSchema = z.object({ invoiceId: id, paymentId: id, reason: text(500) });

/**
 * Statement rows `importBankStatement` books within one request; a longer statement is a job
 * (`startBankStatementImport`). Measured: see README "Imports".
 */
export const MAX_SYNC_STATEMENT_ROWS = 300;

const statementText = z.string().min(1, 'is required').max(2_000_000, 'is too large');

export const ImportBankStatementSchema = z
  .object({
    /** The statement as the bank exported it: CSV, camt.053 XML or MT940. */
    content: statementText.nullish(),
    /** The older name of `content`, for CSV statements. */
    csv: statementText.nullish(),
    /** CSV, CAMT053 or MT940; detected from the content when omitted. */
    format: z.enum(['CSV', 'CAMT053', 'MT940']).nullish(),
  })
  .superRefine((input, ctx) => {
    if (!input.content === !input.csv) {
      ctx.addIssue({
        code: 'custom',
        path: ['content'],
        message: 'give the statement in `content` (or `csv`), once',
      });
    }
  });

export const ResolveUnmatchedSchema = z.object({ unmatchedId: id, invoiceId: id });

export const CloseInvoiceSchema = z.object({ id, expectedVersion, reason: text(500) });

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM');

export const SetDunningPolicySchema = z
  .object({
    expectedVersion: z.number().int().min(0),
    steps: z
      .array(
        z.object({
          id: z
            .string()
            .trim()
            .regex(/^[a-z0-9-]{1,40}$/, 'must be 1–40 lower-case letters, digits or dashes'),
          afterDays: z.number().int().min(0).max(365),
          action: z.enum(DUNNING_ACTIONS),
        }),
      )
      .max(10),
    quietHoursStart: HHMM,
    quietHoursEnd: HHMM,
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.steps.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: 'is used twice' });
      seen.add(s.id);
    });
  });

export { PeriodSchema };

export const DebtorFilterSchema = z.object({
  bucket: z.enum(AGE_BUCKETS).nullish(),
  branchId: id.nullish(),
  advisorId: id.nullish(),
  productLineId: id.nullish(),
  insurerId: id.nullish(),
  minAmount: AmountSchema.nullish(),
});
export type DebtorFilter = z.output<typeof DebtorFilterSchema>;

export const PaymentListFilterSchema = z.object({
  period: PeriodSchema,
  advisorId: id.nullish(),
  productLineId: id.nullish(),
  lateOnly: z.boolean().nullish(),
});
export type PaymentListFilter = z.output<typeof PaymentListFilterSchema>;

export const PaymentStatisticsSchema = z.object({
  period: PeriodSchema,
  groupBy: z.enum(['ADVISOR', 'PRODUCT_LINE', 'CLIENT_GROUP']),
});
