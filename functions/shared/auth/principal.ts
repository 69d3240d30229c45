import * as z from 'zod';
import { IdSchema } from '../input.js';

export const ROLES = ['admin', 'manager', 'backoffice', 'advisor', 'partner'] as const;
export type Role = (typeof ROLES)[number];

/** How far a user's view reaches in the org tree. */
export const SCOPES = ['own', 'branch', 'region', 'all'] as const;
export type Scope = (typeof SCOPES)[number];

/** The verified caller. Built only from a verified token: never from request arguments. */
export interface Principal {
  userId: string;
  tenantId: string;
  role: Role;
  scope: Scope;
  branchId: string | null;
  regionId: string | null;
  /** Set for partner users: the partner (lead supplier) they act for. */
  partnerId: string | null;
  /**
   * The actions this principal's role may take in its tenant when the tenant changed the defaults
   * (`setRolePermissions`), already held to the ceiling; absent, the defaults of policy.ts apply.
   * Set per request by the GraphQL context, never from a token claim.
   */
  actions?: readonly string[];
}

/**
 * Claim names. They follow Cognito's `custom:` convention for user-pool attributes, so an ID token
 * from the cloud user pool and one from the local issuer carry the same claims.
 */
export const CLAIMS = {
  tenantId: 'custom:tenantId',
  userId: 'custom:userId',
  role: 'custom:role',
  scope: 'custom:scope',
  branchId: 'custom:branchId',
  regionId: 'custom:regionId',
  partnerId: 'custom:partnerId',
} as const;

/** Claims become key segments (`T#<tenantId>#…`): a `#` in one would reach another tenant's keys. */
const optionalId = IdSchema.optional().transform((v) => v ?? null);

export const ClaimsSchema = z.object({
  sub: z.string().min(1),
  [CLAIMS.tenantId]: IdSchema,
  [CLAIMS.userId]: IdSchema,
  [CLAIMS.role]: z.enum(ROLES),
  [CLAIMS.scope]: z.enum(SCOPES),
  [CLAIMS.branchId]: optionalId,
  [CLAIMS.regionId]: optionalId,
  [CLAIMS.partnerId]: optionalId,
});

/** Maps verified claims onto a principal; throws a zod error if a claim is missing or malformed. */
export function principalFromClaims(claims: unknown): Principal {
  const c = ClaimsSchema.parse(claims);
  return {
    tenantId: c[CLAIMS.tenantId],
    userId: c[CLAIMS.userId],
    role: c[CLAIMS.role],
    scope: c[CLAIMS.scope],
    branchId: c[CLAIMS.branchId],
    regionId: c[CLAIMS.regionId],
    partnerId: c[CLAIMS.partnerId],
  };
}

/** The claims a token for this principal carries (the local issuer and seeds use it). */
export function claimsOf(principal: Principal): Record<string, string> {
  const claims: Record<string, string> = {
    [CLAIMS.tenantId]: principal.tenantId,
    [CLAIMS.userId]: principal.userId,
    [CLAIMS.role]: principal.role,
    [CLAIMS.scope]: principal.scope,
  };
  if (principal.branchId) claims[CLAIMS.branchId] = principal.branchId;
  if (principal.regionId) claims[CLAIMS.regionId] = principal.regionId;
  if (principal.partnerId) claims[CLAIMS.partnerId] = principal.partnerId;
  return claims;
}

/**
 * The principal for work the system does on a tenant's behalf (provisioning, seeding, webhook
 * ingestion): admin reach inside exactly one tenant, never across tenants.
 */
export function systemPrincipal(tenantId: string, actor = 'system'): Principal {
  return {
    tenantId,
    userId: actor,
    role: 'admin',
    scope: 'all',
    branchId: null,
    regionId: null,
    partnerId: null,
  };
}
