import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { NotFoundError } from '../../shared/errors.js';
import { parseInput } from '../../shared/validation.js';
import { type TenantSettings, TenantSettingsInputSchema, UpdateTenantSettingsSchema } from './org.model.js';
import type { OrgRepository } from './org.repository.js';
import { definedOnly, type OrgEntities } from './org-entities.js';

/** Tenant settings: read, provisioned by the platform, configured by admins. */
export class TenantService {
  constructor(
    private readonly repo: OrgRepository,
    private readonly entities: OrgEntities,
  ) {}

  async getTenant(principal: Principal | null): Promise<TenantSettings> {
    const p = authorize(principal, 'self:read');
    const tenant = await this.repo.getTenantSettings(p.tenantId);
    if (!tenant) throw new NotFoundError('Tenant', p.tenantId);
    return tenant;
  }

  /** Provisions a tenant (platform operation: seeds and onboarding, not exposed through GraphQL). */
  async provisionTenant(id: string, input: unknown): Promise<TenantSettings> {
    const settings = parseInput(TenantSettingsInputSchema, input);
    const tenant: TenantSettings = { id, ...settings, version: 1, updatedAt: this.entities.now() };
    await this.repo.createTenant(tenant);
    return tenant;
  }

  async updateTenantSettings(principal: Principal | null, input: unknown): Promise<TenantSettings> {
    const p = authorize(principal, 'org:configure');
    const { expectedVersion, ...changes } = parseInput(UpdateTenantSettingsSchema, input);
    return this.repo.updateTenantSettings(p.tenantId, expectedVersion, {
      ...definedOnly(changes),
      updatedAt: this.entities.now(),
    });
  }
}
