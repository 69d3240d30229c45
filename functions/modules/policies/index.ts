import type { Clock } from '../../shared/clock.js';
import type { PoliciesRepository } from './policies.repository.js';
import { PolicyBook } from './policy-book.js';
import { PolicyLifecycleService } from './policy-lifecycle.service.js';
import { PolicyReadsService } from './policy-reads.service.js';
import { PolicyWritingService } from './policy-writing.service.js';
import type { ClientDirectory, PolicyOrgDirectory } from './ports.js';
import { SellerHierarchy } from './seller-hierarchy.js';

/**
 * The policies module's public entry: its composition and what other modules, entry points and
 * tests may use. Everything else in this folder is internal.
 */
export {
  type HierarchyLevel,
  IN_FORCE,
  type InsuredObject,
  InsuredObjectSchema,
  normalisePolicyNumber,
  OBJECTS_BY_PRODUCT,
  type Policy,
  PolicyListFilterSchema,
  type PolicyStatus,
} from './policies.model.js';
export { POLICY_NUMBER_FIELD, PoliciesRepository, policyNumberClaim } from './policies.repository.js';
export type { WriteOptions } from './policy-writing.service.js';
export type { ClientDirectory, PolicyClient, PolicyOrgDirectory, PolicyTimelineKind } from './ports.js';
export { placementOn, rateGroupOn } from './seller-hierarchy.js';

/** The policy services, each one responsibility of the book. */
export interface PoliciesModule {
  /** One policy within reach, scoped lists, policies by number or insurer id. */
  reads: PolicyReadsService;
  /** Writing new business (API, webhook, import alike). */
  writing: PolicyWritingService;
  /** Endorse, renew, cancel, lapse, reactivate, accept an offer. */
  lifecycle: PolicyLifecycleService;
  /** The seller's branch and upline chain frozen on a date. */
  hierarchy: SellerHierarchy;
}

/** Builds the policies module over its repository, with what it needs from the clients and org modules. */
export function createPoliciesModule(deps: {
  repository: PoliciesRepository;
  clients: ClientDirectory;
  org: PolicyOrgDirectory;
  clock: Clock;
}): PoliciesModule {
  const { repository, clients, org, clock } = deps;
  const book = new PolicyBook(repository, clients, org, clock);
  const hierarchy = new SellerHierarchy(book, org);
  const reads = new PolicyReadsService(repository, book);
  return {
    reads,
    writing: new PolicyWritingService(repository, book, reads, hierarchy, clients, org),
    lifecycle: new PolicyLifecycleService(repository, book, hierarchy, clients),
    hierarchy,
  };
}

/** Every status (the shard migration names each status's old index key: infra/local/migrate-shards.ts). */
export { POLICY_STATUSES } from './policies.model.js';
