import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import type { OrgKind } from '../../shared/table-design.js';
import type { UniqueField } from '../../shared/unique-fields.js';
import type { Client } from '../clients/index.js';
import type { TenantSettings } from '../org/index.js';
import type { Policy, WriteOptions } from '../policies/index.js';

type PageRequest = { limit: number; cursor: string | null };

/** What book files do with clients: the API's create and list, and who holds a unique value. */
export interface BookClients {
  createClient(principal: Principal, input: unknown, options: { source?: string }): Promise<Client>;
  listClients(principal: Principal, filter: unknown, page: PageRequest): Promise<Page<Client>>;
  ownerOfUnique(tenantId: string, field: UniqueField, value: string): Promise<string | undefined>;
}

/** What book files do with policies: the API's write and list, and a policy by the insurer's id. */
export interface BookPolicies {
  writePolicy(principal: Principal, input: unknown, options: WriteOptions): Promise<Policy>;
  listPolicies(principal: Principal, filter: unknown, page: PageRequest): Promise<Page<Policy>>;
  existingByExternalId(tenantId: string, insurerId: string, externalId: string): Promise<Policy | undefined>;
}

/** The org reads of book files: a tenant's users, insurers and product lines, and its settings. */
export interface BookOrgDirectory {
  listAllOrgEntities<T>(tenantId: string, kind: OrgKind): Promise<T[]>;
  getTenantSettings(tenantId: string): Promise<TenantSettings | undefined>;
}
