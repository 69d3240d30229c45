import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { LiveInbox } from '../shared/live-inbox.js';
import { EntityType, OrgKind } from '../shared/table-design.js';
import { type BookFilesModule, createBookFilesModule, type ReportTarget } from './book-files/index.js';
import { composeBook } from './book-wiring.js';
import { type ClientsModule, ClientsRepository, normaliseId } from './clients/index.js';
import {
  ChangeBatch,
  type CommissionLookups,
  type CommissionsModule,
  createCommissionsModule,
} from './commissions/index.js';
import { type ChangeConsumer, createFailuresModule, type FailuresService } from './failures/index.js';
import { createImportsModule, type ImportRunOptions, type ImportsModule } from './imports/index.js';
import {
  createInvoicesModule,
  type InvoiceAdapters,
  type InvoiceLookups,
  type InvoicesModule,
} from './invoices/index.js';
import {
  type Branch,
  createOrgModule,
  type OrgModule,
  OrgRepository,
  type ProductLine,
  type User,
} from './org/index.js';
import { type PoliciesModule, PoliciesRepository } from './policies/index.js';
import { createSettlementModule, type SettlementModule } from './settlement/index.js';
import { settlementPorts } from './settlement-wiring.js';
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
  /** Bank accounts and commission payout batches (pain.001 and CSV files). */
  settlement: SettlementModule;
  /** Changes consumers gave up on: stored by the hosts, listed and replayed by admins. */
  failures: FailuresService;
  /** For request-scoped batching (GraphQL loaders) and stream consumers; resolvers call services. */
  repositories: {
    org: OrgRepository;
    clients: ClientsRepository;
    policies: PoliciesRepository;
  };
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
  /** Overrides how long a webhook delivery may start events (tests of the time budget). */
  webhookTimeBudgetMs?: number;
}

/** Composition root: repositories over the Db, services over repositories and the clock. */
export function createServices(db: Db, clock: Clock, options: ServiceOptions = {}): Services {
  const repositories = {
    org: new OrgRepository(db),
    clients: new ClientsRepository(db),
    policies: new PoliciesRepository(db),
  };
  const { clients, policies } = composeBook(repositories, repositories.org, clock);
  const bookFiles = createBookFilesModule({
    clients: {
      createClient: (p, input, options) => clients.records.createClient(p, input, options),
      listClients: (p, filter, page) => clients.reads.listClients(p, filter, page),
      ownerOfUnique: (tenantId, field, value) => clients.book.ownerOfUnique(tenantId, field, value),
    },
    policies: {
      writePolicy: (p, input, options) => policies.writing.writePolicy(p, input, options),
      listPolicies: (p, filter, page) => policies.reads.listPolicies(p, filter, page),
      existingByExternalId: (tenantId, insurerId, externalId) =>
        policies.reads.existingByExternalId(tenantId, insurerId, externalId),
    },
    org: repositories.org,
    clock,
    reports: options.reports ?? null,
  });
  const invoices = createInvoicesModule({
    db,
    clock,
    lookups: invoiceLookups(repositories),
    adapters: options.invoices ?? null,
  });
  const org = createOrgModule({ repository: repositories.org, clock });
  // Settlement reads the ledger and the ledger tells settlement when a month is paid: each through a port.
  let settlement: SettlementModule | undefined;
  const commissions = createCommissionsModule({
    db,
    clock,
    lookups: commissionLookups(repositories, policies),
    paid: { paidOps: (...args) => (settlement as SettlementModule).payouts.paidOps(...args) },
  });
  settlement = createSettlementModule({
    db,
    clock,
    ...settlementPorts(repositories.org, commissions, invoices),
    files: options.reports ?? null,
  });
  const services: Omit<Services, 'failures'> = {
    org,
    clients,
    policies,
    bookFiles,
    invoices,
    imports: createImportsModule({
      db,
      clock,
      bookFiles: bookFiles.imports,
      invoices: invoices.payments,
      runs: options.importRuns,
    }),
    commissions,
    settlement,
    webhooks: createWebhooksModule({
      db,
      clock,
      ...webhookPorts(repositories, org, clock),
      archive: options.archive ?? null,
      log: options.webhookLog,
      timeBudgetMs: options.webhookTimeBudgetMs,
    }),
    repositories,
  };
  return {
    ...services,
    failures: createFailuresModule(db, clock, changeConsumers(services, new LiveInbox(db, clock))),
  };
}

/** What the invoices module reads of clients, policies and tenants, from their repositories. */
function invoiceLookups(repositories: Services['repositories']): InvoiceLookups {
  const { clients } = repositories;
  return {
    clients: {
      getClient: (tenantId, id) => clients.getClient(tenantId, id),
      getClients: (tenantId, ids) => clients.getClients(tenantId, ids),
      clientIdByRef: async (tenantId, ref) =>
        (await clients.ownerOfUnique(tenantId, 'CLIENT_EXTERNAL_ID', ref)) ??
        (await clients.ownerOfUnique(tenantId, 'TAX_ID', normaliseId(ref))) ??
        (await clients.ownerOfUnique(tenantId, 'NATIONAL_ID', normaliseId(ref))),
    },
    policies: { getPolicy: (tenantId, id) => repositories.policies.getPolicy(tenantId, id) },
    tenants: {
      getTenantSettings: (tenantId) => repositories.org.getTenantSettings(tenantId),
      listTenantIds: () => repositories.org.listTenantIds(),
    },
  };
}

/** What the commissions module reads of the org, clients and policies, from their repositories. */
function commissionLookups(
  repositories: Services['repositories'],
  policies: PoliciesModule,
): CommissionLookups {
  const { org } = repositories;
  return {
    policies: { getPolicy: (tenantId, id) => repositories.policies.getPolicy(tenantId, id) },
    clients: { getClient: (tenantId, id) => repositories.clients.getClient(tenantId, id) },
    hierarchy: {
      freeze: (tenantId, sellerId, date, path) => policies.hierarchy.freeze(tenantId, sellerId, date, path),
    },
    org: {
      timeZone: async (tenantId) => (await org.getTenantSettings(tenantId))?.timeZone ?? null,
      existingRefs: async (tenantId, refs) => new Set((await org.getOrgEntitiesByRef(tenantId, refs)).keys()),
      productLines: (tenantId) => org.listAllOrgEntities<ProductLine>(tenantId, OrgKind.ProductLine),
      productLine: (tenantId, id) => org.getOrgEntity<ProductLine>(tenantId, OrgKind.ProductLine, id),
      insurerExists: async (tenantId, id) =>
        (await org.getOrgEntity(tenantId, OrgKind.Insurer, id)) !== undefined,
      userReach: async (tenantId, userId) => {
        const user = await org.getOrgEntity<User>(tenantId, OrgKind.User, userId);
        const branch = user?.branchId
          ? await org.getOrgEntity<Branch>(tenantId, OrgKind.Branch, user.branchId)
          : undefined;
        return { ownerUserId: userId, branchId: user?.branchId ?? null, regionId: branch?.regionId ?? null };
      },
    },
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
  };
}
