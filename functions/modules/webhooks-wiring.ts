import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { memoizedReads } from '../shared/memoized-reads.js';
import { OrgKind } from '../shared/table-design.js';
import { type BookRepositories, bookRepositories, composeBook } from './book-wiring.js';
import {
  createOrgModule,
  type OrgModule,
  type OrgRepository,
  type ProductLine,
  type User,
} from './org/index.js';
import {
  type ArchiveTarget,
  createWebhooksModule,
  type DeliveryBook,
  type DeliveryLimitSettings,
  type OrgReference,
  type WebhookLog,
  type WebhooksDeps,
  type WebhooksModule,
} from './webhooks/index.js';

/**
 * The webhooks module's ports, satisfied by the org, clients and policies modules: the insurer
 * directory, the org reads of mapping administration, and a book per delivery.
 */
export function webhookPorts(
  repositories: BookRepositories,
  org: OrgModule,
  clock: Clock,
): Pick<WebhooksDeps, 'insurers' | 'org' | 'openBook'> {
  return {
    insurers: {
      activeWebhookSecrets: (insurerId) => org.catalog.activeWebhookSecrets(insurerId),
      hasInsurer: async (tenantId, insurerId) =>
        (await repositories.org.getOrgEntity(tenantId, OrgKind.Insurer, insurerId)) !== undefined,
    },
    org: orgReference(repositories.org),
    openBook: () => deliveryBook(repositories, clock),
  };
}

/**
 * The webhook function's composition: the webhooks module over only the modules it writes through,
 * so the function's bundle carries nothing else (invoices, commissions, book files).
 */
export function composeWebhooks(
  db: Db,
  clock: Clock,
  options: { archive: ArchiveTarget | null; log?: WebhookLog; deliveryLimits?: DeliveryLimitSettings },
): WebhooksModule {
  const repositories = bookRepositories(db);
  return createWebhooksModule({
    db,
    clock,
    ...webhookPorts(repositories, createOrgModule({ repository: repositories.org, clock }), clock),
    archive: options.archive,
    log: options.log,
    ...(options.deliveryLimits ? { deliveryLimits: options.deliveryLimits } : {}),
  });
}

/** The org reads insurer webhooks make: users and product lines. */
function orgReference(repo: OrgRepository): OrgReference {
  return {
    getUser: (tenantId, userId) => repo.getOrgEntity<User>(tenantId, OrgKind.User, userId),
    listUsers: (tenantId) => repo.listAllOrgEntities<User>(tenantId, OrgKind.User),
    listProductLines: (tenantId) => repo.listAllOrgEntities<ProductLine>(tenantId, OrgKind.ProductLine),
  };
}

/**
 * The clients and policies one webhook delivery writes, as their services write them, over org reads
 * remembered for the delivery: its events share an insurer, product lines and sellers.
 */
function deliveryBook(repositories: BookRepositories, clock: Clock): DeliveryBook {
  const org = memoizedReads(repositories.org);
  const { clients, policies } = composeBook(repositories, org, clock);
  return {
    org: orgReference(org),
    holders: {
      clientHolding: (tenantId, key, value) => clients.book.ownerOfUnique(tenantId, key, value),
      createClient: (principal, input, options) => clients.records.createClient(principal, input, options),
    },
    policies: {
      currentByNumber: (tenantId, insurerId, policyNumber) =>
        policies.reads.currentByNumber(tenantId, insurerId, policyNumber),
      idsByNumbers: (tenantId, insurerId, policyNumbers) =>
        policies.reads.idsByNumbers(tenantId, insurerId, policyNumbers),
      writePolicy: (principal, input, options) => policies.writing.writePolicy(principal, input, options),
      renewPolicy: (principal, input) => policies.lifecycle.renewPolicy(principal, input),
      endorsePolicy: (principal, input) => policies.lifecycle.endorsePolicy(principal, input),
      cancelPolicy: (principal, input) => policies.lifecycle.cancelPolicy(principal, input),
      reactivatePolicy: (principal, input) => policies.lifecycle.reactivatePolicy(principal, input),
    },
  };
}
