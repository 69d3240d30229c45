import type { Principal } from '../../shared/auth/principal.js';
import type { TransactOp } from '../../shared/db.js';
import type { Money } from '../../shared/money.js';
import type { ObjectStore } from '../../shared/object-store.js';

/** A commission line as a payout needs it: who it is for, in which ledger, how much. */
export interface PayoutLine {
  id: string;
  ledger: string;
  recipient: { kind: string; id: string };
  amount: string;
  currency: string;
  /** For the journal: what kind of line, when it was booked, for which month and policy. */
  kind?: string;
  createdAt?: string;
  period?: string;
  policyId?: string | null;
}

/**
 * What settlement reads of the commission ledger, declared here and satisfied in
 * functions/modules/services.ts: a month's status and its lines (read as the caller, who must be
 * allowed to read the whole month).
 */
export interface CommissionLedgerPort {
  periodStatus(principal: Principal, period: string): Promise<'OPEN' | 'APPROVED' | 'PAID'>;
  linesOfPeriod(principal: Principal, period: string): Promise<PayoutLine[]>;
}

/** Names of payout recipients and of the brokerage (the debtor of the transfers). */
export interface RecipientDirectory {
  recipientNames(
    tenantId: string,
    recipients: Array<{ kind: string; id: string }>,
  ): Promise<Map<string, string>>;
  /** Whether a user, partner or insurer exists in the tenant. */
  exists(tenantId: string, recipient: { kind: 'USER' | 'PARTNER' | 'INSURER'; id: string }): Promise<boolean>;
  brokerageName(tenantId: string): Promise<string>;
}

/** Where payout files go: the bucket the GraphQL function writes exports to. */
export interface PayoutFilesTarget {
  store: ObjectStore;
  bucket: string;
}

/**
 * Payments received and invoices issued in a month, as the journal books them (read as the caller,
 * tenant-wide).
 */
export interface PaymentsPort {
  paymentsOfPeriod(principal: Principal, period: string): Promise<ReceivedPayment[]>;
  invoicesIssuedInPeriod(principal: Principal, period: string): Promise<IssuedInvoice[]>;
}

/**
 * An invoice issued, as the journal books it: client receivables against the premium payable to the
 * insurer (a policy's instalment the brokerage collects) or the brokerage's fee income.
 */
export interface IssuedInvoice {
  invoiceId: string;
  number: string;
  issueDate: string;
  clientId: string;
  policyId: string | null;
  insurerId: string | null;
  total: Money;
}

/** A payment received, as the journal books it: bank / client receivables (applied) and client credit (the rest). */
export interface ReceivedPayment {
  id: string;
  invoiceId: string;
  clientId: string;
  amount: Money;
  applied: Money;
  credited: Money;
  paidDate: string;
}

/**
 * What insurers owe for their commission months (the commission ledger's RECEIVABLE lines, per
 * currency) and their names, read tenant-wide: settlement authorizes its own callers.
 */
export interface InsurerReceivables {
  receivableOf(tenantId: string, insurerId: string, period: string): Promise<Money[]>;
  /** The insurer's name, or null when the tenant has no such insurer. */
  insurerName(tenantId: string, insurerId: string): Promise<string | null>;
}

/** A bank row waiting in the invoices module's unmatched queue. */
export interface QueuedBankRow {
  id: string;
  importId: string;
  row: number;
  paidDate: string;
  amount: Money;
  reference: string | null;
  payer: string | null;
  reason: string;
}

/** The invoices module's queue of bank rows nothing matched: a person matches one to an insurer. */
export interface UnmatchedBankRows {
  get(tenantId: string, id: string): Promise<QueuedBankRow | undefined>;
  /** Takes the row off the queue, in the transaction that records its settlement (NOT_FOUND once gone). */
  leaveQueueOp(tenantId: string, id: string): TransactOp;
}
