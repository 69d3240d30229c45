import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { BankAccountsService } from './bank-accounts.service.js';
import { JournalService } from './journal.service.js';
import { PayoutsService } from './payouts.service.js';
import type { CommissionLedgerPort, PaymentsPort, PayoutFilesTarget, RecipientDirectory } from './ports.js';
import { SettlementRepository } from './settlement.repository.js';

/**
 * The settlement module's public entry: bank accounts and commission payout batches (SEPA
 * pain.001 and CSV files). Everything else in this folder is internal.
 */

export type { JournalExport } from './journal.service.js';
export type { PayoutView } from './payouts.service.js';
export type {
  CommissionLedgerPort,
  IssuedInvoice,
  PaymentsPort,
  PayoutFilesTarget,
  PayoutLine,
  ReceivedPayment,
  RecipientDirectory,
} from './ports.js';
export type { AccountOwner, BankAccount, CommissionPayout, PayoutPayment } from './settlement.model.js';

/** The settlement services. */
export interface SettlementModule {
  /** IBAN/BIC of users, partners and the brokerage, checked before they are kept. */
  bankAccounts: BankAccountsService;
  /** Payout batches of approved months, their files, and the writes that mark them paid. */
  payouts: PayoutsService;
  /** The chart of accounts and balanced journal exports for the accounting system. */
  journal: JournalService;
}

/** What settlement needs: the data layer, the clock, the commission ledger and the org through ports, and a bucket. */
export interface SettlementDeps {
  db: Db;
  clock: Clock;
  ledger: CommissionLedgerPort;
  directory: RecipientDirectory;
  payments: PaymentsPort;
  /** Where payout files go; without it payouts cannot be created or read. */
  files: PayoutFilesTarget | null;
}

export function createSettlementModule(deps: SettlementDeps): SettlementModule {
  const repo = new SettlementRepository(deps.db);
  return {
    bankAccounts: new BankAccountsService(repo, deps.directory, deps.clock),
    payouts: new PayoutsService(repo, deps.ledger, deps.directory, deps.files, deps.clock),
    journal: new JournalService(repo, deps.ledger, deps.payments, deps.files, deps.clock),
  };
}
