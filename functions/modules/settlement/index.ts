import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { BankAccountsService } from './bank-accounts.service.js';
import { InsurerSettlementsRepository } from './insurer-settlements.repository.js';
import { InsurerSettlementsService } from './insurer-settlements.service.js';
import { JournalService } from './journal.service.js';
import { PayoutsService } from './payouts.service.js';
import type {
  CommissionLedgerPort,
  InsurerReceivables,
  PaymentsPort,
  PayoutFilesTarget,
  RecipientDirectory,
  UnmatchedBankRows,
} from './ports.js';
import { SettlementRepository } from './settlement.repository.js';

/**
 * The settlement module's public entry: bank accounts, commission payout batches (SEPA pain.001 and
 * CSV files), insurer commission settlements and the journal. Everything else in this folder is internal.
 */

export type { BankReceipt, InsurerSettlement } from './insurer-settlement.model.js';
export type { InsurerSettlementsService } from './insurer-settlements.service.js';
export type { JournalExport } from './journal.service.js';
export type { PayoutView } from './payouts.service.js';
export type {
  CommissionLedgerPort,
  InsurerReceivables,
  IssuedInvoice,
  PaymentsPort,
  PayoutFilesTarget,
  PayoutLine,
  QueuedBankRow,
  ReceivedPayment,
  RecipientDirectory,
  UnmatchedBankRows,
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
  /** Commission insurers pay the brokerage, from bank rows or matched by hand, against the receivable. */
  insurerSettlements: InsurerSettlementsService;
}

/** What settlement needs: the data layer, the clock, the commission ledger and the org through ports, and a bucket. */
export interface SettlementDeps {
  db: Db;
  clock: Clock;
  ledger: CommissionLedgerPort;
  directory: RecipientDirectory;
  payments: PaymentsPort;
  /** The commission receivable per insurer and month, and insurers' names. */
  receivables: InsurerReceivables;
  /** The invoices module's queue of unmatched bank rows (a person matches one to an insurer). */
  unmatched: UnmatchedBankRows;
  /** Where payout files go; without it payouts cannot be created or read. */
  files: PayoutFilesTarget | null;
}

export function createSettlementModule(deps: SettlementDeps): SettlementModule {
  const repo = new SettlementRepository(deps.db);
  const insurerSettlements = createInsurerSettlements(deps);
  return {
    bankAccounts: new BankAccountsService(repo, deps.directory, deps.clock),
    payouts: new PayoutsService(repo, deps.ledger, deps.directory, deps.files, deps.clock),
    journal: new JournalService(repo, deps.ledger, deps.payments, insurerSettlements, deps.files, deps.clock),
    insurerSettlements,
  };
}

/**
 * Insurer commission settlements alone, for an entry point that records bank rows and nothing else of
 * settlement (the import jobs); without the queue, matching by hand is not offered.
 */
export function createInsurerSettlements(
  deps: Pick<SettlementDeps, 'db' | 'clock' | 'receivables'> & { unmatched?: UnmatchedBankRows | null },
): InsurerSettlementsService {
  return new InsurerSettlementsService(
    new InsurerSettlementsRepository(deps.db),
    deps.receivables,
    deps.unmatched ?? null,
    deps.clock,
  );
}
