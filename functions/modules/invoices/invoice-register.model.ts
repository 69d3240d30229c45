import type { Money } from '../../shared/money.js';

/**
 * An invoice as the register (sales ledger) keeps it from the moment it is issued: what was billed,
 * to whom, when, and whether it collects an insurer's premium (a policy's instalment) or is the
 * brokerage's own fee.
 */
export interface RegisteredInvoice {
  invoiceId: string;
  number: string;
  issueDate: string;
  clientId: string;
  policyId: string | null;
  insurerId: string | null;
  total: Money;
}
