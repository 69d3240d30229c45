import { clientCollection, type ItemKey, seg, tenantPrefix } from './key-segments.js';
import { type ShardedPartition, sharded, shardedKey } from './sharded-keys.js';
import { UNIQUE_CLAIM_SHARDS, type UniqueField } from './unique-fields.js';

/** A field's claims before sharding (`T#<t>#UNIQUE#<field>`): the base of its shards. */
const uniqueClaimsOf = (tenantId: string, field: UniqueField) =>
  `${tenantPrefix(tenantId)}#UNIQUE#${seg(field)}`;

/** The resolution queue's partition before sharding (`T#<t>#PAYMENT#UNMATCHED`): the base of its shards. */
const unmatchedPaymentsOf = (tenantId: string) => `${tenantPrefix(tenantId)}#PAYMENT#UNMATCHED`;

/**
 * Shards of the resolution queue (a base-table partition): the webhook burst's ~200 unmatched
 * payments a second are 190 % of a partition's half-limit at 10×, ~12 % over 16 (docs/scale.md).
 */
export const UNMATCHED_PAYMENT_SHARDS = 16;

/**
 * Key builders of the money modules (invoices, payments, commissions), spread into `keys` by
 * table-design.ts: the code asks `keys`, never this file.
 */

/**
 * Shards of a month's commission-line key `CLINE#PERIOD#<p>` (gsi2): the consumer at full pace puts
 * 1,000 lines/s × 2 WCU on it, 125 % of a shard's half-limit at 10× over 16 shards, ~31 % over 64
 * (docs/scale.md, section 4). Writers and readers both take the count from here.
 */
export const COMMISSION_LINE_PERIOD_SHARDS = 64;

/** Fields of an invoice that place it in the indexes (debtor lists only while it is overdue). */
export interface InvoiceIndexFields {
  id: string;
  status: string;
  dueDate: string;
  branchId: string;
  advisorId: string | null;
  productLineId: string | null;
  insurerId: string | null;
}

/** Fields of a payment that place it in the period lists. */
export interface PaymentIndexFields {
  id: string;
  paidDate: string;
  period: string;
  late: boolean;
  advisorId: string | null;
  productLineId: string | null;
}

/** Keys of invoices, payments and the commission ledger. */
export const moneyKeys = {
  /** An invoice sits in its client's collection, so the card's one Query returns it. */
  invoice: (tenantId: string, clientId: string, invoiceId: string): ItemKey => ({
    pk: clientCollection(tenantId, clientId),
    sk: `A#INVOICE#${seg(invoiceId)}`,
  }),
  invoicePrefix: 'A#INVOICE#',
  /** Overpayments kept as the client's credit, on the card as well. */
  clientCredit: (tenantId: string, clientId: string, paymentId: string): ItemKey => ({
    pk: clientCollection(tenantId, clientId),
    sk: `A#CREDIT#${seg(paymentId)}`,
  }),
  creditPrefix: 'A#CREDIT#',
  /** An invoice's own collection: its payments and its dunning steps. */
  invoiceCollection: (tenantId: string, invoiceId: string): string =>
    `${tenantPrefix(tenantId)}#INVOICE#${seg(invoiceId)}`,
  payment: (tenantId: string, invoiceId: string, paymentId: string): ItemKey => ({
    pk: moneyKeys.invoiceCollection(tenantId, invoiceId),
    sk: `PAYMENT#${seg(paymentId)}`,
  }),
  paymentPrefix: 'PAYMENT#',
  dunningStep: (tenantId: string, invoiceId: string, stepId: string): ItemKey => ({
    pk: moneyKeys.invoiceCollection(tenantId, invoiceId),
    sk: `DUNNING#${seg(stepId)}`,
  }),
  dunningStepPrefix: 'DUNNING#',
  /** The tenant's invoice number sequence per year: incremented in the same transaction as the issue. */
  invoiceSequence: (tenantId: string, year: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#SEQ#INVOICE`,
    sk: seg(year),
  }),
  /**
   * The invoice register (the sales ledger): one entry per issued invoice, partitioned by issue
   * month, in issue date then number order; written in the transaction that numbers the invoice.
   */
  invoiceRegister: (tenantId: string, period: string): string =>
    `${tenantPrefix(tenantId)}#INVOICE_REGISTER#${seg(period)}`,
  invoiceRegisterEntry: (tenantId: string, issueDate: string, number: string): ItemKey => ({
    pk: moneyKeys.invoiceRegister(tenantId, issueDate.slice(0, 7)),
    sk: `${seg(issueDate)}#${seg(number)}`,
  }),
  dunningPolicy: (tenantId: string): ItemKey => ({ pk: `${tenantPrefix(tenantId)}#DUNNING`, sk: 'POLICY' }),
  /**
   * The resolution queue: payments nothing matched, ~200 a second in an insurer's webhook burst, so
   * the base-table partition is spread over {@link UNMATCHED_PAYMENT_SHARDS} (`<base>#S<n>`, n from
   * the row's id); a row is read and resolved by id (its shard computed), the queue merges them.
   */
  unmatchedPayments: (tenantId: string): ShardedPartition =>
    sharded(unmatchedPaymentsOf(tenantId), UNMATCHED_PAYMENT_SHARDS),
  unmatchedPayment: (tenantId: string, id: string): ItemKey => ({
    pk: shardedKey(unmatchedPaymentsOf(tenantId), id, UNMATCHED_PAYMENT_SHARDS),
    sk: seg(id),
  }),
  collectorTasks: (tenantId: string): string => `${tenantPrefix(tenantId)}#COLLECTION`,
  collectorTask: (tenantId: string, invoiceId: string, stepId: string): ItemKey => ({
    pk: moneyKeys.collectorTasks(tenantId),
    sk: `${seg(invoiceId)}#${seg(stepId)}`,
  }),

  /**
   * Index keys of an invoice: by id, by status sorted by due date (the overdue sweep, payments due),
   * and while overdue by advisor, branch, product line and insurer sorted by due date, so each
   * debtor list and age bucket (a due-date range) is one Query.
   */
  invoiceIndexes: (tenantId: string, i: InvoiceIndexFields): Record<string, string> => {
    const t = tenantPrefix(tenantId);
    const byDue = `${seg(i.dueDate)}#${seg(i.id)}`;
    const idx: Record<string, string> = {
      gsi2pk: shardedKey(`${t}#INVOICE#STATUS#${seg(i.status)}`, i.id),
      gsi2sk: byDue,
      gsi5pk: `${t}#INVOICE#${seg(i.id)}`,
      gsi5sk: 'INVOICE',
    };
    if (i.status === 'OVERDUE') {
      idx.gsi3pk = `${t}#BRANCH#${seg(i.branchId)}#DEBT`;
      idx.gsi3sk = byDue;
      if (i.advisorId) {
        idx.gsi1pk = `${t}#OWNER#${seg(i.advisorId)}#DEBT`;
        idx.gsi1sk = byDue;
      }
      if (i.productLineId) {
        idx.gsi4pk = `${t}#PRODUCT#${seg(i.productLineId)}#DEBT`;
        idx.gsi4sk = byDue;
      }
      if (i.insurerId) {
        idx.gsi6pk = `${t}#INSURER#${seg(i.insurerId)}#DEBT`;
        idx.gsi6sk = byDue;
      }
    }
    return idx;
  },
  invoiceById: (tenantId: string, invoiceId: string) => `${tenantPrefix(tenantId)}#INVOICE#${seg(invoiceId)}`,
  /** Sharded (sharded-keys.ts), as the payment and line period keys below. */
  invoicesByStatus: (tenantId: string, status: string): ShardedPartition =>
    sharded(`${tenantPrefix(tenantId)}#INVOICE#STATUS#${seg(status)}`),
  debtorsByAdvisor: (tenantId: string, advisorId: string) =>
    `${tenantPrefix(tenantId)}#OWNER#${seg(advisorId)}#DEBT`,
  debtorsByBranch: (tenantId: string, branchId: string) =>
    `${tenantPrefix(tenantId)}#BRANCH#${seg(branchId)}#DEBT`,
  debtorsByProductLine: (tenantId: string, productLineId: string) =>
    `${tenantPrefix(tenantId)}#PRODUCT#${seg(productLineId)}#DEBT`,
  debtorsByInsurer: (tenantId: string, insurerId: string) =>
    `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}#DEBT`,

  /** Index keys of a payment: by period, late ones by period, by advisor and by product line (sorted by paid date). */
  paymentIndexes: (tenantId: string, p: PaymentIndexFields): Record<string, string> => {
    const t = tenantPrefix(tenantId);
    const byDate = `${seg(p.paidDate)}#${seg(p.id)}`;
    const idx: Record<string, string> = {
      gsi2pk: shardedKey(`${t}#PAYMENT#PERIOD#${seg(p.period)}`, p.id),
      gsi2sk: byDate,
    };
    if (p.late) {
      idx.gsi6pk = shardedKey(`${t}#PAYMENT#LATE#${seg(p.period)}`, p.id);
      idx.gsi6sk = byDate;
    }
    if (p.advisorId) {
      idx.gsi1pk = `${t}#OWNER#${seg(p.advisorId)}#PAYMENT`;
      idx.gsi1sk = byDate;
    }
    if (p.productLineId) {
      idx.gsi4pk = `${t}#PRODUCT#${seg(p.productLineId)}#PAYMENT`;
      idx.gsi4sk = byDate;
    }
    return idx;
  },
  paymentsByPeriod: (tenantId: string, period: string): ShardedPartition =>
    sharded(`${tenantPrefix(tenantId)}#PAYMENT#PERIOD#${seg(period)}`),
  latePaymentsByPeriod: (tenantId: string, period: string): ShardedPartition =>
    sharded(`${tenantPrefix(tenantId)}#PAYMENT#LATE#${seg(period)}`),
  paymentsByAdvisor: (tenantId: string, advisorId: string) =>
    `${tenantPrefix(tenantId)}#OWNER#${seg(advisorId)}#PAYMENT`,
  paymentsByProductLine: (tenantId: string, productLineId: string) =>
    `${tenantPrefix(tenantId)}#PRODUCT#${seg(productLineId)}#PAYMENT`,

  /** A tenant's commission schemes (all versions in one item): one Query lists them, one GetItem reads one. */
  commissionSchemes: (tenantId: string): string => `${tenantPrefix(tenantId)}#CSCHEME`,
  commissionScheme: (tenantId: string, schemeId: string): ItemKey => ({
    pk: moneyKeys.commissionSchemes(tenantId),
    sk: seg(schemeId),
  }),
  /** Every change of a scheme with author and time, oldest first. */
  commissionSchemeChanges: (tenantId: string, schemeId: string): string =>
    `${tenantPrefix(tenantId)}#CSCHEME#${seg(schemeId)}#CHANGES`,
  commissionSchemeChange: (tenantId: string, schemeId: string, changeId: string): ItemKey => ({
    pk: moneyKeys.commissionSchemeChanges(tenantId, schemeId),
    sk: seg(changeId),
  }),
  /** A ledger line's own partition: the line (written once, on an absent key) and its disputes. */
  commissionLineCollection: (tenantId: string, lineId: string): string =>
    `${tenantPrefix(tenantId)}#CLINE#${seg(lineId)}`,
  commissionLine: (tenantId: string, lineId: string): ItemKey => ({
    pk: moneyKeys.commissionLineCollection(tenantId, lineId),
    sk: 'LINE',
  }),
  commissionDispute: (tenantId: string, lineId: string, disputeId: string): ItemKey => ({
    pk: moneyKeys.commissionLineCollection(tenantId, lineId),
    sk: `DISPUTE#${seg(disputeId)}`,
  }),
  /**
   * Index keys of a line: by recipient and period, by period (approval), by policy. `recipient` is
   * `<KIND>:<id>`. The recipient key is sharded (16) because every event's receivable line goes to
   * the one brokerage recipient; the month's key over {@link COMMISSION_LINE_PERIOD_SHARDS}.
   */
  commissionLineIndexes: (
    tenantId: string,
    l: { id: string; recipient: string; period: string; policyId: string },
  ): Record<string, string> => {
    const t = tenantPrefix(tenantId);
    return {
      gsi1pk: shardedKey(`${t}#OWNER#${seg(l.recipient)}#CLINE`, l.id),
      gsi1sk: `${seg(l.period)}#${seg(l.id)}`,
      gsi2pk: shardedKey(`${t}#CLINE#PERIOD#${seg(l.period)}`, l.id, COMMISSION_LINE_PERIOD_SHARDS),
      gsi2sk: `${seg(l.recipient)}#${seg(l.id)}`,
      gsi3pk: `${t}#POLICY#${seg(l.policyId)}#CLINE`,
      gsi3sk: `${seg(l.period)}#${seg(l.id)}`,
    };
  },
  commissionLinesByRecipient: (tenantId: string, recipient: string): ShardedPartition =>
    sharded(`${tenantPrefix(tenantId)}#OWNER#${seg(recipient)}#CLINE`),
  commissionLinesByPeriod: (tenantId: string, period: string): ShardedPartition =>
    sharded(`${tenantPrefix(tenantId)}#CLINE#PERIOD#${seg(period)}`, COMMISSION_LINE_PERIOD_SHARDS),
  commissionLinesByPolicy: (tenantId: string, policyId: string) =>
    `${tenantPrefix(tenantId)}#POLICY#${seg(policyId)}#CLINE`,
  /** Open disputes of a tenant, oldest first (index key removed when resolved). */
  openCommissionDisputes: (tenantId: string) => `${tenantPrefix(tenantId)}#CDISPUTE#OPEN`,
  /** Index keys of an open dispute (none once resolved, so it leaves the list). */
  openCommissionDisputeIndexes: (
    tenantId: string,
    d: { id: string; raisedAt: string },
  ): Record<string, string> => ({
    gsi4pk: moneyKeys.openCommissionDisputes(tenantId),
    gsi4sk: `${d.raisedAt}#${d.id}`,
  }),
  /** A recipient's running totals for one month and currency: "what have I earned" is one read. */
  commissionAccruals: (tenantId: string, recipient: string): string =>
    `${tenantPrefix(tenantId)}#ACCRUAL#${seg(recipient)}`,
  commissionAccrual: (tenantId: string, recipient: string, period: string, currency: string): ItemKey => ({
    pk: moneyKeys.commissionAccruals(tenantId, recipient),
    sk: `${seg(period)}#${seg(currency)}`,
  }),
  /** A recipient's volume and earnings per PERIOD_TOTAL rule and month (tier tables on the period total). */
  commissionRuleTotals: (tenantId: string, recipient: string): string =>
    `${tenantPrefix(tenantId)}#ACCRUAL#${seg(recipient)}#RULES`,
  commissionRuleTotal: (
    tenantId: string,
    recipient: string,
    period: string,
    schemeId: string,
    ruleId: string,
  ): ItemKey => ({
    pk: moneyKeys.commissionRuleTotals(tenantId, recipient),
    sk: `${seg(period)}#${seg(schemeId)}#${seg(ruleId)}`,
  }),
  /** The premium an advisor wrote personally, per month and currency (override qualification). */
  commissionProductions: (tenantId: string, userId: string): string =>
    `${tenantPrefix(tenantId)}#PRODUCTION#${seg(userId)}`,
  commissionProduction: (tenantId: string, userId: string, period: string, currency: string): ItemKey => ({
    pk: moneyKeys.commissionProductions(tenantId, userId),
    sk: `${seg(period)}#${seg(currency)}`,
  }),
  /** Marks a policy event as counted into production, so a replayed event adds nothing. */
  commissionProductionEvent: (tenantId: string, eventId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#PRODEVENT#${seg(eventId)}`,
    sk: 'COUNTED',
  }),
  /**
   * An accrual's period entry: beside the accrual in the recipient's partition (`PERIOD#` sorts
   * apart from the `<yyyy-mm>#` accruals, so a month's accrual Query never meets it), it alone
   * carries the by-period index keys, and only attributes that never change. The counter's ADDs
   * then change nothing the index projects, so they write no index entry (docs/scale.md, section 6).
   */
  commissionAccrualPeriodEntry: (
    tenantId: string,
    recipient: string,
    period: string,
    currency: string,
  ): ItemKey => ({
    pk: moneyKeys.commissionAccruals(tenantId, recipient),
    sk: `PERIOD#${seg(period)}#${seg(currency)}`,
  }),
  commissionAccrualsByPeriod: (tenantId: string, period: string) =>
    `${tenantPrefix(tenantId)}#ACCRUAL#PERIOD#${seg(period)}`,
  /**
   * Index keys of an accrual's period entry (accruals written before carry them themselves, until
   * their next update): by period, so approving a month reaches every recipient's total.
   */
  commissionAccrualIndexes: (
    tenantId: string,
    a: { recipient: string; period: string; currency: string },
  ): Record<string, string> => ({
    gsi2pk: moneyKeys.commissionAccrualsByPeriod(tenantId, a.period),
    gsi2sk: `${a.recipient}#${a.currency}`,
  }),
  /** Per-insurer column mapping of commission statements. */
  commissionStatementMappings: (tenantId: string): string => `${tenantPrefix(tenantId)}#CSTMT#MAPPING`,
  commissionStatementMapping: (tenantId: string, insurerId: string): ItemKey => ({
    pk: moneyKeys.commissionStatementMappings(tenantId),
    sk: seg(insurerId),
  }),
  /** The latest reconciliation of an insurer's statement for a month: one item per policy number (base64url). */
  commissionReconciliation: (tenantId: string, insurerId: string, period: string): string =>
    `${tenantPrefix(tenantId)}#CRECON#${seg(insurerId)}#${seg(period)}`,
  commissionReconciliationRow: (
    tenantId: string,
    insurerId: string,
    period: string,
    numberKey: string,
  ): ItemKey => ({
    pk: moneyKeys.commissionReconciliation(tenantId, insurerId, period),
    sk: seg(numberKey),
  }),
  /** Commission periods that left OPEN (a month without an item is open). */
  commissionPeriods: (tenantId: string): string => `${tenantPrefix(tenantId)}#CPERIOD`,
  commissionPeriod: (tenantId: string, period: string): ItemKey => ({
    pk: moneyKeys.commissionPeriods(tenantId),
    sk: seg(period),
  }),

  /**
   * A claim on a value that must be unique in the tenant (national id, e-mail, policy number…).
   * Written in the same transaction as the item, conditioned on not existing. A field's claims are
   * spread over {@link UNIQUE_CLAIM_SHARDS} partitions by the value's hash (docs/scale.md: an import
   * claims 268 policy numbers a second, in the insurer's sequential order); a claim is only ever read
   * by its value, so the shard costs no read.
   */
  unique: (tenantId: string, field: UniqueField, value: string): ItemKey => ({
    pk: shardedKey(uniqueClaimsOf(tenantId, field), value, UNIQUE_CLAIM_SHARDS),
    sk: value,
  }),
  /** Every partition of a field's claims (the shard migration; nothing else lists claims). */
  uniqueClaims: (tenantId: string, field: UniqueField): ShardedPartition =>
    sharded(uniqueClaimsOf(tenantId, field), UNIQUE_CLAIM_SHARDS),
} as const;
