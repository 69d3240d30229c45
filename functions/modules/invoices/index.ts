import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import type { ObjectStore } from '../../shared/object-store.js';
import type { InvoiceAdapters } from './adapters.js';
import { DunningRepository } from './dunning.repository.js';
import { DunningService } from './dunning.service.js';
import { ErasedClientDocuments } from './erased-documents.js';
import { ExternalPayments } from './external-payments.js';
import { InvoiceAccess } from './invoice-access.js';
import { InvoicesRepository } from './invoices.repository.js';
import { InvoicesService } from './invoices.service.js';
import type { InvoiceLookups } from './lookups.js';
import { PaymentWriter } from './payment-writer.js';
import { PaymentsRepository } from './payments.repository.js';
import { PaymentsService } from './payments.service.js';
import { ReceivablesService } from './receivables.service.js';

/**
 * The invoices module's public entry: its composition and what other modules, entry points and
 * tests may use. Everything else in this folder is internal.
 */

export type { InvoiceAdapters } from './adapters.js';
export type { EscalationResult, SweepResult } from './dunning.service.js';
export type { ErasedClientDocuments, ErasedDocumentsResult } from './erased-documents.js';
export type { ImportOutcome, ImportResult, ImportRowResult } from './external-payments.js';
export {
  type CreditEntry,
  type Invoice,
  type InvoiceStatus,
  MAX_SYNC_STATEMENT_ROWS,
  OPEN_STATUSES,
  type Payment,
  type UnmatchedPayment,
} from './invoices.model.js';
export type {
  ClientDirectory,
  FollowUpRequest,
  FollowUpTasks,
  InsurerReceipt,
  InsurerReceipts,
  InvoiceClient,
  InvoiceLookups,
  InvoicePolicy,
  InvoiceTenant,
  PolicyLookup,
  TenantDirectory,
} from './lookups.js';
export type { DebtorAging, DebtorSummary, PaymentStatistics } from './receivables.service.js';

/** What an import job uses to import a bank statement row by row. */
export type StatementImports = Pick<PaymentsService, 'prepareBankStatement' | 'importStatementRow'>;

/** The invoices module's services, one responsibility each. */
export interface InvoicesModule {
  /** Drafting, instalment plans, issuing (number, PDF, mail), PDF links, cancelling and writing off. */
  invoices: InvoicesService;
  /** Registering and reversing payments, bank statements, insurer-reported payments, the unmatched queue. */
  payments: PaymentsService;
  /** Debtors and their aging, invoices due, payment lists and statistics, the card's debtor summary. */
  receivables: ReceivablesService;
  /** The dunning policy, the overdue sweep and escalation, the steps taken, the collector's tasks and letters. */
  dunning: DunningService;
}

/** What the invoices module needs: the data layer, the clock, other modules through narrow lookups, and the adapters. */
export interface InvoicesDeps {
  db: Db;
  clock: Clock;
  lookups: InvoiceLookups;
  /** Bucket, mail and SMS for issuing invoices and dunning; without them invoices are not rendered or sent. */
  adapters: InvoiceAdapters | null;
}

/** Builds the invoices module over its repositories. */
export function createInvoicesModule(deps: InvoicesDeps): InvoicesModule {
  const { db, clock, lookups, adapters } = deps;
  const invoiceRepo = new InvoicesRepository(db);
  const paymentRepo = new PaymentsRepository(db);
  const access = new InvoiceAccess(invoiceRepo, lookups.tenants, clock);
  const writer = new PaymentWriter(invoiceRepo, paymentRepo, access);
  const external = new ExternalPayments(
    invoiceRepo,
    paymentRepo,
    writer,
    access,
    lookups.clients,
    lookups.policies,
    lookups.insurerReceipts ?? null,
  );
  return {
    invoices: new InvoicesService(invoiceRepo, access, lookups.clients, lookups.policies, adapters),
    payments: new PaymentsService(invoiceRepo, paymentRepo, writer, external, access),
    receivables: new ReceivablesService(invoiceRepo, paymentRepo, access, lookups.clients),
    dunning: new DunningService(
      invoiceRepo,
      new DunningRepository(db),
      access,
      lookups.clients,
      lookups.tenants,
      clock,
      adapters,
      lookups.followUps ?? null,
    ),
  };
}

/** Every status (the shard migration names each status's old index key: infra/local/migrate-shards.ts). */
export { INVOICE_STATUSES } from './invoices.model.js';

/**
 * The stored invoice PDFs and dunning letters of a client being erased (the GDPR module's port):
 * PDFs rendered again from the pseudonymised invoices, letters removed. Needs only the table, the
 * tenants' settings and the bucket, so the retention schedule composes it without mail or SMS.
 */
export function createErasedClientDocuments(
  db: Db,
  tenants: InvoiceLookups['tenants'],
  files: { store: ObjectStore; bucket: string },
): ErasedClientDocuments {
  return new ErasedClientDocuments(new InvoicesRepository(db), tenants, files);
}
