import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { OrgKind } from '../shared/table-design.js';
import { type BookRepositories, composeBook, composeBookFiles } from './book-wiring.js';
import { normaliseId } from './clients/index.js';
import {
  type CommissionLookups,
  type CommissionsModule,
  createCommissionsModule,
  createReceivableReads,
  type PeriodPaidListener,
} from './commissions/index.js';
import { createImportsModule, type ImportRunOptions, type ImportsModule } from './imports/index.js';
import {
  createInvoicesModule,
  type FollowUpTasks,
  type InsurerReceipts,
  type InvoiceAdapters,
  type InvoiceLookups,
  type InvoicesModule,
} from './invoices/index.js';
import type { Branch, ProductLine, RateGroup, User } from './org/index.js';
import type { PoliciesModule } from './policies/index.js';
import { createInsurerSettlements } from './settlement/index.js';
import { insurerReceipts, insurerReceivables } from './settlement-wiring.js';

/**
 * The money modules composed on their own, so a function that runs only one of them (the
 * commission consumer, the debtors subscriber, the overdue sweep, the imports runner) bundles and
 * builds only what that module reads through its lookups.
 */

/**
 * Invoices, payments, receivables and dunning over the book's repositories; the collector step files
 * its payment follow-up through `followUps` (the tasks module) when given, and statement rows insurers
 * paid go to `insurers` (settlement's commission settlements) when given.
 */
export function composeInvoices(
  db: Db,
  clock: Clock,
  repositories: BookRepositories,
  adapters: InvoiceAdapters | null,
  followUps: FollowUpTasks | null = null,
  insurers: InsurerReceipts | null = null,
): InvoicesModule {
  const lookups: InvoiceLookups = invoiceLookups(repositories);
  if (followUps) lookups.followUps = followUps;
  if (insurers) lookups.insurerReceipts = insurers;
  return createInvoicesModule({ db, clock, lookups, adapters });
}

/**
 * The commission ledger's services; the hierarchy is frozen by the policies module given or composed
 * here. `paid` joins settlement's writes to marking a month paid (only the GraphQL function marks).
 */
export function composeCommissions(
  db: Db,
  clock: Clock,
  repositories: BookRepositories,
  policies: PoliciesModule = composeBook(repositories, repositories.org, clock).policies,
  paid: PeriodPaidListener | null = null,
): CommissionsModule {
  return createCommissionsModule({
    db,
    clock,
    lookups: commissionLookups(repositories, policies, clock),
    paid,
  });
}

/** Import jobs: book rows through the book files, bank statement rows through invoice payments. */
export function composeImports(
  db: Db,
  clock: Clock,
  repositories: BookRepositories,
  options: {
    invoices?: InvoicesModule;
    bookFiles?: ReturnType<typeof composeBookFiles>;
    runs?: Partial<ImportRunOptions>;
  } = {},
): ImportsModule {
  const bookFiles =
    options.bookFiles ??
    composeBookFiles(repositories, composeBook(repositories, repositories.org, clock), clock, null);
  const invoices =
    options.invoices ??
    composeInvoices(db, clock, repositories, null, null, statementInsurers(db, clock, repositories));
  return createImportsModule({
    db,
    clock,
    bookFiles: bookFiles.imports,
    invoices: invoices.payments,
    runs: options.runs,
  });
}

/** Rows insurers paid, recorded as commission settlements against the ledger's receivable (import jobs). */
function statementInsurers(db: Db, clock: Clock, repositories: BookRepositories): InsurerReceipts {
  const settlements = createInsurerSettlements({
    db,
    clock,
    receivables: insurerReceivables(repositories.org, createReceivableReads(db)),
  });
  return insurerReceipts(() => settlements);
}

/** What the invoices module reads of clients, policies and tenants, from their repositories. */
function invoiceLookups(repositories: BookRepositories): InvoiceLookups {
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

/** Who `setBy` names on a membership the commission consumer recorded for an automatic promotion. */
const PROMOTION_ACTOR = 'system:commission-promotion';

/** What the commissions module reads of the org, clients and policies, from their repositories. */
function commissionLookups(
  repositories: BookRepositories,
  policies: PoliciesModule,
  clock: Clock,
): CommissionLookups {
  const { org } = repositories;
  return {
    rateGroups: {
      memberships: (tenantId, userId) => org.listRateGroupMemberships(tenantId, userId),
      rateGroupName: async (tenantId, id) =>
        (await org.getOrgEntity<RateGroup>(tenantId, OrgKind.RateGroup, id))?.name ?? null,
      recordPromotion: (tenantId, record, id) =>
        org.addRateGroupMembershipOnce(
          tenantId,
          { ...record, setBy: PROMOTION_ACTOR, at: clock.now().toISOString() },
          id,
        ),
    },
    policies: { getPolicy: (tenantId, id) => repositories.policies.getPolicy(tenantId, id) },
    writtenPolicies: {
      listWritten: (tenantId, partition, filter, page, anyOf) =>
        repositories.policies.listPoliciesWritten(tenantId, partition, filter, page, anyOf),
    },
    clients: {
      getClient: (tenantId, id) => repositories.clients.getClient(tenantId, id),
      getClients: (tenantId, ids) => repositories.clients.getClients(tenantId, [...ids]),
    },
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
      insurerIds: async (tenantId) =>
        (await org.listAllOrgEntities<{ id: string }>(tenantId, OrgKind.Insurer)).map((i) => i.id),
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
