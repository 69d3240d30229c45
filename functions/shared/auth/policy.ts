import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { Principal, Role } from './principal.js';

/**
 * Every authorization decision of the product, in one table. Resolvers name an action; they never
 * compare roles themselves. Record-level reach (own, branch, region, all) is decided by
 * {@link canReach}.
 */
export const PERMISSIONS = {
  /** Read the org model: branches, users, product lines, insurers (never their secrets)… */
  'org:read': ['admin', 'manager', 'backoffice', 'advisor'],
  /** Tenant settings, regions, branches, insurers, product lines, rate groups. */
  'org:configure': ['admin'],
  /** Users: create, move in the hierarchy, rate-group membership. */
  'users:manage': ['admin', 'manager'],
  /** Partners (lead suppliers) and lead sources. */
  'partners:manage': ['admin', 'manager', 'backoffice'],
  /** Clients and policies within the principal's scope: read, create, edit, notes, policy writes. */
  'book:read': ['admin', 'manager', 'backoffice', 'advisor'],
  'book:write': ['admin', 'manager', 'backoffice', 'advisor'],
  /** Hand a client, or an advisor's whole book, to another advisor. */
  'book:transfer': ['admin', 'manager', 'backoffice'],
  /** Partners' view of the clients they referred: no personal or financial fields. */
  'book:referrals': ['partner'],
  /** Import and export lists. */
  'book:import': ['admin', 'manager', 'backoffice'],
  'book:export': ['admin', 'manager', 'backoffice', 'advisor'],
  /** Invoices, payments and debtor lists within the principal's scope; partners get none. */
  'invoices:read': ['admin', 'manager', 'backoffice', 'advisor'],
  'invoices:write': ['admin', 'manager', 'backoffice', 'advisor'],
  /** Register, import, match and reverse payments; write off invoices. */
  'payments:write': ['admin', 'manager', 'backoffice'],
  /** Edit the tenant's dunning policy (steps, quiet hours). */
  'dunning:configure': ['admin', 'manager'],
  /** Commission schemes: managers and admins define them; advisors and backoffice may read the rules. */
  'commissions:configure': ['admin', 'manager'],
  'commissions:schemes:read': ['admin', 'manager', 'backoffice', 'advisor'],
  /**
   * Commission lines and accruals: everyone their own (partners their partner ledger only); managers
   * their scope; the receivable and partner ledgers managers, backoffice and admins. Recipients dispute here.
   */
  'commissions:read': ['admin', 'manager', 'backoffice', 'advisor', 'partner'],
  /** Approve and pay periods, correct lines, resolve disputes. */
  'commissions:approve': ['admin', 'manager'],
  /** Import insurers' commission statements and work their exceptions. */
  'commissions:reconcile': ['admin', 'manager', 'backoffice'],
  /** What-if: the lines a hypothetical policy would produce (advisors for their own sales). */
  'commissions:simulate': ['admin', 'manager', 'backoffice', 'advisor'],
  /** Insurer webhook mappings, the archive of deliveries and their reprocessing. */
  'webhooks:manage': ['admin'],
  /** Read one's own identity. */
  'self:read': ['admin', 'manager', 'backoffice', 'advisor', 'partner'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;

/** Throws UNAUTHENTICATED without a principal, FORBIDDEN when the role may not take the action. */
export function authorize(principal: Principal | null, action: Action): Principal {
  if (!principal) throw new UnauthenticatedError('Sign in: this operation needs a bearer token');
  const allowed: readonly Role[] = PERMISSIONS[action];
  if (!allowed.includes(principal.role)) {
    throw new ForbiddenError(`Role ${principal.role} may not ${action}`, { action });
  }
  return principal;
}

/** The org position of a record, for scope checks. */
export interface RecordReach {
  ownerUserId?: string | null;
  branchId?: string | null;
  regionId?: string | null;
}

/** Whether the principal's scope reaches a record: own < branch < region < all. */
export function canReach(principal: Principal, record: RecordReach): boolean {
  switch (principal.scope) {
    case 'all':
      return true;
    case 'region':
      return (
        (principal.regionId !== null && record.regionId === principal.regionId) ||
        record.ownerUserId === principal.userId
      );
    case 'branch':
      return (
        (principal.branchId !== null && record.branchId === principal.branchId) ||
        record.ownerUserId === principal.userId
      );
    case 'own':
      return record.ownerUserId === principal.userId;
  }
}

/** Throws FORBIDDEN unless the principal's scope reaches the record. */
export function assertReach(principal: Principal, record: RecordReach, what: string): void {
  if (!canReach(principal, record)) throw new ForbiddenError(`${what} is outside your scope`);
}
