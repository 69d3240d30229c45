import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { EntityType } from '../shared/table-design.js';
import { BookFilesService, type ReportTarget } from './book-files/book-files.service.js';
import { ClientsRepository } from './clients/clients.repository.js';
import { ClientsService } from './clients/clients.service.js';
import { CommissionsRepository } from './commissions/commissions.repository.js';
import { ChangeBatch, CommissionsService } from './commissions/commissions.service.js';
import { FailuresRepository } from './failures/failures.repository.js';
import { type ChangeConsumer, FailuresService } from './failures/failures.service.js';
import { DebtorsService } from './invoices/debtors.service.js';
import { InvoicesRepository } from './invoices/invoices.repository.js';
import { type InvoiceAdapters, InvoicesService } from './invoices/invoices.service.js';
import { OrgRepository } from './org/org.repository.js';
import { OrgService } from './org/org.service.js';
import { PoliciesRepository } from './policies/policies.repository.js';
import { PoliciesService } from './policies/policies.service.js';
import {
  type ArchiveTarget,
  createWebhooksModule,
  type WebhookLog,
  type WebhooksModule,
} from './webhooks/index.js';
import { webhookPorts } from './webhooks-wiring.js';

/** The domain services of the product, wired once per process over one data layer. */
export interface Services {
  org: OrgService;
  clients: ClientsService;
  policies: PoliciesService;
  bookFiles: BookFilesService;
  invoices: InvoicesService;
  debtors: DebtorsService;
  webhooks: WebhooksModule;
  commissions: CommissionsService;
  /** Changes consumers gave up on: stored by the hosts, listed and replayed by admins. */
  failures: FailuresService;
  /** For request-scoped batching (GraphQL loaders) and stream consumers; resolvers call services. */
  repositories: {
    org: OrgRepository;
    clients: ClientsRepository;
    policies: PoliciesRepository;
    invoices: InvoicesRepository;
    commissions: CommissionsRepository;
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
  /** Overrides how long a webhook delivery may start events (tests of the time budget). */
  webhookTimeBudgetMs?: number;
}

/** Composition root: repositories over the Db, services over repositories and the clock. */
export function createServices(db: Db, clock: Clock, options: ServiceOptions = {}): Services {
  const repositories = {
    org: new OrgRepository(db),
    clients: new ClientsRepository(db),
    policies: new PoliciesRepository(db),
    invoices: new InvoicesRepository(db),
    commissions: new CommissionsRepository(db),
  };
  const clients = new ClientsService(repositories.clients, repositories.org, clock, repositories.policies);
  const policies = new PoliciesService(
    repositories.policies,
    clients,
    repositories.clients,
    repositories.org,
    clock,
  );
  const org = new OrgService(repositories.org, clock);
  const services: Omit<Services, 'failures'> = {
    org,
    clients,
    policies,
    bookFiles: new BookFilesService(
      clients,
      policies,
      repositories.clients,
      repositories.org,
      clock,
      options.reports ?? null,
    ),
    invoices: new InvoicesService(
      repositories.invoices,
      repositories.clients,
      repositories.policies,
      repositories.org,
      clock,
      options.invoices ?? null,
    ),
    debtors: new DebtorsService(
      repositories.invoices,
      repositories.clients,
      repositories.org,
      clock,
      options.invoices ?? null,
    ),
    commissions: new CommissionsService(
      repositories.commissions,
      repositories.policies,
      repositories.clients,
      repositories.org,
      clock,
      (tenantId, sellerId, date, path) => policies.freeze(tenantId, sellerId, date, path),
    ),
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
    failures: new FailuresService(new FailuresRepository(db), clock, changeConsumers(services)),
  };
}

/**
 * Every change consumer by its catalog name, as its handler calls the domain: a replay of a failed
 * change goes through exactly this path, so it books what the live consumer would have booked.
 */
export function changeConsumers(services: Omit<Services, 'failures'>): Record<string, ChangeConsumer> {
  return {
    commissions: (change) => services.commissions.onChange(change, new ChangeBatch()),
    debtors: (change) =>
      change.entityType === EntityType.InsurerPremiumPayment
        ? services.invoices.onInsurerPayment(change)
        : services.debtors.onChange(change),
  };
}
