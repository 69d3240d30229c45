import type { RecordReach } from '../../shared/auth/policy.js';
import type { Page } from '../../shared/db.js';
import type { Money } from '../../shared/money.js';
import type { OrgKind } from '../../shared/table-design.js';
import type { HierarchyFact, SplitShare } from './engine/index.js';

/**
 * What the commissions module needs from the rest of the product, declared here as narrow lookups
 * and record shapes; functions/modules/services.ts satisfies them from the org, clients and policies
 * modules, so this module imports none of their files and a change there that breaks what commission
 * settlement reads fails the typecheck at the wiring.
 */

/** Policy statuses as the ledger reads them: in force earns, ended claws back. */
export type PolicyStatus = 'OFFER' | 'ACTIVE' | 'RENEWED' | 'LAPSED' | 'CANCELLED' | 'REACTIVATED';

/** The statuses in which a policy earns commission. */
export const IN_FORCE: readonly PolicyStatus[] = ['ACTIVE', 'REACTIVATED'];

/** One level of the seller's frozen upline chain, as a policy carries it. */
export type HierarchyLevel = Pick<
  HierarchyFact,
  'level' | 'userId' | 'name' | 'active' | 'rateGroupId' | 'rateGroupPromotion'
>;

/** The facts of a policy commission settlement reads (a stored policy, or a stream image of one). */
export interface PolicyRecord {
  id: string;
  clientId: string;
  insurerId: string;
  productLineId: string;
  productLineCode: string;
  policyNumber: string;
  premium: Money;
  targetPremium?: Money | null;
  writtenDate: string;
  termStart: string;
  termEnd: string;
  status: PolicyStatus;
  cancellation: { date: string } | null;
  businessType: 'NEW' | 'RENEWAL';
  renewalYear: number;
  sellerId: string;
  originatorId: string | null;
  splits?: SplitShare[] | null;
  servicingAdvisorId: string | null;
  referringPartnerId: string | null;
  branchId: string | null;
  branchKind: 'OWN' | 'FRANCHISE';
  regionId: string | null;
  hierarchy: HierarchyLevel[];
  /** Status changes in order; `from`/`to`/`at` let a recompute replay the policy's history. */
  statusHistory: ReadonlyArray<{ date: string; from?: PolicyStatus | null; to?: PolicyStatus; at?: string }>;
  /** Premium changes in order; the premiums and `at` let a recompute replay them. */
  endorsements: ReadonlyArray<{
    effectiveDate: string;
    previousPremium?: Money;
    newPremium?: Money;
    at?: string;
  }>;
  version: number;
  updatedAt: string;
}

/** The client facts a scheme's rules may match on. */
export interface ClientFacts {
  segment: string | null;
  acquisitionType: string | null;
  leadSourceId: string | null;
}

/** A received premium payment (a stream image), which earns commission on paid premium. */
export interface PaymentRecord {
  id: string;
  policyId: string | null;
  applied: Money;
  paidDate: string;
}

export interface PolicyLookup {
  getPolicy(tenantId: string, policyId: string): Promise<PolicyRecord | undefined>;
}

/** The index partition a written-policies list reads: one insurer's, product line's or branch's policies. */
export type WrittenPartition = { insurerId: string } | { productLineId: string } | { branchId: string };

/** Policies written in [from, before) in a currency, narrowed like a scheme version's `appliesTo`. */
export interface WrittenPolicyFilter {
  from: string;
  before: string | null;
  currency: string;
  insurerIds?: readonly string[];
  /** Product line ids or codes. */
  productLines?: readonly string[];
  branchIds?: readonly string[];
}

/** Policies by index partition (the policies module's indexes by insurer, product line and branch). */
export interface WrittenPolicies {
  /**
   * One page of a partition's policies past the offer stage that pass the filter and, when given,
   * any of the scope alternatives (attribute = value pairs), filtered in the Query.
   */
  listWritten(
    tenantId: string,
    partition: WrittenPartition,
    filter: WrittenPolicyFilter,
    page: { limit: number; cursor: string | null },
    anyOf: Array<[string, string]> | null,
  ): Promise<Page<PolicyRecord>>;
}

export interface ClientLookup {
  getClient(tenantId: string, clientId: string): Promise<ClientFacts | undefined>;
  /** The clients that exist among the ids (one BatchGetItem per 100): a stream batch's clients at once. */
  getClients(tenantId: string, clientIds: readonly string[]): Promise<Array<ClientFacts & { id: string }>>;
}

/** The seller's branch and upline chain as they stood on a date (the policies module freezes them). */
export interface SellerHierarchy {
  freeze(
    tenantId: string,
    sellerId: string,
    date: string,
    path: string,
  ): Promise<{ branch: { id: string; kind: 'OWN' | 'FRANCHISE' }; hierarchy: HierarchyLevel[] }>;
}

/** The org facts commission settlement reads: references, product lines, time zone, where users sit. */
export interface CommissionOrgDirectory {
  /** The tenant's time zone (periods are calendar months there); null when unset. */
  timeZone(tenantId: string): Promise<string | null>;
  /** Which of the references exist in the tenant, as `<kind>:<id>`. */
  existingRefs(tenantId: string, refs: Array<{ kind: OrgKind; id: string }>): Promise<Set<string>>;
  productLines(tenantId: string): Promise<Array<{ id: string; code: string }>>;
  productLine(tenantId: string, id: string): Promise<{ id: string; code: string } | undefined>;
  insurerExists(tenantId: string, id: string): Promise<boolean>;
  /** Every insurer id of the tenant (a small org list). */
  insurerIds(tenantId: string): Promise<string[]>;
  /** Where a user sits in the org tree, for scope checks on their ledger. */
  userReach(tenantId: string, userId: string): Promise<RecordReach>;
}

/** A rate-group membership as promotions read it: the group and its first day. */
export interface RateGroupStanding {
  rateGroupId: string;
  from: string;
}

/** An automatic promotion as the user's history records it (a dated rate-group membership). */
export interface PromotionRecord {
  userId: string;
  rateGroupId: string;
  /** First day of the membership: the first day of the month after `period`. */
  from: string;
  promotion: {
    schemeId: string;
    ruleId: string;
    rateGroupName: string;
    period: string;
    written: string;
    threshold: string;
    currency: string;
  };
}

/** The user's rate-group history in the org module, which promotions read and add to. */
export interface RateGroupHistory {
  /** The user's memberships (any order). */
  memberships(tenantId: string, userId: string): Promise<RateGroupStanding[]>;
  /** The group's name; null when it does not exist. */
  rateGroupName(tenantId: string, rateGroupId: string): Promise<string | null>;
  /**
   * Records the promotion under `id` only if no membership has that id yet: false when it exists (a
   * replayed record), so a promotion is recorded once.
   */
  recordPromotion(tenantId: string, record: PromotionRecord, id: string): Promise<boolean>;
}

/** Everything the commissions module takes from other modules. */
export interface CommissionLookups {
  /** The users' rate-group history (automatic promotions). */
  rateGroups: RateGroupHistory;
  policies: PolicyLookup;
  /** Written policies by insurer, product line or branch (a scheme version's affected policies). */
  writtenPolicies: WrittenPolicies;
  clients: ClientLookup;
  hierarchy: SellerHierarchy;
  org: CommissionOrgDirectory;
}
