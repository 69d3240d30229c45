import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { Principal, Role, Scope } from './principal.js';

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
  /** Import jobs (books and bank statements) are listed to the roles that may start either kind. */
  'imports:read': ['admin', 'manager', 'backoffice'],
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
  /**
   * The staff's commission line type (explanation with base and rate, policy number): partners read
   * their lines through the partner portal's own type instead, which has no such field.
   */
  'commissions:lines:read': ['admin', 'manager', 'backoffice', 'advisor'],
  /** The partner portal: the partner's own users and sub-agents, its commission lines. */
  'partners:portal': ['partner'],
  /** Approve and pay periods, correct lines, resolve disputes. */
  'commissions:approve': ['admin', 'manager'],
  /** Recompute a policy's (or a month's) lines under today's scheme versions; the difference becomes new lines. */
  'commissions:recompute': ['admin', 'manager'],
  /** Bank accounts of users, partners and the brokerage, for commission payouts (tenant-wide scope). */
  'bankAccounts:manage': ['admin', 'manager', 'backoffice'],
  /** Import insurers' commission statements and work their exceptions. */
  'commissions:reconcile': ['admin', 'manager', 'backoffice'],
  /** What-if: the lines a hypothetical policy would produce (advisors for their own sales). */
  'commissions:simulate': ['admin', 'manager', 'backoffice', 'advisor'],
  /** Insurer webhook mappings, the archive of deliveries and their reprocessing. */
  'webhooks:manage': ['admin'],
  /** Changes consumers gave up on: listing and replaying them. */
  'failures:manage': ['admin'],
  /** Tasks within the principal's scope: advisors their own, managers their branch or region's. */
  'tasks:read': ['admin', 'manager', 'backoffice', 'advisor'],
  'tasks:write': ['admin', 'manager', 'backoffice', 'advisor'],
  /** Hand tasks to another user in bulk, within scope. */
  'tasks:reassign': ['admin', 'manager', 'backoffice'],
  /** Request report jobs and read one's own; what a report lists is decided by the list's own action. */
  'reports:request': ['admin', 'manager', 'backoffice', 'advisor', 'partner'],
  /** Outgoing webhooks: endpoints, their deliveries and replays. */
  'outgoingWebhooks:manage': ['admin'],
  /** Public lead forms of landing pages and partner sites: create and list. */
  'leads:configure': ['admin', 'manager'],
  /** Partners submit leads (referred potential clients) through their portal; they come back as partner-safe receipts. */
  'leads:submit': ['partner'],
  /** Cross-sell candidates of a client within scope (the client's reach decides). */
  'crossSell:read': ['admin', 'manager', 'backoffice', 'advisor'],
  /** Campaigns, their members and funnel; managing them (create, start, distribute, e-mail) also needs tenant-wide scope. */
  'campaigns:read': ['admin', 'manager'],
  'campaigns:manage': ['admin', 'manager'],
  /** API keys for machine clients: create, list, revoke. */
  'apiKeys:manage': ['admin'],
  /** The audit trail: every change to clients, policies, schemes, ledger lines, periods, users and permissions. */
  'audit:read': ['admin'],
  /**
   * Data subject requests (GDPR access export and erasure) for clients within the principal's scope:
   * admins, and managers for their branch or region, who answer the subjects they serve.
   */
  'gdpr:manage': ['admin', 'manager'],
  /** The tenant's retention settings: after how long potential and lost clients are erased by the daily schedule. */
  'gdpr:configure': ['admin'],
  /** Narrow or widen the roles' actions in this tenant, within the ceiling of role-permissions.ts. */
  'permissions:manage': ['admin'],
  /** Read one's own identity. */
  'self:read': ['admin', 'manager', 'backoffice', 'advisor', 'partner'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;

/** Throws UNAUTHENTICATED without a principal, FORBIDDEN when the role may not take the action. */
export function authorize(principal: Principal | null, action: Action): Principal {
  if (!principal) throw new UnauthenticatedError('Sign in: this operation needs a bearer token');
  if (!may(principal, action)) {
    throw new ForbiddenError(`Role ${principal.role} may not ${action}`, { action });
  }
  return principal;
}

/** Whether the principal's role may take the action (for optional fields that answer null instead of an error). */
export function may(principal: Principal | null, action: Action): boolean {
  if (!principal) return false;
  // The tenant's own table for this role (role-permissions.ts), loaded once per request; defaults otherwise.
  if (principal.actions) return principal.actions.includes(action);
  const allowed: readonly Role[] = PERMISSIONS[action];
  return allowed.includes(principal.role);
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

/** The attributes a kind of record names its owner, branch and region with, for list filters. */
export interface ReachAttributes {
  owner: string;
  branch: string;
  region: string;
}

/**
 * A principal's scope as one equality filter on a list (empty for scope all): the region, the branch
 * or the owner. Lists served by an index whose key already implies part of it add this on top.
 */
export function scopeFilter(principal: Principal, attributes: ReachAttributes): Record<string, string> {
  const own = { [attributes.owner]: principal.userId };
  if (principal.scope === 'region')
    return principal.regionId ? { [attributes.region]: principal.regionId } : own;
  if (principal.scope === 'branch')
    return principal.branchId ? { [attributes.branch]: principal.branchId } : own;
  if (principal.scope === 'own') return own;
  return {};
}

/**
 * A principal's scope as alternatives (any one attribute = value pair matches), exactly as
 * {@link canReach} decides: the region or branch, or the principal's own records elsewhere. Null for
 * scope all.
 */
export function scopeAlternatives(
  principal: Principal,
  attributes: ReachAttributes,
): Array<[string, string]> | null {
  if (principal.scope === 'all') return null;
  const own: [string, string] = [attributes.owner, principal.userId];
  if (principal.scope === 'region' && principal.regionId)
    return [[attributes.region, principal.regionId], own];
  if (principal.scope === 'branch' && principal.branchId)
    return [[attributes.branch, principal.branchId], own];
  return [own];
}

/**
 * Throws FORBIDDEN unless the principal's scope reaches the record. The message names only `what`:
 * never an amount, a name or any other field of the record it refused.
 */
export function assertReach(principal: Principal, record: RecordReach, what: string): void {
  if (!canReach(principal, record)) throw new ForbiddenError(`${what} is outside your scope`);
}

/**
 * Work on data that belongs to the whole brokerage rather than to a branch (the commission month,
 * the bank account's statements and their unmatched rows): only a tenant-wide scope may do it, so a
 * branch or region manager never changes or reads the rest of the tenant through it.
 */
export function assertTenantWide(principal: Principal, what: string): void {
  if (!isTenantWide(principal)) throw new ForbiddenError(`${what} needs tenant-wide scope`);
}

/** Whether the principal's scope is the whole tenant (no per-record reach check needed). */
export function isTenantWide(principal: Principal): boolean {
  return principal.scope === 'all';
}

/**
 * Who may read an import job: whoever may start that kind of import (the synchronous mutation's
 * rule), and, short of tenant-wide scope, only the jobs they started themselves: a job's rows name
 * records across the tenant.
 */
export function canReadImportJob(
  principal: Principal,
  job: { kind: 'BOOK' | 'BANK_STATEMENT'; createdBy: string },
): boolean {
  if (job.kind === 'BANK_STATEMENT' && (!may(principal, 'payments:write') || principal.scope !== 'all'))
    return false;
  if (job.kind === 'BOOK' && !may(principal, 'book:import')) return false;
  return principal.scope === 'all' || job.createdBy === principal.userId;
}

/**
 * The action a report type needs: the one of the list it is built from, checked when the report is
 * requested (the list checks it again, with scope, when the report runs). The receivable ledger per
 * insurer is the brokerage's: tenant-wide reconcilers only. Efficiency and profitability read whole
 * commission months: tenant-wide approvers who may read the book.
 */
export function assertMayRequestReport(principal: Principal | null, type: string): Principal {
  const p = authorize(principal, 'reports:request');
  switch (type) {
    case 'CLIENTS':
    case 'POLICIES':
      return authorize(p, 'book:read');
    case 'INVOICES':
    case 'PAYMENTS':
    case 'DEBTORS':
      return authorize(p, 'invoices:read');
    case 'RECEIVABLE':
      authorize(p, 'commissions:reconcile');
      assertTenantWide(p, 'The receivable ledger');
      return p;
    case 'PARTNER_STATEMENT':
      return p.role === 'partner' ? authorize(p, 'book:referrals') : authorize(p, 'partners:manage');
    case 'CAMPAIGN_FUNNEL':
      // The readers of the campaign funnel query; the build reads it through the same check.
      return authorize(p, 'campaigns:read');
    case 'EFFICIENCY':
    case 'PROFITABILITY':
      authorize(p, 'book:read');
      authorize(p, 'commissions:approve');
      assertTenantWide(p, `The ${type.toLowerCase()} report`);
      return p;
    default:
      return authorize(p, 'commissions:read');
  }
}

/**
 * Who may read a report job: only its requester. A report holds what the requester's scope showed
 * at the time, which nobody else's scope is guaranteed to reach.
 */
export function canReadReportJob(principal: Principal, job: { createdBy: string }): boolean {
  return job.createdBy === principal.userId;
}

/**
 * Where a policy sits for scope checks. Reach follows the client's current hand: the servicing
 * advisor (the client's owner, moved on hand-over) and the servicing branch and region (the policy's
 * branch and region, moved with the client on hand-over). The seller is deliberately not a reach
 * path: after a hand-over the original seller keeps only his commission lines, which the
 * commission ledger shows him by recipient.
 */
export function policyReach(policy: {
  servicingAdvisorId: string | null;
  branchId: string | null;
  regionId: string | null;
}): RecordReach {
  return { ownerUserId: policy.servicingAdvisorId, branchId: policy.branchId, regionId: policy.regionId };
}

/** Whether a user of this role may own clients (be their servicing advisor): advisors and managers. */
export function mayOwnClients(role: Role): boolean {
  return role === 'advisor' || role === 'manager';
}

/** Whether a user of this role takes leads from a branch's lead forms by round-robin: advisors. */
export function receivesLeads(role: Role): boolean {
  return role === 'advisor';
}

/** Whether a user of this role is the brokerage's own staff (everyone but partners): sellers, originators, split shares. */
export function isStaff(role: Role): boolean {
  return role !== 'partner';
}

/** Whether a user of this role sits in a branch: everyone but partners and admins (tenant-wide). */
export function sitsInBranch(role: Role): boolean {
  return isStaff(role) && role !== 'admin';
}

/** Whether a user of this role may be credited with a sale (a policy's seller): advisors, managers, admins. */
export function maySell(role: Role): boolean {
  return role === 'advisor' || role === 'manager' || role === 'admin';
}

const ROLE_RANK: Record<Role, number> = { partner: 0, advisor: 1, backoffice: 2, manager: 3, admin: 4 };
const SCOPE_RANK: Record<Scope, number> = { own: 0, branch: 1, region: 2, all: 3 };

/**
 * Nobody grants a role or a scope above their own, and only an admin grants or touches the admin
 * role. Checked for the role and scope a user is given (create, update) and for the user being
 * managed as they stand, so a manager cannot edit, move or re-rate someone above himself either.
 */
export function assertCanGrant(principal: Principal, grant: { role: Role; scope: Scope }): void {
  if (grant.role === 'admin' && principal.role !== 'admin') {
    throw new ForbiddenError('Only an admin may grant or change the admin role');
  }
  if (
    ROLE_RANK[grant.role] > ROLE_RANK[principal.role] ||
    SCOPE_RANK[grant.scope] > SCOPE_RANK[principal.scope]
  ) {
    throw new ForbiddenError('You may not grant a role or scope above your own');
  }
}

/**
 * Whether the principal sees how a commission line was computed (base, rate, tier, share and the
 * formula that spells them out). Partners see the result amount of their lines only: with the base
 * or the rate they could derive the client's premium, which is the client's financial data.
 */
export function seesCommissionBasis(principal: Principal | null): boolean {
  return principal !== null && principal.role !== 'partner';
}

/**
 * Whether the principal sees the names of clients on rows that name them (a ledger line's policy
 * holder): the brokerage's staff do, partners see no personal data of clients.
 */
export function seesClientNames(principal: Principal | null): boolean {
  return principal !== null && isStaff(principal.role);
}

/** Whose commission ledger: a user, a partner (lead supplier) or the brokerage's receivable. */
export interface LedgerRecipient {
  kind: 'USER' | 'PARTNER' | 'BROKERAGE';
  id: string;
}

/**
 * Who may read, dispute or correct a recipient's commission lines and accruals: anyone their own
 * (partner users their partner's only); partners and advisors nothing else; the brokerage's
 * receivable and the partners' ledgers managers, backoffice and admins; another user's ledger whoever's
 * scope reaches that user. Reading and changing a line ask the same question. `userReach` is called
 * only when the answer depends on where the user sits.
 */
export async function canReadCommissionsOf(
  principal: Principal,
  recipient: LedgerRecipient,
  userReach: (userId: string) => Promise<RecordReach>,
): Promise<boolean> {
  const own =
    (recipient.kind === 'USER' && recipient.id === principal.userId && principal.role !== 'partner') ||
    (recipient.kind === 'PARTNER' && recipient.id === principal.partnerId);
  if (own) return true;
  if (readsOwnCommissionsOnly(principal)) return false;
  if (recipient.kind !== 'USER' || principal.scope === 'all') return true;
  return canReach(principal, await userReach(recipient.id));
}

/**
 * Advisors and partners read commission lines only through their own ledger: a policy's lines
 * filtered to theirs, never a whole period or another recipient.
 */
export function readsOwnCommissionsOnly(principal: Principal): boolean {
  return principal.role === 'advisor' || principal.role === 'partner';
}

/** The caller's own commission ledger: a partner user's is their partner's, anyone else's their own. */
export function ownLedgerRecipient(principal: Principal): LedgerRecipient {
  return principal.role === 'partner'
    ? { kind: 'PARTNER', id: principal.partnerId ?? '' }
    : { kind: 'USER', id: principal.userId };
}

/** Whether the principal may hand a client to the branch pool: its owner, or anyone above advisors. */
export function canReleaseToPool(principal: Principal, client: { ownerAdvisorId: string | null }): boolean {
  return principal.role !== 'advisor' || client.ownerAdvisorId === principal.userId;
}

/** A partner user's own record, as the partner portal's rules read it. */
export interface PartnerUserRecord {
  partnerId: string | null;
  partnerAdmin?: boolean;
  active?: boolean;
}

/**
 * Who may manage a partner's portal users: the brokerage's staff who manage partners (any partner),
 * and a partner's admin (a partner user whose own record says so) for their own partner and its
 * direct sub-agents. `self` is the caller's user record (undefined for API keys: never an admin).
 */
export function mayManagePartnerUsers(
  principal: Principal,
  self: PartnerUserRecord | undefined,
  partner: { id: string; parentPartnerId?: string | null },
): boolean {
  if (may(principal, 'partners:manage')) return true;
  return (
    isPartnerAdmin(principal, self) &&
    (partner.id === principal.partnerId || partner.parentPartnerId === principal.partnerId)
  );
}

/** Whether the caller is a partner's admin: a partner user whose active record is marked admin of the same partner. */
export function isPartnerAdmin(principal: Principal, self: PartnerUserRecord | undefined): boolean {
  return (
    principal.role === 'partner' &&
    principal.partnerId !== null &&
    self?.partnerAdmin === true &&
    self.active !== false &&
    self.partnerId === principal.partnerId
  );
}

/**
 * Whether the principal may read a bank account: whoever manages them tenant-wide, and the owner
 * itself (a user their own, a partner user their partner's).
 */
export function mayReadBankAccount(principal: Principal, owner: { kind: string; id: string }): boolean {
  if (may(principal, 'bankAccounts:manage') && isTenantWide(principal)) return true;
  const own = ownLedgerRecipient(principal);
  return own.kind === owner.kind && own.id === owner.id;
}

/**
 * Whose partner statement a principal gets: a partner user their own partner's (naming another is
 * FORBIDDEN); staff who manage partners any partner they name, with tenant-wide scope (referrals
 * are not bound to a branch). Answers the partner id.
 */
export function partnerStatementSubject(principal: Principal, partnerId: string | null | undefined): string {
  if (principal.role === 'partner') {
    const own = principal.partnerId;
    if (!own) throw new ForbiddenError('Your token names no partner');
    if (partnerId && partnerId !== own) throw new ForbiddenError('A partner statement of another partner');
    return own;
  }
  authorize(principal, 'partners:manage');
  assertTenantWide(principal, 'A partner statement');
  if (!partnerId) throw new ForbiddenError('Staff name the partner: filter.recipient { kind: PARTNER, id }');
  return partnerId;
}

/**
 * The partner's own view (role partner, no scope beyond its referrals) that a partner statement reads
 * the referral lists with, for a principal {@link partnerStatementSubject} allowed for that partner.
 */
export function partnerViewOf(principal: Principal, partnerId: string): Principal {
  const subject = partnerStatementSubject(principal, partnerId);
  return principal.role === 'partner'
    ? principal
    : { ...principal, role: 'partner', partnerId: subject, scope: 'own' };
}
