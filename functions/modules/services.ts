import type { Clock } from '../shared/clock.js';
import { ephemeralCursorKeys } from '../shared/cursor-seal.js';
import type { Db } from '../shared/db.js';
import { LiveInbox } from '../shared/live-inbox.js';
import { EntityType, OrgKind } from '../shared/table-design.js';
import { type AccessModule, createAccessModule } from './access/index.js';
import { type AuditModule, createAuditModule } from './audit/index.js';
import type { BookFilesModule, ReportTarget } from './book-files/index.js';
import { type BookRepositories, bookRepositories, composeBook, composeBookFiles } from './book-wiring.js';
import {
  type CampaignMail,
  type CampaignsModule,
  type SigningKeys,
  unsubscribeKeysFrom,
} from './campaigns/index.js';
import { composeCampaigns } from './campaigns-wiring.js';
import type { ClientsModule } from './clients/index.js';
import { ChangeBatch, type CommissionsModule } from './commissions/index.js';
import { type CrossSellService, createCrossSellModule } from './cross-sell/index.js';
import { crossSellPorts } from './cross-sell-wiring.js';
import { type ChangeConsumer, createFailuresModule, type FailuresService } from './failures/index.js';
import type { GdprModule } from './gdpr/index.js';
import { composeGdpr } from './gdpr-wiring.js';
import type { ImportRunOptions, ImportsModule } from './imports/index.js';
import type { InvoiceAdapters, InvoicesModule } from './invoices/index.js';
import { createLeadsModule, type LeadsModule } from './leads/index.js';
import { leadPorts } from './leads-wiring.js';
import { composeCommissions, composeImports, composeInvoices } from './money-wiring.js';
import { createOrgModule, type OrgModule } from './org/index.js';
import {
  createOutgoingWebhooksModule,
  type EndpointUrlPolicy,
  type OutgoingWebhooksService,
  type WebhookSender,
} from './outgoing-webhooks/index.js';
import type { PoliciesModule } from './policies/index.js';
import { createReportsModule, type ReportsModule } from './reports/index.js';
import { reportDirectory, reportLists } from './reports-wiring.js';
import { createSettlementModule, type SettlementModule } from './settlement/index.js';
import { insurerReceipts, settlementPorts } from './settlement-wiring.js';
import { createTasksModule, type TasksModule } from './tasks/index.js';
import { dunningFollowUps, taskPorts } from './tasks-wiring.js';
import {
  type ArchiveTarget,
  createWebhooksModule,
  type WebhookLog,
  type WebhooksModule,
} from './webhooks/index.js';
import { webhookPorts } from './webhooks-wiring.js';

/** The domain services of the product, wired once per process over one data layer. */
export interface Services {
  /** The organisation: tenant, structure, partners, the insurer and product catalog. */
  org: OrgModule;
  /** The client book: records, reads, transfers and the pool. */
  clients: ClientsModule;
  /** Policies: reads, writing new business, the lifecycle, the frozen hierarchy. */
  policies: PoliciesModule;
  /** Book import and export files. */
  bookFiles: BookFilesModule;
  /** Invoices, payments, receivables and dunning. */
  invoices: InvoicesModule;
  webhooks: WebhooksModule;
  /** The commission ledger's services: schemes, consumer, ledger reads, periods, disputes, reconciliation, simulation. */
  commissions: CommissionsModule;
  /** Long imports as jobs: started through GraphQL, run by the imports function. */
  imports: ImportsModule;
  /** Tasks, their types and process chains, the renewals schedule. */
  tasks: TasksModule;
  /** Campaigns: member snapshots, distribution as tasks, personal e-mails, the funnel. */
  campaigns: CampaignsModule;
  /** Report jobs: requested through GraphQL, built into the reports bucket by the reports function. */
  reports: ReportsModule;
  /** API keys for machine clients and partner portals. */
  access: AccessModule;
  /** The audit trail of changes (written by the data layer, read here). */
  audit: AuditModule;
  /** Public lead forms and their intake (potential clients and first-contact tasks). */
  leads: LeadsModule;
  /** Cross-sell rules learned from the book and the candidates they rank. */
  crossSell: CrossSellService;
  /** Outgoing webhooks: integrators' endpoints and the deliveries made to them. */
  outgoingWebhooks: OutgoingWebhooksService;
  /** Bank accounts, commission payout batches (pain.001 and CSV files), the accounting journal. */
  settlement: SettlementModule;
  /** Data subject requests: the access export and erasure. */
  gdpr: GdprModule;
  /** Changes consumers gave up on: stored by the hosts, listed and replayed by admins. */
  failures: FailuresService;
  /** For request-scoped batching (GraphQL loaders) and stream consumers; resolvers call services. */
  repositories: BookRepositories;
}

/** What a process may lack: a bucket for generated files (the GraphQL function has one). */
export interface ServiceOptions {
  reports?: ReportTarget | null;
  /** Bucket, mail and SMS for issuing invoices and dunning; without them invoices are not rendered or sent. */
  invoices?: InvoiceAdapters | null;
  /** Where insurer webhook deliveries are archived (the webhook function has the bucket). */
  archive?: ArchiveTarget | null;
  /** Where refused webhook deliveries are logged (reasons only, never a body). */
  webhookLog?: WebhookLog;
  /** How import job runs pace themselves (tests shrink them to make jobs resume across runs). */
  importRuns?: Partial<ImportRunOptions>;
  /** Rows per page a report reads from a list (tests shrink it to see progress move). */
  reportPageRows?: number;
  /** How outgoing webhooks are sent (default `fetch`). */
  webhookSender?: WebhookSender;
  /** Where outgoing webhook endpoints may point (default: public https only). */
  webhookUrlPolicy?: EndpointUrlPolicy;
  /** Overrides how long a webhook delivery may start events (tests of the time budget). */
  webhookTimeBudgetMs?: number;
  /** Where campaign e-mails go out; without it sending campaign e-mails answers RULE_VIOLATION. */
  campaignMail?: CampaignMail | null;
  /** Keys unsubscribe links are signed with (default: derived from a key of this process only). */
  signingKeys?: SigningKeys;
}

/** Composition root: repositories over the Db, services over repositories and the clock. */
export function createServices(db: Db, clock: Clock, options: ServiceOptions = {}): Services {
  const repositories = bookRepositories(db);
  const book = composeBook(repositories, repositories.org, clock);
  const bookFiles = composeBookFiles(repositories, book, clock, options.reports ?? null);
  const tasks = createTasksModule({ db, clock, ...taskPorts(repositories, book.clients) });
  // Settlement reads the ledger and invoices' queue, the ledger tells settlement when a month is paid,
  // and invoices hand settlement the rows insurers paid: each through a port.
  let settlement: SettlementModule | undefined;
  const invoices = composeInvoices(
    db,
    clock,
    repositories,
    options.invoices ?? null,
    dunningFollowUps(tasks),
    insurerReceipts(() => (settlement as SettlementModule).insurerSettlements),
  );
  const org = createOrgModule({ repository: repositories.org, clock });
  const commissions = composeCommissions(db, clock, repositories, book.policies, {
    paidOps: (...args) => (settlement as SettlementModule).payouts.paidOps(...args),
  });
  settlement = createSettlementModule({
    db,
    clock,
    ...settlementPorts(repositories.org, commissions, invoices),
    files: options.reports ?? null,
  });
  const campaigns = composeCampaigns(
    db,
    clock,
    repositories,
    { tasks, clients: book.clients },
    {
      mail: options.campaignMail ?? null,
      signing: options.signingKeys ?? unsubscribeKeysFrom(ephemeralCursorKeys()),
    },
  );
  const services: Omit<Services, 'failures'> = {
    org,
    ...book,
    bookFiles,
    invoices,
    imports: composeImports(db, clock, repositories, { invoices, bookFiles, runs: options.importRuns }),
    commissions,
    settlement,
    tasks,
    campaigns,
    reports: createReportsModule({
      db,
      clock,
      lists: reportLists({ ...book, invoices, commissions, campaigns }),
      directory: reportDirectory(repositories.org),
      bucket: options.reports ?? null,
      pageRows: options.reportPageRows,
    }),
    webhooks: createWebhooksModule({
      db,
      clock,
      ...webhookPorts(repositories, org, clock),
      archive: options.archive ?? null,
      log: options.webhookLog,
      timeBudgetMs: options.webhookTimeBudgetMs,
    }),
    access: createAccessModule({
      db,
      clock,
      partners: {
        partnerExists: async (tenantId, id) =>
          (await repositories.org.getOrgEntity(tenantId, OrgKind.Partner, id)) !== undefined,
      },
    }),
    audit: createAuditModule({ db }),
    gdpr: composeGdpr(db, clock, book.clients, repositories.org, options.reports ?? null, {
      archive: options.archive ?? null,
      invoiceFiles: options.invoices ?? null,
    }),
    crossSell: createCrossSellModule({ db, clock, ...crossSellPorts(repositories, book.clients.book) }),
    leads: createLeadsModule({ db, clock, ...leadPorts(repositories, book.clients, tasks) }),
    outgoingWebhooks: createOutgoingWebhooksModule({
      db,
      clock,
      tenants: { listTenantIds: () => repositories.org.listTenantIds() },
      ...(options.webhookSender ? { sender: options.webhookSender } : {}),
      ...(options.webhookUrlPolicy ? { urlPolicy: options.webhookUrlPolicy } : {}),
    }),
    repositories,
  };
  return {
    ...services,
    failures: createFailuresModule(db, clock, changeConsumers(services, new LiveInbox(db, clock))),
  };
}

/**
 * Every change consumer by its catalog name, as its handler calls the domain: a replay of a failed
 * change goes through exactly this path, so it books what the live consumer would have booked.
 */
export function changeConsumers(
  services: Omit<Services, 'failures'>,
  liveInbox: LiveInbox,
): Record<string, ChangeConsumer> {
  return {
    commissions: (change) => services.commissions.consumer.onChange(change, new ChangeBatch()),
    debtors: (change) =>
      change.entityType === EntityType.InsurerPremiumPayment
        ? services.invoices.payments.onInsurerPayment(change)
        : services.invoices.dunning.onChange(change),
    imports: (change) => services.imports.jobs.onChange(change),
    live: (change) => liveInbox.file(change),
    reports: (change) => services.reports.jobs.onChange(change),
    'outgoing-webhooks': (change) => services.outgoingWebhooks.onChange(change),
  };
}
