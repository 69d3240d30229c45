import * as z from 'zod';
import { IdSchema, IsoDateSchema, optionalText, PeriodSchema } from '../../shared/input.js';
import type { Money } from '../../shared/money.js';

/** Who a payout pays: an advisor (user) or a partner (lead supplier), as the commission ledger names them. */
export interface PayoutRecipient {
  kind: 'USER' | 'PARTNER';
  id: string;
}

/**
 * Whose bank account: a payout recipient, the brokerage (the account payouts are paid from), or an
 * insurer (the account its commission payments come from, so statement rows from it are recognised).
 */
export interface AccountOwner {
  kind: 'USER' | 'PARTNER' | 'BROKERAGE' | 'INSURER';
  id: string;
}

/** A bank account for payouts; IBAN and BIC checked with their check digits and format. */
export interface BankAccount {
  owner: AccountOwner;
  /** Electronic format, no spaces, upper case. */
  iban: string;
  bic: string | null;
  /** The account holder's name when it is not the recipient's. */
  holderName: string | null;
  /** An insurer's: the text its commission payments carry (e.g. the brokerage's agency number there). */
  paymentReference?: string | null;
  updatedBy: string;
  updatedAt: string;
  version: number;
}

/** The ledgers paid out: what the brokerage owes advisors and partners. */
export const PAYOUT_LEDGERS = ['ADVISOR', 'PARTNER'] as const;
export type PayoutLedger = (typeof PAYOUT_LEDGERS)[number];

/** One credit transfer of a batch. */
export interface PayoutPayment {
  payoutId: string;
  recipient: PayoutRecipient;
  name: string;
  iban: string;
  bic: string | null;
  /** What is paid: the period's lines plus what was carried in (negative), always positive. */
  amount: Money;
  /** The period's lines alone. */
  earned: Money;
  /** A negative balance carried in from the previous period, or null. */
  carriedIn: Money | null;
  /** The end-to-end id on the transfer (ISO 20022 EndToEndId). */
  endToEndId: string;
  lineIds: string[];
}

/** A recipient whose balance was not positive: nothing is paid, the balance moves to the next period. */
export interface PayoutCarry {
  recipient: PayoutRecipient;
  name: string;
  amount: Money;
  fromPeriod: string;
  toPeriod: string;
  payoutId: string;
  explanation: string;
  lineIds: string[];
}

export type PayoutStatus = 'CREATED' | 'PAID';

/** A payout batch: one period and ledger, its pain.001 and CSV files in the bucket. */
export interface CommissionPayout {
  id: string;
  period: string;
  ledger: PayoutLedger;
  executionDate: string;
  status: PayoutStatus;
  total: Money;
  paymentCount: number;
  carried: PayoutCarry[];
  /** Object keys of the files in the bucket. */
  xmlKey: string;
  csvKey: string;
  messageId: string;
  createdBy: string;
  createdAt: string;
  paidBy: string | null;
  paidAt: string | null;
  version: number;
}

export const SetBankAccountSchema = z
  .object({
    owner: z.object({ kind: z.enum(['USER', 'PARTNER', 'BROKERAGE', 'INSURER']), id: IdSchema.nullish() }),
    iban: z.string().trim().min(1, 'is required').max(42, 'is too long'),
    bic: z.string().trim().max(14, 'is too long').nullish(),
    holderName: optionalText(70),
    paymentReference: optionalText(35),
  })
  .superRefine((v, ctx) => {
    if (v.owner.kind !== 'BROKERAGE' && !v.owner.id) {
      ctx.addIssue({ code: 'custom', path: ['owner', 'id'], message: `is required for a ${v.owner.kind}` });
    }
    if (v.paymentReference && v.owner.kind !== 'INSURER') {
      ctx.addIssue({
        code: 'custom',
        path: ['paymentReference'],
        message: 'is for an insurer’s account only',
      });
    } else if (v.paymentReference && v.paymentReference.replace(/[^A-Za-z0-9]/g, '').length < 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['paymentReference'],
        message: 'needs at least 3 letters or digits',
      });
    }
  });

export const CreatePayoutSchema = z.object({
  period: PeriodSchema,
  ledger: z.enum(PAYOUT_LEDGERS),
  executionDate: IsoDateSchema,
});

/** A payout's id: one batch per period and ledger, so creating it twice is ALREADY_EXISTS. */
export function payoutId(period: string, ledger: PayoutLedger): string {
  return `${period}.${ledger}`;
}

/** The ledger's recipient key (`USER:<id>`, `PARTNER:<id>`, `BROKERAGE:BROKERAGE`). */
export function recipientKeyOf(r: AccountOwner): string {
  return `${r.kind}:${r.id}`;
}
