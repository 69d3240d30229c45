import type { Clock } from '../../shared/clock.js';
import { BookTransfersService } from './book-transfers.service.js';
import { ClientBook } from './client-book.js';
import { ClientReadsService } from './client-reads.service.js';
import { ClientRecordsService } from './client-records.service.js';
import type { ClientsRepository } from './clients.repository.js';
import type { ClientOrgDirectory, PolicyServicing } from './ports.js';

/**
 * The clients module's public entry: its composition and what other modules, entry points and tests
 * may use. Everything else in this folder is internal.
 */
export { ClientBook } from './client-book.js';
export type { CardInvoice, ClientCard, ReferredClient, ReferredPolicy } from './client-reads.service.js';
export { uniqueValuesOf } from './client-records.service.js';
export {
  type Client,
  ClientListFilterSchema,
  type Contact,
  normaliseId,
  sortNameOf,
  type TimelineEntry,
  type TimelineKind,
} from './clients.model.js';
export { type ClientCardItems, ClientsRepository } from './clients.repository.js';
export type { ClientOrgDirectory, PolicyServicing } from './ports.js';

/** The client services, each one responsibility of the book. */
export interface ClientsModule {
  /** Records: create and edit, status workflow, consents, contacts, notes. */
  records: ClientRecordsService;
  /** Reads: one client, the card, the timeline, scoped lists, the pool, partners' referrals. */
  reads: ClientReadsService;
  /** Hand-over of a client or a book, and the branch pool. */
  transfers: BookTransfersService;
  /** Scope checks, timeline and status ops other modules write beside their own (policies). */
  book: ClientBook;
}

/** Builds the clients module over its repository, with what it needs from the org and policies modules. */
export function createClientsModule(deps: {
  repository: ClientsRepository;
  org: ClientOrgDirectory;
  policies: PolicyServicing;
  clock: Clock;
}): ClientsModule {
  const { repository, org, policies, clock } = deps;
  const book = new ClientBook(repository, org, clock);
  return {
    records: new ClientRecordsService(repository, book),
    reads: new ClientReadsService(repository, book),
    transfers: new BookTransfersService(repository, book, policies),
    book,
  };
}

/** Every status (the shard migration names each status's old index key: infra/local/migrate-shards.ts). */
export { CLIENT_STATUSES } from './clients.model.js';
