import DataLoader from 'dataloader';
import type { ReferredPolicy } from '../modules/clients/index.js';
import type { Policy } from '../modules/policies/index.js';
import type { Services } from '../modules/services.js';
import type { Principal } from '../shared/auth/principal.js';
import type { OrgKind } from '../shared/table-design.js';
import type { GraphQLContext } from './context.js';

/** An org entity named by its kind and id (a client's owner, a policy's insurer…). */
export interface OrgRef {
  kind: OrgKind;
  id: string;
}

/** A policy named by its id and, where the referring row knows it, its client (the policy's home). */
export interface PolicyRef {
  id: string;
  clientId: string | null;
}

/**
 * Per-request batching of the references that lists and cards name: every user, branch, insurer,
 * product line, partner or lead source a response needs comes from one BatchGetItem, however many
 * rows name them, and so do the policies a ledger page names. Created per request so nothing leaks
 * between callers or tenants. The loaders read without scope checks: the resolvers that use them
 * show only what the row they belong to may show.
 */
export interface Loaders {
  org: DataLoader<OrgRef, unknown, string>;
  policy: DataLoader<PolicyRef, Policy | null, string>;
  /** A referred client's policies as its partner sees them (the service checks the referral). */
  referredPolicies: DataLoader<string, ReferredPolicy[], string>;
  /** The tenant's name, read once per request. */
  tenantName: () => Promise<string | null>;
}

export function createLoaders(services: Services, principal: Principal | null): Loaders {
  let tenantName: Promise<string | null> | undefined;
  return {
    org: new DataLoader<OrgRef, unknown, string>(
      async (refs) => {
        if (!principal) return refs.map(() => null);
        const found = await services.repositories.org.getOrgEntitiesByRef(principal.tenantId, [...refs]);
        return refs.map((r) => found.get(`${r.kind}:${r.id}`) ?? null);
      },
      { cacheKeyFn: (r) => `${r.kind}:${r.id}`, maxBatchSize: 100 },
    ),
    policy: new DataLoader<PolicyRef, Policy | null, string>(
      async (refs) => {
        if (!principal) return refs.map(() => null);
        const found = await services.repositories.policies.getPoliciesByRef(principal.tenantId, refs);
        return refs.map((r) => found.get(r.id) ?? null);
      },
      { cacheKeyFn: (r) => r.id, maxBatchSize: 100 },
    ),
    referredPolicies: new DataLoader<string, ReferredPolicy[], string>(
      (clientIds) => services.clients.reads.referredClientsPolicies(principal, clientIds),
      { maxBatchSize: 100 },
    ),
    tenantName: () => {
      tenantName ??= principal
        ? services.repositories.org.getTenantSettings(principal.tenantId).then((t) => t?.name ?? null)
        : Promise.resolve(null);
      return tenantName;
    },
  };
}

const cache = new WeakMap<GraphQLContext, Loaders>();

/** The request's loaders, created on first use. */
export function loadersOf(context: GraphQLContext): Loaders {
  let loaders = cache.get(context);
  if (!loaders) {
    loaders = createLoaders(context.services, context.principal);
    cache.set(context, loaders);
  }
  return loaders;
}

/** Loads an org entity by reference for a resolver, or null when the id is empty or unknown. */
export async function loadOrg<T>(
  context: GraphQLContext,
  kind: OrgKind,
  id: string | null | undefined,
): Promise<T | null> {
  if (!id) return null;
  return ((await loadersOf(context).org.load({ kind, id })) as T | null) ?? null;
}
