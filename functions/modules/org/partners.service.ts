import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { OrgKind } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import {
  CreateLeadSourceSchema,
  CreatePartnerSchema,
  type LeadSource,
  type Partner,
  UpdateLeadSourceSchema,
  UpdatePartnerSchema,
} from './org.model.js';
import type { OrgRepository } from './org.repository.js';
import { definedOnly, type OrgEntities } from './org-entities.js';

type PageRequest = { limit: number; cursor: string | null };

/** Partners (lead suppliers) and lead sources. */
export class PartnersService {
  constructor(
    private readonly repo: OrgRepository,
    private readonly entities: OrgEntities,
  ) {}

  getPartner = (p: Principal | null, id: string) => this.entities.find<Partner>(p, OrgKind.Partner, id);
  listPartners = (p: Principal | null, page: PageRequest) =>
    this.entities.list<Partner>(p, OrgKind.Partner, page);
  listLeadSources = (p: Principal | null, page: PageRequest) =>
    this.entities.list<LeadSource>(p, OrgKind.LeadSource, page);

  async createPartner(principal: Principal | null, input: unknown): Promise<Partner> {
    const p = authorize(principal, 'partners:manage');
    const data = parseInput(CreatePartnerSchema, input);
    if (data.userId)
      await this.entities.requireReference(p.tenantId, OrgKind.User, data.userId, 'input.userId', 'user');
    return this.repo.createOrgEntity<Partner>(p.tenantId, OrgKind.Partner, {
      ...this.entities.stamp(),
      name: data.name,
      kind: data.kind,
      userId: data.userId ?? null,
      companyId: data.companyId ?? null,
      email: data.email ?? null,
      active: true,
    });
  }

  async updatePartner(principal: Principal | null, input: unknown): Promise<Partner> {
    const p = authorize(principal, 'partners:manage');
    const { id, expectedVersion, ...changes } = parseInput(UpdatePartnerSchema, input);
    const current = await this.entities.getOrThrow<Partner>(p.tenantId, OrgKind.Partner, id, 'Partner');
    return this.repo.updateOrgEntity(p.tenantId, OrgKind.Partner, current, expectedVersion, {
      ...definedOnly(changes),
      updatedAt: this.entities.now(),
    });
  }

  async createLeadSource(principal: Principal | null, input: unknown): Promise<LeadSource> {
    const p = authorize(principal, 'partners:manage');
    const data = parseInput(CreateLeadSourceSchema, input);
    return this.repo.createOrgEntity<LeadSource>(
      p.tenantId,
      OrgKind.LeadSource,
      { ...this.entities.stamp(), name: data.name, active: true },
      [{ field: 'LEAD_SOURCE_NAME', value: data.name.toLowerCase() }],
    );
  }

  async updateLeadSource(principal: Principal | null, input: unknown): Promise<LeadSource> {
    const p = authorize(principal, 'partners:manage');
    const { id, expectedVersion, ...changes } = parseInput(UpdateLeadSourceSchema, input);
    const current = await this.entities.getOrThrow<LeadSource>(
      p.tenantId,
      OrgKind.LeadSource,
      id,
      'LeadSource',
    );
    const rename =
      changes.name && changes.name.toLowerCase() !== current.name.toLowerCase()
        ? [
            {
              field: 'LEAD_SOURCE_NAME' as const,
              from: current.name.toLowerCase(),
              to: changes.name.toLowerCase(),
            },
          ]
        : [];
    return this.repo.updateOrgEntity(
      p.tenantId,
      OrgKind.LeadSource,
      current,
      expectedVersion,
      { ...definedOnly(changes), updatedAt: this.entities.now() },
      rename,
    );
  }
}
