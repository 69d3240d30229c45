import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { type BookFilesModule, createBookFilesModule, type ReportTarget } from './book-files/index.js';
import {
  type ClientOrgDirectory,
  type ClientsModule,
  ClientsRepository,
  createClientsModule,
} from './clients/index.js';
import { OrgRepository } from './org/index.js';
import {
  createPoliciesModule,
  type PoliciesModule,
  PoliciesRepository,
  type PolicyOrgDirectory,
} from './policies/index.js';

/** The repositories of the org and the book, which most compositions read through their lookups. */
export interface BookRepositories {
  org: OrgRepository;
  clients: ClientsRepository;
  policies: PoliciesRepository;
}

/** One set of book repositories over the Db, shared by every module a function composes. */
export function bookRepositories(db: Db): BookRepositories {
  return {
    org: new OrgRepository(db),
    clients: new ClientsRepository(db),
    policies: new PoliciesRepository(db),
  };
}

/**
 * The clients and policies modules wired to each other through their narrow lookups: policies ask
 * the clients' book for clients (scope, timeline, activation), clients move their policies' servicing
 * through the policies repository's replace op.
 */
export function composeBook(
  repositories: { clients: ClientsRepository; policies: PoliciesRepository },
  org: ClientOrgDirectory & PolicyOrgDirectory,
  clock: Clock,
): { clients: ClientsModule; policies: PoliciesModule } {
  const clients = createClientsModule({
    repository: repositories.clients,
    org,
    policies: repositories.policies,
    clock,
  });
  const policies = createPoliciesModule({
    repository: repositories.policies,
    clients: clients.book,
    org,
    clock,
  });
  return { clients, policies };
}

/** Book import and export files, writing and reading through the clients and policies services. */
export function composeBookFiles(
  repositories: BookRepositories,
  book: { clients: ClientsModule; policies: PoliciesModule },
  clock: Clock,
  reports: ReportTarget | null,
): BookFilesModule {
  const { clients, policies } = book;
  return createBookFilesModule({
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
    reports,
  });
}
