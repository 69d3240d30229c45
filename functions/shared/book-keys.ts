import { seg, tenantPrefix } from './key-segments.js';
import { type ShardedPartition, sharded, shardedKey } from './sharded-keys.js';

/**
 * Index key builders of clients and policies (the book), spread into `keys` by table-design.ts: the
 * code asks `keys`, never this file. The hot ones are sharded (sharded-keys.ts); each shard count is
 * named once here and used by both the writer (`clientIndexes`, `policyIndexes`) and the reader.
 */

/** Fields of a client that place it in the indexes. `sortName` is a normalised name (lower case, no accents). */
export interface ClientIndexFields {
  id: string;
  ownerAdvisorId: string | null;
  status: string;
  branchId: string;
  sortName: string;
  inPool: boolean;
  referringPartnerId: string | null;
  createdAt: string;
}

/** Fields of a policy that place it in the indexes. */
export interface PolicyIndexFields {
  id: string;
  servicingAdvisorId: string | null;
  insurerId: string;
  branchId: string;
  productLineId: string;
  status: string;
  termStart: string;
  termEnd: string;
}

/**
 * Shards of a branch's client list: a webhook burst's new holders all land on one branch (1,920 % of
 * a partition at 10× peak, docs/scale.md section 6): 64 keep it under 50 % (1,920 / 64 = 30 %).
 */
export const CLIENT_BRANCH_SHARDS = 64;
/** Shards of a branch's policy list: a bulk renewal of one branch measured 1,760 % at 10× (→ 28 %). */
export const POLICY_BRANCH_SHARDS = 64;
/** Shards of an insurer's policy list: one insurer's webhooks or import measured 960 % at 10× (→ 30 %). */
export const POLICY_INSURER_SHARDS = 32;
/** Shards of a product line's policy list: 960 % at 10× as the insurer's (→ 30 %). */
export const POLICY_PRODUCT_SHARDS = 32;
/**
 * Shards of the tenant's policies of a status: 16 left a bulk renewal's worst shard at 116 % at 10×
 * (a renewal is a put on the new term's and a delete on the old term's status key): 32 halve it.
 */
export const POLICY_STATUS_SHARDS = 32;
/**
 * Shards of the tenant's clients of a status and of its clients by creation: a webhook burst's new
 * holders (320 a second at the modelled peak, each created POTENTIAL then made ACTIVE) left 16 shards
 * at 80 % of a partition at 10× on average (docs/scale.md section 6): 64 bring it to about 20 %.
 */
export const CLIENT_STATUS_SHARDS = 64;
export const CLIENT_CREATION_SHARDS = 64;

/** Unsharded values of the sharded book keys (a shard appends `#S<n>`; the migration reads these). */
const base = {
  clientsByStatus: (tenantId: string, status: string) =>
    `${tenantPrefix(tenantId)}#CLIENT#STATUS#${seg(status)}`,
  clientsByCreation: (tenantId: string) => `${tenantPrefix(tenantId)}#CLIENT#CREATED`,
  clientsByBranch: (tenantId: string, branchId: string) =>
    `${tenantPrefix(tenantId)}#BRANCH#${seg(branchId)}#CLIENT`,
  policiesByInsurer: (tenantId: string, insurerId: string) =>
    `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}#POLICY`,
  policiesByBranch: (tenantId: string, branchId: string) =>
    `${tenantPrefix(tenantId)}#BRANCH#${seg(branchId)}#POLICY`,
  policiesByProductLine: (tenantId: string, productLineId: string) =>
    `${tenantPrefix(tenantId)}#PRODUCT#${seg(productLineId)}#POLICY`,
  policiesByStatus: (tenantId: string, status: string) =>
    `${tenantPrefix(tenantId)}#POLICY#STATUS#${seg(status)}`,
};

export const bookKeys = {
  /**
   * Index keys of a client: by owner, by status, by branch (sorted by name), the branch pool, by
   * referring partner, and by creation (new clients per day: the campaign funnel's leads).
   */
  clientIndexes: (tenantId: string, c: ClientIndexFields): Record<string, string> => {
    const t = tenantPrefix(tenantId);
    const byName = `${c.sortName}#${seg(c.id)}`;
    const idx: Record<string, string> = {
      gsi2pk: shardedKey(base.clientsByStatus(tenantId, c.status), c.id, CLIENT_STATUS_SHARDS),
      gsi2sk: byName,
      gsi3pk: shardedKey(base.clientsByBranch(tenantId, c.branchId), c.id, CLIENT_BRANCH_SHARDS),
      gsi3sk: `${c.status}#${byName}`,
      gsi6pk: shardedKey(base.clientsByCreation(tenantId), c.id, CLIENT_CREATION_SHARDS),
      gsi6sk: `${c.createdAt}#${seg(c.id)}`,
    };
    if (c.ownerAdvisorId) {
      idx.gsi1pk = `${t}#OWNER#${seg(c.ownerAdvisorId)}#CLIENT`;
      idx.gsi1sk = `${c.status}#${byName}`;
    }
    if (c.inPool) {
      idx.gsi4pk = `${t}#POOL#${seg(c.branchId)}`;
      idx.gsi4sk = byName;
    }
    if (c.referringPartnerId) {
      idx.gsi5pk = `${t}#PARTNER#${seg(c.referringPartnerId)}#CLIENT`;
      idx.gsi5sk = `${c.status}#${seg(c.id)}`;
    }
    return idx;
  },
  clientsByOwner: (tenantId: string, advisorId: string) =>
    `${tenantPrefix(tenantId)}#OWNER#${seg(advisorId)}#CLIENT`,
  /** Sharded (sharded-keys.ts): a tenant's clients of a status are spread over 16 key values. */
  clientsByStatus: (tenantId: string, status: string): ShardedPartition =>
    sharded(base.clientsByStatus(tenantId, status), CLIENT_STATUS_SHARDS),
  /**
   * countClientsCreatedBetween: the tenant's clients on gsi6 by creation instant (`<createdAt>#<id>`),
   * 16 shards (docs/scale.md, section 6: new holders of a webhook burst).
   */
  clientsByCreation: (tenantId: string): ShardedPartition =>
    sharded(base.clientsByCreation(tenantId), CLIENT_CREATION_SHARDS),
  /** A branch's clients: {@link CLIENT_BRANCH_SHARDS} shards, merged by `<status>#<name>#<id>`. */
  clientsByBranch: (tenantId: string, branchId: string): ShardedPartition =>
    sharded(base.clientsByBranch(tenantId, branchId), CLIENT_BRANCH_SHARDS),
  clientPool: (tenantId: string, branchId: string) => `${tenantPrefix(tenantId)}#POOL#${seg(branchId)}`,
  clientsByPartner: (tenantId: string, partnerId: string) =>
    `${tenantPrefix(tenantId)}#PARTNER#${seg(partnerId)}#CLIENT`,

  /**
   * Index keys of a policy: by servicing advisor, insurer, branch and product line (each sorted by
   * status, then term start), by id, and by status sorted by term end (the renewal window).
   */
  policyIndexes: (tenantId: string, p: PolicyIndexFields): Record<string, string> => {
    const t = tenantPrefix(tenantId);
    const byStart = `${seg(p.status)}#${seg(p.termStart)}#${seg(p.id)}`;
    const idx: Record<string, string> = {
      gsi2pk: shardedKey(base.policiesByInsurer(tenantId, p.insurerId), p.id, POLICY_INSURER_SHARDS),
      gsi2sk: byStart,
      gsi3pk: shardedKey(base.policiesByBranch(tenantId, p.branchId), p.id, POLICY_BRANCH_SHARDS),
      gsi3sk: byStart,
      gsi4pk: shardedKey(base.policiesByProductLine(tenantId, p.productLineId), p.id, POLICY_PRODUCT_SHARDS),
      gsi4sk: byStart,
      gsi5pk: `${t}#POLICY#${seg(p.id)}`,
      gsi5sk: 'POLICY',
      gsi6pk: shardedKey(base.policiesByStatus(tenantId, p.status), p.id, POLICY_STATUS_SHARDS),
      gsi6sk: `${seg(p.termEnd)}#${seg(p.id)}`,
    };
    if (p.servicingAdvisorId) {
      idx.gsi1pk = `${t}#OWNER#${seg(p.servicingAdvisorId)}#POLICY`;
      idx.gsi1sk = byStart;
    }
    return idx;
  },
  policiesByAdvisor: (tenantId: string, advisorId: string) =>
    `${tenantPrefix(tenantId)}#OWNER#${seg(advisorId)}#POLICY`,
  /** An insurer's policies: {@link POLICY_INSURER_SHARDS} shards, merged by `<status>#<start>#<id>`. */
  policiesByInsurer: (tenantId: string, insurerId: string): ShardedPartition =>
    sharded(base.policiesByInsurer(tenantId, insurerId), POLICY_INSURER_SHARDS),
  /** A branch's policies: {@link POLICY_BRANCH_SHARDS} shards, merged by `<status>#<start>#<id>`. */
  policiesByBranch: (tenantId: string, branchId: string): ShardedPartition =>
    sharded(base.policiesByBranch(tenantId, branchId), POLICY_BRANCH_SHARDS),
  /** A product line's policies: {@link POLICY_PRODUCT_SHARDS} shards, merged by `<status>#<start>#<id>`. */
  policiesByProductLine: (tenantId: string, productLineId: string): ShardedPartition =>
    sharded(base.policiesByProductLine(tenantId, productLineId), POLICY_PRODUCT_SHARDS),
  policyById: (tenantId: string, policyId: string) => `${tenantPrefix(tenantId)}#POLICY#${seg(policyId)}`,
  /** A tenant's policies of a status: {@link POLICY_STATUS_SHARDS} shards, merged by `<termEnd>#<id>`. */
  policiesByStatus: (tenantId: string, status: string): ShardedPartition =>
    sharded(base.policiesByStatus(tenantId, status), POLICY_STATUS_SHARDS),
} as const;
