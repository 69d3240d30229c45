import type { Principal } from '../../shared/auth/principal.js';
import type { TransactOp } from '../../shared/db.js';
import type { KeyedRead } from '../../shared/items.js';
import type { OrgKind } from '../../shared/table-design.js';
import type { RateGroupMembership, UserMove } from '../org/index.js';

/** What a policy takes of its client: the holder's name, owner, referrer, and the status it may activate. */
export interface PolicyClient {
  id: string;
  name: string;
  /** The client's lifecycle status (a policy in force moves a potential or lost client to ACTIVE). */
  status: 'POTENTIAL' | 'ACTIVE' | 'LOST';
  version: number;
  ownerAdvisorId: string | null;
  referringPartnerId: string | null;
}

/** The timeline kinds policy writes leave on their client. */
export type PolicyTimelineKind =
  | 'POLICY_WRITTEN'
  | 'POLICY_ENDORSED'
  | 'POLICY_RENEWED'
  | 'POLICY_CANCELLED'
  | 'POLICY_LAPSED'
  | 'POLICY_REACTIVATED'
  | 'STATUS_CHANGED';

/** The client reads and writes a policy write makes, satisfied by the clients module. */
export interface ClientDirectory {
  /** A client within the principal's scope (NOT_FOUND when missing, FORBIDDEN outside the scope). */
  requireClient(principal: Principal, clientId: string): Promise<PolicyClient>;
  /** {@link requireClient} as a read to batch with others (same NOT_FOUND and FORBIDDEN checks). */
  clientRead(principal: Principal, clientId: string): KeyedRead<PolicyClient>;
  /** A client by id, for a policy already reached. */
  getClient(tenantId: string, clientId: string): Promise<PolicyClient | undefined>;
  /** The versioned op moving the client to a status. */
  statusOp(tenantId: string, client: PolicyClient, status: 'ACTIVE'): TransactOp;
  /** The op writing a timeline entry of the client. */
  timelineOp(
    tenantId: string,
    clientId: string,
    kind: PolicyTimelineKind,
    by: string,
    summary: string,
    extra: {
      fromStatus?: PolicyClient['status'] | null;
      toStatus?: PolicyClient['status'] | null;
      reason?: string | null;
      policyId?: string | null;
    },
  ): TransactOp;
}

/** The org reads of policy writes: references by id, and users' moves and rate groups for the hierarchy. */
export interface PolicyOrgDirectory {
  getOrgEntity<T>(tenantId: string, kind: OrgKind, id: string): Promise<T | undefined>;
  /** An org entity as a read to batch with others. */
  orgRead<T>(tenantId: string, kind: OrgKind, id: string): KeyedRead<T | undefined>;
  /** Org entities of any kinds in one BatchGetItem, by `<kind>:<id>`. */
  getOrgEntitiesByRef(
    tenantId: string,
    refs: Array<{ kind: OrgKind; id: string }>,
  ): Promise<Map<string, unknown>>;
  listUserMoves(tenantId: string, userId: string): Promise<UserMove[]>;
  listRateGroupMemberships(tenantId: string, userId: string): Promise<RateGroupMembership[]>;
}
