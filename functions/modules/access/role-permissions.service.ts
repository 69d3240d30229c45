import * as z from 'zod';
import { authorize } from '../../shared/auth/policy.js';
import { type Principal, ROLES, type Role } from '../../shared/auth/principal.js';
import {
  ceilingOf,
  defaultActions,
  effectiveActions,
  type RoleChanges,
  validateRoleChanges,
  withTenantActions,
} from '../../shared/auth/role-permissions.js';
import type { Clock } from '../../shared/clock.js';
import { parseInput } from '../../shared/validation.js';
import type { RolePermissionsRepository } from './role-permissions.repository.js';

/** One role's permissions as the API shows them. */
export interface RolePermissionView {
  role: Role;
  actions: string[];
  defaults: string[];
  granted: string[];
  revoked: string[];
  grantable: string[];
}

/** The tenant's table of role permissions. */
export interface RolePermissionsView {
  roles: RolePermissionView[];
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** How long a process keeps a tenant's role permissions before reading them again. */
export const PERMISSIONS_CACHE_MS = 30_000;

const ActionListSchema = z.array(z.string().trim().min(1).max(100)).max(100).default([]);

export const SetRolePermissionsInputSchema = z.object({
  expectedVersion: z.number().int().min(0),
  roles: z
    .array(z.object({ role: z.enum(ROLES), granted: ActionListSchema, revoked: ActionListSchema }))
    .max(ROLES.length),
});

/**
 * Configurable permissions: a tenant's admin narrows or widens each role's default actions within the
 * ceiling of role-permissions.ts. Stored as one item; applied per request by the GraphQL context
 * (`principalWithTenantActions`), so `may`/`authorize` stay the one decision. Each process keeps a
 * tenant's item for {@link PERMISSIONS_CACHE_MS}: a change applies at once in the process that made it
 * and within that time in every other (Lambda instances), and a request costs no extra read.
 */
export class RolePermissionsService {
  private readonly cache = new Map<string, { until: number; roles: RoleChanges | undefined }>();

  constructor(
    private readonly repo: RolePermissionsRepository,
    private readonly clock: Clock,
  ) {}

  /** The table every role of the tenant works under (admin). */
  async get(principal: Principal | null): Promise<RolePermissionsView> {
    const p = authorize(principal, 'permissions:manage');
    return viewOf(await this.repo.getRolePermissions(p.tenantId));
  }

  /** Replaces the tenant's changes (roles not listed return to their defaults); audited with the write. */
  async set(principal: Principal | null, input: unknown): Promise<RolePermissionsView> {
    const p = authorize(principal, 'permissions:manage');
    const data = parseInput(SetRolePermissionsInputSchema, input);
    const roles = validateRoleChanges(data.roles);
    const saved = await this.repo.saveRolePermissions(
      p.tenantId,
      { roles, updatedAt: this.clock.now().toISOString(), updatedBy: p.userId },
      data.expectedVersion,
    );
    this.cache.delete(p.tenantId);
    return viewOf(saved);
  }

  /**
   * The principal with its role's actions in its tenant: one GetItem, made once per request by the
   * GraphQL context. Consumers of the stream and the bus never call it: they work on the defaults.
   */
  async principalWithTenantActions(principal: Principal): Promise<Principal> {
    const now = this.clock.now().getTime();
    let cached = this.cache.get(principal.tenantId);
    if (!cached || cached.until <= now) {
      const stored = await this.repo.getRolePermissions(principal.tenantId);
      cached = { until: now + PERMISSIONS_CACHE_MS, roles: stored?.roles };
      this.cache.set(principal.tenantId, cached);
    }
    return withTenantActions(principal, cached.roles);
  }
}

function viewOf(
  stored: { roles: RoleChanges; version: number; updatedAt: string; updatedBy: string } | undefined,
): RolePermissionsView {
  return {
    roles: ROLES.map((role) => {
      const change = stored?.roles[role];
      return {
        role,
        actions: effectiveActions(role, change),
        defaults: defaultActions(role),
        granted: [...(change?.granted ?? [])],
        revoked: [...(change?.revoked ?? [])],
        grantable: ceilingOf(role),
      };
    }),
    version: stored?.version ?? 0,
    updatedAt: stored?.updatedAt ?? null,
    updatedBy: stored?.updatedBy ?? null,
  };
}
