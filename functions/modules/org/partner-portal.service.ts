import * as z from 'zod';
import { authorize, isPartnerAdmin, mayManagePartnerUsers } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { EmailSchema, IdSchema, optionalText, text } from '../../shared/input.js';
import { OrgKind } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import type { Partner, User } from './org.model.js';
import type { OrgRepository } from './org.repository.js';
import type { OrgEntities } from './org-entities.js';

type PageRequest = { limit: number; cursor: string | null };

const CreatePartnerUserSchema = z.object({
  partnerId: IdSchema.nullish(),
  name: text(200),
  email: EmailSchema,
  partnerAdmin: z.boolean().nullish(),
});

const CreateSubAgentSchema = z.object({
  name: text(200),
  companyId: optionalText(40),
  email: EmailSchema.nullish(),
});

/**
 * The partner portal's self-service: a partner's admin adds the partner's portal users and its
 * sub-agents (partners in its network, each with users of their own who see only their own
 * referrals); the brokerage's partner managers may do the same for any partner.
 */
export class PartnerPortalService {
  constructor(
    private readonly repo: OrgRepository,
    private readonly entities: OrgEntities,
  ) {}

  /** Creates a portal user (role partner, scope own) of the caller's partner or one of its sub-agents. */
  async createPartnerUser(principal: Principal | null, input: unknown): Promise<User> {
    const p = this.caller(principal);
    const data = parseInput(CreatePartnerUserSchema, input);
    const partnerId = data.partnerId ?? p.partnerId;
    if (!partnerId) throw new ForbiddenError('Name the partner the user acts for');
    const partner = await this.repo.getOrgEntity<Partner>(p.tenantId, OrgKind.Partner, partnerId);
    if (!partner) throw new NotFoundError('Partner', partnerId);
    if (!mayManagePartnerUsers(p, await this.self(p), partner)) {
      throw new ForbiddenError("Only the partner's admin manages its users");
    }
    const user: User = {
      ...this.entities.stamp(),
      name: data.name,
      email: data.email,
      phone: null,
      role: 'partner',
      scope: 'own',
      branchId: null,
      managerId: null,
      partnerId,
      partnerAdmin: data.partnerAdmin ?? false,
      active: true,
    };
    return this.repo.createOrgEntity(p.tenantId, OrgKind.User, user, [
      { field: 'USER_EMAIL', value: user.email },
    ]);
  }

  /** The portal users of the caller's partner, or of one of its sub-agents (partner admin). */
  async partnerUsers(
    principal: Principal | null,
    partnerId: string | null,
    page: PageRequest,
  ): Promise<Page<User>> {
    const p = this.caller(principal);
    const id = partnerId ?? p.partnerId;
    if (!id) throw new ForbiddenError('Name the partner');
    const partner = await this.repo.getOrgEntity<Partner>(p.tenantId, OrgKind.Partner, id);
    if (!partner) throw new NotFoundError('Partner', id);
    if (!mayManagePartnerUsers(p, await this.self(p), partner)) {
      throw new ForbiddenError("Only the partner's admin lists its users");
    }
    return this.repo.listOrgEntities<User>(p.tenantId, OrgKind.User, page, { partnerId: id });
  }

  /** Adds a sub-agent to the caller's partner network (partner admin). */
  async createSubAgent(principal: Principal | null, input: unknown): Promise<Partner> {
    const p = authorize(principal, 'partners:portal');
    const data = parseInput(CreateSubAgentSchema, input);
    if (!isPartnerAdmin(p, await this.self(p)))
      throw new ForbiddenError("Only the partner's admin adds sub-agents");
    return this.repo.createOrgEntity<Partner>(p.tenantId, OrgKind.Partner, {
      ...this.entities.stamp(),
      name: data.name,
      kind: 'EXTERNAL',
      userId: null,
      companyId: data.companyId ?? null,
      email: data.email ?? null,
      active: true,
      parentPartnerId: p.partnerId,
    });
  }

  /** The sub-agents of the caller's partner (partner admin). */
  async subAgents(principal: Principal | null, page: PageRequest): Promise<Page<Partner>> {
    const p = authorize(principal, 'partners:portal');
    if (!isPartnerAdmin(p, await this.self(p)) || !p.partnerId) {
      throw new ForbiddenError("Only the partner's admin lists its sub-agents");
    }
    return this.repo.listOrgEntities<Partner>(p.tenantId, OrgKind.Partner, page, {
      parentPartnerId: p.partnerId,
    });
  }

  /** Partner users and the brokerage's partner managers; everyone else is FORBIDDEN. */
  private caller(principal: Principal | null): Principal {
    const p = authorize(principal, 'self:read');
    if (p.partnerId === null) authorize(p, 'partners:manage');
    else authorize(p, 'partners:portal');
    return p;
  }

  private self(p: Principal): Promise<User | undefined> {
    return this.repo.getOrgEntity<User>(p.tenantId, OrgKind.User, p.userId);
  }
}
