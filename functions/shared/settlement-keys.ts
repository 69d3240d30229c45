import { type ItemKey, seg, tenantPrefix } from './key-segments.js';

/**
 * Key builders of the settlement module (bank accounts, commission payouts and their carries),
 * spread into `keys` by table-design.ts: the code asks `keys`, never this file.
 */
export const settlementKeys = {
  /** A recipient's bank account; one small collection per tenant, so a payout reads them in one Query. */
  bankAccount: (tenantId: string, recipientKey: string): ItemKey => ({
    pk: settlementKeys.bankAccounts(tenantId),
    sk: seg(recipientKey),
  }),
  bankAccounts: (tenantId: string) => `${tenantPrefix(tenantId)}#BANK_ACCOUNT`,
  /** Insurers' accounts sort together in the collection, so a statement row is matched in one small Query. */
  insurerAccountPrefix: 'INSURER:',
  /** A payout batch; its payments and its line records share its collection. */
  commissionPayout: (tenantId: string, payoutId: string): ItemKey => ({
    pk: settlementKeys.commissionPayoutCollection(tenantId, payoutId),
    sk: 'PAYOUT',
  }),
  commissionPayoutCollection: (tenantId: string, payoutId: string) =>
    `${tenantPrefix(tenantId)}#PAYOUT#${seg(payoutId)}`,
  commissionPayoutPayment: (tenantId: string, payoutId: string, recipientKey: string): ItemKey => ({
    pk: settlementKeys.commissionPayoutCollection(tenantId, payoutId),
    sk: `${settlementKeys.payoutPaymentPrefix}${seg(recipientKey)}`,
  }),
  payoutPaymentPrefix: 'PAYMENT#',
  /** Which payout batch pays which commission line. */
  commissionPayoutLine: (tenantId: string, payoutId: string, lineId: string): ItemKey => ({
    pk: settlementKeys.commissionPayoutCollection(tenantId, payoutId),
    sk: `${settlementKeys.payoutLinePrefix}${seg(lineId)}`,
  }),
  payoutLinePrefix: 'LINE#',
  /** A pointer to a batch by the time its month was marked paid, so a journal finds the batches paid in a range. */
  payoutPaid: (tenantId: string, paidAt: string, payoutId: string): ItemKey => ({
    pk: settlementKeys.payoutsPaid(tenantId),
    sk: `${seg(paidAt)}#${seg(payoutId)}`,
  }),
  payoutsPaid: (tenantId: string) => `${tenantPrefix(tenantId)}#PAYOUTS_PAID`,
  /** A negative balance carried into `period` of a ledger, one item per recipient. */
  payoutCarry: (tenantId: string, period: string, ledger: string, recipientKey: string): ItemKey => ({
    pk: settlementKeys.payoutCarries(tenantId, period, ledger),
    sk: seg(recipientKey),
  }),
  payoutCarries: (tenantId: string, period: string, ledger: string) =>
    `${tenantPrefix(tenantId)}#PAYOUT_CARRY#${seg(period)}#${seg(ledger)}`,
  /**
   * An insurer's commission settlement (money received against the commission receivable), filed by
   * the day it arrived, so a journal reads a range in one Query; its id is the bank row's.
   */
  insurerSettlement: (tenantId: string, receivedDate: string, id: string): ItemKey => ({
    pk: settlementKeys.insurerSettlements(tenantId),
    sk: `${seg(receivedDate)}#${seg(id)}`,
  }),
  insurerSettlements: (tenantId: string) => `${tenantPrefix(tenantId)}#INSURER_SETTLEMENT`,
  /** What has been settled of an insurer's commission month in one currency (versioned running total). */
  insurerSettledPeriod: (tenantId: string, insurerId: string, period: string, currency: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#INSURER_SETTLED#${seg(insurerId)}`,
    sk: `${seg(period)}#${seg(currency)}`,
  }),
  /** The tenant's chart of accounts (account codes per journal role). */
  chartOfAccounts: (tenantId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#CHART_OF_ACCOUNTS`,
    sk: 'CHART',
  }),
} as const;
