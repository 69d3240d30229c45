import { OrgKind } from '../shared/table-design.js';
import { type ClientsRepository, normaliseId } from './clients/index.js';
import type { CommissionLookups } from './commissions/index.js';
import type { InvoiceLookups } from './invoices/index.js';
import type { Branch, OrgRepository, ProductLine, User } from './org/index.js';
import type { PoliciesModule, PoliciesRepository } from './policies/index.js';

/** The repositories lookups read through. */
export interface LookupRepositories {
  org: OrgRepository;
  clients: ClientsRepository;
  policies: PoliciesRepository;
}

/** What the invoices module reads of clients, policies and tenants, from their repositories. */
export function invoiceLookups(repositories: LookupRepositories): InvoiceLookups {
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
export function commissionLookups(
  repositories: LookupRepositories,
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
