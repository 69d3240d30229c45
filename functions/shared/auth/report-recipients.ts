import { isDomainError } from '../errors.js';
import { assertMayRequestReport } from './policy.js';
import type { Principal, Role, Scope } from './principal.js';

/** A stored user as scheduled reports see one: what their principal is built from. */
export interface ScheduledRecipientUser {
  id: string;
  role: Role;
  scope: Scope;
  branchId: string | null;
  regionId: string | null;
  partnerId: string | null;
}

/**
 * The principal a scheduled report is built with: the recipient's own, as their token would carry
 * it, so the report holds exactly what the API would show them (the tenant's default role rights).
 */
export function principalOfUser(tenantId: string, user: ScheduledRecipientUser): Principal {
  return {
    tenantId,
    userId: user.id,
    role: user.role,
    scope: user.scope,
    branchId: user.branchId,
    regionId: user.regionId,
    partnerId: user.partnerId,
  };
}

/**
 * The report a user gets on the monthly schedule: managers the sales efficiency report, partner users
 * their partner's referred-client statement; nobody else. Null also when the user could not request it
 * themselves (EFFICIENCY reads whole commission months: tenant-wide managers only).
 */
export function monthlyReportOf(p: Principal): 'EFFICIENCY' | 'PARTNER_STATEMENT' | null {
  const type = p.role === 'manager' ? 'EFFICIENCY' : p.role === 'partner' ? 'PARTNER_STATEMENT' : null;
  return type && mayRequest(p, type) ? type : null;
}

/** The statement a recipient of an approved month's lines gets: partners their partner statement. */
export function approvedStatementOf(p: Principal): 'COMMISSION_STATEMENT' | 'PARTNER_STATEMENT' | null {
  const type = p.role === 'partner' ? 'PARTNER_STATEMENT' : 'COMMISSION_STATEMENT';
  return mayRequest(p, type) ? type : null;
}

function mayRequest(p: Principal, type: string): boolean {
  try {
    assertMayRequestReport(p, type);
    return true;
  } catch (error) {
    if (isDomainError(error)) return false;
    throw error;
  }
}
