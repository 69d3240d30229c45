import { ValidationFailedError } from '../errors.js';
import { type Action, PERMISSIONS } from './policy.js';
import { type Principal, ROLES, type Role } from './principal.js';

/**
 * A tenant's changes to the default permissions of its roles (`setRolePermissions`), and the safe
 * ceiling they are held to. The decision itself stays in policy.ts (`may`/`authorize`): the GraphQL
 * context puts the role's effective actions on the principal once per request.
 */

/** One role's changes: actions added to its defaults, and defaults taken away. */
export interface RoleChange {
  granted: readonly string[];
  revoked: readonly string[];
}

/** The tenant's changes per role (roles not named keep their defaults). */
export type RoleChanges = Partial<Record<Role, RoleChange>>;

/** Every action of the product, in the order policy.ts lists them. */
export const ALL_ACTIONS = Object.keys(PERMISSIONS) as Action[];

/** The product's default actions of a role. */
export function defaultActions(role: Role): Action[] {
  return ALL_ACTIONS.filter((action) => (PERMISSIONS[action] as readonly Role[]).includes(role));
}

/** Actions only an admin holds by default: nobody else can be given them. */
const ADMIN_ONLY = ALL_ACTIONS.filter((a) => PERMISSIONS[a].length === 1 && PERMISSIONS[a][0] === 'admin');

/** The partner portal's own actions: meaningless (and refused) for the brokerage's staff. */
const PARTNER_ONLY = ALL_ACTIONS.filter(
  (a) => PERMISSIONS[a].length === 1 && PERMISSIONS[a][0] === 'partner',
);

/**
 * What a partner may ever be given beyond its defaults: reading the brokerage's commission rules and
 * simulating with them. Nothing that reads or writes a client, a policy, an invoice, a task, a user or
 * a bank account: partners never see a person's data.
 */
const PARTNER_EXTRA: readonly Action[] = ['commissions:schemes:read', 'commissions:simulate'];

/**
 * The most a role may hold in any tenant. Admins keep exactly their defaults (a tenant cannot lock its
 * admins out, nor give them more than everything); partners their defaults and {@link PARTNER_EXTRA};
 * other staff any action but the admin-only and the partner portal's own.
 */
export function ceilingOf(role: Role): Action[] {
  if (role === 'admin') return defaultActions('admin');
  if (role === 'partner') return [...new Set([...defaultActions('partner'), ...PARTNER_EXTRA])];
  return ALL_ACTIONS.filter((a) => !ADMIN_ONLY.includes(a) && !PARTNER_ONLY.includes(a));
}

/** A role's effective actions under a tenant's changes, held to the ceiling (whatever was stored). */
export function effectiveActions(role: Role, change: RoleChange | undefined): Action[] {
  if (!change) return defaultActions(role);
  const ceiling = ceilingOf(role);
  const revoked = new Set(change.revoked);
  const granted = new Set(change.granted);
  return ALL_ACTIONS.filter(
    (a) => ceiling.includes(a) && !revoked.has(a) && (granted.has(a) || defaultActions(role).includes(a)),
  );
}

/**
 * Checks a tenant's requested changes: known actions only, no action both granted and revoked, no
 * grant above the role's ceiling, nothing for admins. BAD_USER_INPUT with field paths
 * (`input.roles.<i>.granted.<j>`) otherwise. Returns the changes normalised (sorted, without no-ops).
 */
export function validateRoleChanges(
  roles: ReadonlyArray<{ role: Role; granted: readonly string[]; revoked: readonly string[] }>,
): RoleChanges {
  const errors: Array<{ path: string; message: string }> = [];
  const changes: RoleChanges = {};
  roles.forEach((entry, i) => {
    const base = `input.roles.${i}`;
    if (!ROLES.includes(entry.role)) errors.push({ path: `${base}.role`, message: 'unknown role' });
    if (changes[entry.role]) errors.push({ path: `${base}.role`, message: 'role listed twice' });
    const defaults = defaultActions(entry.role);
    const ceiling = ceilingOf(entry.role);
    entry.granted.forEach((action, j) => {
      const path = `${base}.granted.${j}`;
      if (!isAction(action)) errors.push({ path, message: `unknown action ${action}` });
      else if (!ceiling.includes(action))
        errors.push({ path, message: `${action} is beyond what role ${entry.role} may ever hold` });
      else if (entry.revoked.includes(action))
        errors.push({ path, message: `${action} is both granted and revoked` });
    });
    entry.revoked.forEach((action, j) => {
      const path = `${base}.revoked.${j}`;
      if (!isAction(action)) errors.push({ path, message: `unknown action ${action}` });
      else if (entry.role === 'admin') errors.push({ path, message: 'admins keep every admin action' });
    });
    changes[entry.role] = {
      granted: [...new Set(entry.granted)].filter((a) => !defaults.includes(a as Action)).sort(),
      revoked: [...new Set(entry.revoked)].filter((a) => defaults.includes(a as Action)).sort(),
    };
  });
  if (errors.length > 0) throw new ValidationFailedError('These role permissions are not allowed', errors);
  return changes;
}

function isAction(action: string): action is Action {
  return (ALL_ACTIONS as string[]).includes(action);
}

/**
 * The principal with its role's effective actions in its tenant, when the tenant changed that role;
 * unchanged otherwise (defaults apply in `may`).
 */
export function withTenantActions(principal: Principal, changes: RoleChanges | undefined): Principal {
  const change = changes?.[principal.role];
  if (!change) return principal;
  return { ...principal, actions: effectiveActions(principal.role, change) };
}
