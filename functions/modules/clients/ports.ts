import type { TransactOp } from '../../shared/db.js';
import type { OrgKind } from '../../shared/table-design.js';
import type { Policy } from '../policies/index.js';

/** The org reads the clients module makes: users, branches, lead sources and partners by id. */
export interface ClientOrgDirectory {
  getOrgEntity<T>(tenantId: string, kind: OrgKind, id: string): Promise<T | undefined>;
}

/** What a hand-over writes of the client's policies: each moved in the same transaction as the client. */
export interface PolicyServicing {
  replaceOp(tenantId: string, policy: Policy, expectedVersion: number): TransactOp;
}
