import { randomBytes } from 'node:crypto';
import { assertCanGrant, assertReach, authorize, type RecordReach } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { NotFoundError, RuleViolationError, ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { OrgKind } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import {
  type Branch,
  CreateBranchSchema,
  CreateInsurerSchema,
  CreateLeadSourceSchema,
  CreatePartnerSchema,
  CreateProductLineSchema,
  CreateRateGroupSchema,
  CreateRegionSchema,
  CreateUserSchema,
  type Insurer,
  type InsurerSecrets,
  type LeadSource,
  MoveUserSchema,
  type Partner,
  type ProductLine,
  type RateGroup,
  type RateGroupMembership,
  type Region,
  SetUserRateGroupSchema,
  type TenantSettings,
  TenantSettingsInputSchema,
  UpdateBranchSchema,
  UpdateInsurerSchema,
  UpdateLeadSourceSchema,
  UpdatePartnerSchema,
  UpdateProductLineSchema,
  UpdateRateGroupSchema,
  UpdateRegionSchema,
  UpdateTenantSettingsSchema,
  UpdateUserSchema,
  type User,
  type UserMove,
} from './org.model.js';
import type { OrgRepository } from './org.repository.js';

/** How long a rotated-out webhook secret keeps verifying, so an insurer can roll over without downtime. */
export const SECRET_ROLLOVER_HOURS = 24;

type PageRequest = { limit: number; cursor: string | null };

/** Creates a Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The org model's rules: tenant settings, regions, branches, users and their place in the sales
 * hierarchy, rate groups, partners, lead sources, insurers and product lines. Every method takes the
 * verified principal, authorizes through the policy module and works inside the principal's tenant.
 */
export class OrgService {
  constructor(
    private readonly repo: OrgRepository,
    private readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  private stamp(): { id: string; version: number; createdAt: string; updatedAt: string } {
    const now = this.now();
    return { id: newId(), version: 1, createdAt: now, updatedAt: now };
  }

  // ---- tenant ----------------------------------------------------------------------------

  async getTenant(principal: Principal | null): Promise<TenantSettings> {
    const p = authorize(principal, 'self:read');
    const tenant = await this.repo.getTenantSettings(p.tenantId);
    if (!tenant) throw new NotFoundError('Tenant', p.tenantId);
    return tenant;
  }

  /** Provisions a tenant (platform operation: seeds and onboarding, not exposed through GraphQL). */
  async provisionTenant(id: string, input: unknown): Promise<TenantSettings> {
    const settings = parseInput(TenantSettingsInputSchema, input);
    const tenant: TenantSettings = { id, ...settings, version: 1, updatedAt: this.now() };
    await this.repo.createTenant(tenant);
    return tenant;
  }

  async updateTenantSettings(principal: Principal | null, input: unknown): Promise<TenantSettings> {
    const p = authorize(principal, 'org:configure');
    const { expectedVersion, ...changes } = parseInput(UpdateTenantSettingsSchema, input);
    return this.repo.updateTenantSettings(p.tenantId, expectedVersion, {
      ...definedOnly(changes),
      updatedAt: this.now(),
    });
  }

  // ---- generic reads ---------------------------------------------------------------------

  private async getOrThrow<T>(tenantId: string, kind: OrgKind, id: string, entity: string): Promise<T> {
    const found = await this.repo.getOrgEntity<T>(tenantId, kind, id);
    if (!found) throw new NotFoundError(entity, id);
    return found;
  }

  private async find<T>(principal: Principal | null, kind: OrgKind, id: string): Promise<T | null> {
    const p = authorize(principal, 'org:read');
    return (await this.repo.getOrgEntity<T>(p.tenantId, kind, id)) ?? null;
  }

  private async list<T>(
    principal: Principal | null,
    kind: OrgKind,
    page: PageRequest,
    filter?: Record<string, string>,
  ): Promise<Page<T>> {
    const p = authorize(principal, 'org:read');
    return this.repo.listOrgEntities<T>(p.tenantId, kind, page, filter);
  }

  /** Org entities by id within the caller's tenant, for resolving references without N+1 reads. */
  async getMany<T>(principal: Principal | null, kind: OrgKind, ids: string[]): Promise<T[]> {
    const p = authorize(principal, 'org:read');
    return this.repo.getOrgEntities<T>(p.tenantId, kind, ids);
  }

  getRegion = (p: Principal | null, id: string) => this.find<Region>(p, OrgKind.Region, id);
  getBranch = (p: Principal | null, id: string) => this.find<Branch>(p, OrgKind.Branch, id);
  getUser = (p: Principal | null, id: string) => this.find<User>(p, OrgKind.User, id);
  getRateGroup = (p: Principal | null, id: string) => this.find<RateGroup>(p, OrgKind.RateGroup, id);
  getPartner = (p: Principal | null, id: string) => this.find<Partner>(p, OrgKind.Partner, id);
  getInsurer = (p: Principal | null, id: string) => this.find<Insurer>(p, OrgKind.Insurer, id);

  listRegions = (p: Principal | null, page: PageRequest) => this.list<Region>(p, OrgKind.Region, page);
  listRateGroups = (p: Principal | null, page: PageRequest) =>
    this.list<RateGroup>(p, OrgKind.RateGroup, page);
  listPartners = (p: Principal | null, page: PageRequest) => this.list<Partner>(p, OrgKind.Partner, page);
  listLeadSources = (p: Principal | null, page: PageRequest) =>
    this.list<LeadSource>(p, OrgKind.LeadSource, page);
  listInsurers = (p: Principal | null, page: PageRequest) => this.list<Insurer>(p, OrgKind.Insurer, page);
  listProductLines = (p: Principal | null, page: PageRequest) =>
    this.list<ProductLine>(p, OrgKind.ProductLine, page);

  listBranches(p: Principal | null, page: PageRequest, regionId?: string | null): Promise<Page<Branch>> {
    return this.list<Branch>(p, OrgKind.Branch, page, regionId ? { regionId } : undefined);
  }

  listUsers(
    p: Principal | null,
    page: PageRequest,
    filter: { branchId?: string | null; role?: string | null },
  ): Promise<Page<User>> {
    const f: Record<string, string> = {};
    if (filter.branchId) f.branchId = filter.branchId;
    if (filter.role) f.role = filter.role;
    return this.list<User>(p, OrgKind.User, page, f);
  }

  // ---- regions and branches --------------------------------------------------------------

  async createRegion(principal: Principal | null, input: unknown): Promise<Region> {
    const p = authorize(principal, 'org:configure');
    const data = parseInput(CreateRegionSchema, input);
    return this.repo.createOrgEntity<Region>(p.tenantId, OrgKind.Region, {
      ...this.stamp(),
      ...data,
      active: true,
    });
  }

  async updateRegion(principal: Principal | null, input: unknown): Promise<Region> {
    const p = authorize(principal, 'org:configure');
    const { id, expectedVersion, ...changes } = parseInput(UpdateRegionSchema, input);
    const current = await this.getOrThrow<Region>(p.tenantId, OrgKind.Region, id, 'Region');
    return this.repo.updateOrgEntity(p.tenantId, OrgKind.Region, current, expectedVersion, {
      ...definedOnly(changes),
      updatedAt: this.now(),
    });
  }

  async createBranch(principal: Principal | null, input: unknown): Promise<Branch> {
    const p = authorize(principal, 'org:configure');
    const data = parseInput(CreateBranchSchema, input);
    await this.requireReference(p.tenantId, OrgKind.Region, data.regionId, 'input.regionId', 'region');
    return this.repo.createOrgEntity<Branch>(p.tenantId, OrgKind.Branch, {
      ...this.stamp(),
      ...data,
      active: true,
    });
  }

  async updateBranch(principal: Principal | null, input: unknown): Promise<Branch> {
    const p = authorize(principal, 'org:configure');
    const { id, expectedVersion, ...changes } = parseInput(UpdateBranchSchema, input);
    const current = await this.getOrThrow<Branch>(p.tenantId, OrgKind.Branch, id, 'Branch');
    if (changes.regionId) {
      await this.requireReference(p.tenantId, OrgKind.Region, changes.regionId, 'input.regionId', 'region');
    }
    return this.repo.updateOrgEntity(p.tenantId, OrgKind.Branch, current, expectedVersion, {
      ...definedOnly(changes),
      updatedAt: this.now(),
    });
  }

  // ---- users and the sales hierarchy -----------------------------------------------------

  async createUser(principal: Principal | null, input: unknown): Promise<User> {
    const p = authorize(principal, 'users:manage');
    const data = parseInput(CreateUserSchema, input);
    assertCanGrant(p, data);
    if (data.branchId) {
      await this.requireReference(p.tenantId, OrgKind.Branch, data.branchId, 'input.branchId', 'branch');
    }
    await this.assertPlacement(p, data.branchId ?? null);
    if (data.managerId) {
      await this.requireReference(p.tenantId, OrgKind.User, data.managerId, 'input.managerId', 'user');
      await this.requireManagedUser(p, data.managerId, 'The upline');
    }
    if (data.partnerId) {
      await this.requireReference(p.tenantId, OrgKind.Partner, data.partnerId, 'input.partnerId', 'partner');
    }
    const user: User = {
      ...this.stamp(),
      name: data.name,
      email: data.email,
      phone: data.phone ?? null,
      role: data.role,
      scope: data.scope,
      branchId: data.branchId ?? null,
      managerId: data.managerId ?? null,
      partnerId: data.partnerId ?? null,
      active: true,
    };
    return this.repo.createOrgEntity(p.tenantId, OrgKind.User, user, [
      { field: 'USER_EMAIL', value: user.email },
    ]);
  }

  async updateUser(principal: Principal | null, input: unknown): Promise<User> {
    const p = authorize(principal, 'users:manage');
    const { id, expectedVersion, ...changes } = parseInput(UpdateUserSchema, input);
    const current = await this.requireManagedUser(p, id, 'This user');
    assertCanGrant(p, { role: changes.role ?? current.role, scope: changes.scope ?? current.scope });
    const emailChange =
      changes.email && changes.email !== current.email
        ? [{ field: 'USER_EMAIL', from: current.email, to: changes.email }]
        : [];
    return this.repo.updateOrgEntity(
      p.tenantId,
      OrgKind.User,
      current,
      expectedVersion,
      { ...definedOnly(changes), updatedAt: this.now() },
      emailChange,
    );
  }

  /**
   * Moves a user to another branch and/or upline, keeping the move as history in the same
   * transaction. Refuses a move that would put a user under their own downline (a cycle).
   */
  async moveUser(principal: Principal | null, input: unknown): Promise<User> {
    const p = authorize(principal, 'users:manage');
    const data = parseInput(MoveUserSchema, input);
    const current = await this.requireManagedUser(p, data.id, 'This user');
    const toBranchId = data.branchId === undefined ? current.branchId : data.branchId;
    const toManagerId = data.managerId === undefined ? current.managerId : data.managerId;
    if (toBranchId)
      await this.requireReference(p.tenantId, OrgKind.Branch, toBranchId, 'input.branchId', 'branch');
    await this.assertPlacement(p, toBranchId);
    if (toManagerId) {
      await this.requireManagedUser(p, toManagerId, 'The new upline');
      if (toManagerId === current.id) {
        throw new ValidationFailedError('A user cannot manage themself', [
          { path: 'input.managerId', message: 'cannot be the user themself' },
        ]);
      }
      const chain = await this.uplineChain(p.tenantId, toManagerId);
      if (chain.some((u) => u.id === current.id)) {
        throw new RuleViolationError('The new upline reports to this user: the hierarchy would form a cycle');
      }
    }
    const move: UserMove = {
      userId: current.id,
      effectiveDate: data.effectiveDate,
      fromBranchId: current.branchId,
      toBranchId,
      fromManagerId: current.managerId,
      toManagerId,
      reason: data.reason ?? null,
      movedBy: p.userId,
      at: this.now(),
    };
    return this.repo.updateOrgEntity(
      p.tenantId,
      OrgKind.User,
      current,
      data.expectedVersion,
      { branchId: toBranchId, managerId: toManagerId, updatedAt: this.now() },
      [],
      [this.repo.moveOp(p.tenantId, move, newId())],
    );
  }

  async listUserMoves(principal: Principal | null, userId: string): Promise<UserMove[]> {
    const p = authorize(principal, 'org:read');
    return this.repo.listUserMoves(p.tenantId, userId);
  }

  async setUserRateGroup(principal: Principal | null, input: unknown): Promise<User> {
    const p = authorize(principal, 'users:manage');
    const data = parseInput(SetUserRateGroupSchema, input);
    const user = await this.requireManagedUser(p, data.userId, 'This user');
    await this.requireReference(
      p.tenantId,
      OrgKind.RateGroup,
      data.rateGroupId,
      'input.rateGroupId',
      'rate group',
    );
    await this.repo.addRateGroupMembership(
      p.tenantId,
      { userId: user.id, rateGroupId: data.rateGroupId, from: data.from, setBy: p.userId, at: this.now() },
      newId(),
    );
    return user;
  }

  async listRateGroupMemberships(
    principal: Principal | null,
    userId: string,
  ): Promise<RateGroupMembership[]> {
    const p = authorize(principal, 'org:read');
    return this.repo.listRateGroupMemberships(p.tenantId, userId);
  }

  /**
   * The user and their uplines, nearest first, as the hierarchy stands now. Policies freeze this
   * chain on their written date so later moves never rewrite commission history.
   */
  async uplineChain(tenantId: string, userId: string): Promise<User[]> {
    const users = new Map(
      (await this.repo.listAllOrgEntities<User>(tenantId, OrgKind.User)).map((u) => [u.id, u] as const),
    );
    const chain: User[] = [];
    const seen = new Set<string>();
    for (
      let u = users.get(userId);
      u && !seen.has(u.id);
      u = u.managerId ? users.get(u.managerId) : undefined
    ) {
      chain.push(u);
      seen.add(u.id);
    }
    return chain;
  }

  // ---- rate groups, partners, lead sources, product lines --------------------------------

  async createRateGroup(principal: Principal | null, input: unknown): Promise<RateGroup> {
    const p = authorize(principal, 'org:configure');
    const data = parseInput(CreateRateGroupSchema, input);
    return this.repo.createOrgEntity<RateGroup>(
      p.tenantId,
      OrgKind.RateGroup,
      { ...this.stamp(), name: data.name, description: data.description ?? null, active: true },
      [{ field: 'RATE_GROUP_NAME', value: data.name.toLowerCase() }],
    );
  }

  async updateRateGroup(principal: Principal | null, input: unknown): Promise<RateGroup> {
    const p = authorize(principal, 'org:configure');
    const { id, expectedVersion, ...changes } = parseInput(UpdateRateGroupSchema, input);
    const current = await this.getOrThrow<RateGroup>(p.tenantId, OrgKind.RateGroup, id, 'RateGroup');
    const rename =
      changes.name && changes.name.toLowerCase() !== current.name.toLowerCase()
        ? [{ field: 'RATE_GROUP_NAME', from: current.name.toLowerCase(), to: changes.name.toLowerCase() }]
        : [];
    return this.repo.updateOrgEntity(
      p.tenantId,
      OrgKind.RateGroup,
      current,
      expectedVersion,
      { ...definedOnly(changes), updatedAt: this.now() },
      rename,
    );
  }

  async createPartner(principal: Principal | null, input: unknown): Promise<Partner> {
    const p = authorize(principal, 'partners:manage');
    const data = parseInput(CreatePartnerSchema, input);
    if (data.userId)
      await this.requireReference(p.tenantId, OrgKind.User, data.userId, 'input.userId', 'user');
    return this.repo.createOrgEntity<Partner>(p.tenantId, OrgKind.Partner, {
      ...this.stamp(),
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
    const current = await this.getOrThrow<Partner>(p.tenantId, OrgKind.Partner, id, 'Partner');
    return this.repo.updateOrgEntity(p.tenantId, OrgKind.Partner, current, expectedVersion, {
      ...definedOnly(changes),
      updatedAt: this.now(),
    });
  }

  async createLeadSource(principal: Principal | null, input: unknown): Promise<LeadSource> {
    const p = authorize(principal, 'partners:manage');
    const data = parseInput(CreateLeadSourceSchema, input);
    return this.repo.createOrgEntity<LeadSource>(
      p.tenantId,
      OrgKind.LeadSource,
      { ...this.stamp(), name: data.name, active: true },
      [{ field: 'LEAD_SOURCE_NAME', value: data.name.toLowerCase() }],
    );
  }

  async updateLeadSource(principal: Principal | null, input: unknown): Promise<LeadSource> {
    const p = authorize(principal, 'partners:manage');
    const { id, expectedVersion, ...changes } = parseInput(UpdateLeadSourceSchema, input);
    const current = await this.getOrThrow<LeadSource>(p.tenantId, OrgKind.LeadSource, id, 'LeadSource');
    const rename =
      changes.name && changes.name.toLowerCase() !== current.name.toLowerCase()
        ? [{ field: 'LEAD_SOURCE_NAME', from: current.name.toLowerCase(), to: changes.name.toLowerCase() }]
        : [];
    return this.repo.updateOrgEntity(
      p.tenantId,
      OrgKind.LeadSource,
      current,
      expectedVersion,
      { ...definedOnly(changes), updatedAt: this.now() },
      rename,
    );
  }

  async createProductLine(principal: Principal | null, input: unknown): Promise<ProductLine> {
    const p = authorize(principal, 'org:configure');
    const data = parseInput(CreateProductLineSchema, input);
    return this.repo.createOrgEntity<ProductLine>(
      p.tenantId,
      OrgKind.ProductLine,
      { ...this.stamp(), code: data.code, name: data.name, active: true },
      [{ field: 'PRODUCT_LINE_CODE', value: data.code }],
    );
  }

  async updateProductLine(principal: Principal | null, input: unknown): Promise<ProductLine> {
    const p = authorize(principal, 'org:configure');
    const { id, expectedVersion, ...changes } = parseInput(UpdateProductLineSchema, input);
    const current = await this.getOrThrow<ProductLine>(p.tenantId, OrgKind.ProductLine, id, 'ProductLine');
    return this.repo.updateOrgEntity(p.tenantId, OrgKind.ProductLine, current, expectedVersion, {
      ...definedOnly(changes),
      updatedAt: this.now(),
    });
  }

  // ---- insurers and their webhook secrets ------------------------------------------------

  /** Registers an insurer with a fresh webhook secret, returned once and never readable again. */
  async createInsurer(
    principal: Principal | null,
    input: unknown,
  ): Promise<{ insurer: Insurer; webhookSecret: string; previousSecretValidUntil: null }> {
    const p = authorize(principal, 'org:configure');
    const data = parseInput(CreateInsurerSchema, input);
    const insurer: Insurer = {
      ...this.stamp(),
      name: data.name,
      companyId: data.companyId ?? null,
      active: true,
    };
    const secrets: InsurerSecrets = {
      insurerId: insurer.id,
      current: newWebhookSecret(),
      previous: null,
      previousValidUntil: null,
    };
    const created = await this.repo.createOrgEntity(
      p.tenantId,
      OrgKind.Insurer,
      insurer,
      [{ field: 'INSURER_NAME', value: data.name.toLowerCase() }],
      this.repo.insurerSecretOps(p.tenantId, secrets),
    );
    return { insurer: created, webhookSecret: secrets.current, previousSecretValidUntil: null };
  }

  async updateInsurer(principal: Principal | null, input: unknown): Promise<Insurer> {
    const p = authorize(principal, 'org:configure');
    const { id, expectedVersion, ...changes } = parseInput(UpdateInsurerSchema, input);
    const current = await this.getOrThrow<Insurer>(p.tenantId, OrgKind.Insurer, id, 'Insurer');
    const rename =
      changes.name && changes.name.toLowerCase() !== current.name.toLowerCase()
        ? [{ field: 'INSURER_NAME', from: current.name.toLowerCase(), to: changes.name.toLowerCase() }]
        : [];
    return this.repo.updateOrgEntity(
      p.tenantId,
      OrgKind.Insurer,
      current,
      expectedVersion,
      { ...definedOnly(changes), updatedAt: this.now() },
      rename,
    );
  }

  /** Issues a new secret; the old one keeps verifying for {@link SECRET_ROLLOVER_HOURS}. */
  async rotateInsurerWebhookSecret(
    principal: Principal | null,
    insurerId: string,
  ): Promise<{ insurer: Insurer; webhookSecret: string; previousSecretValidUntil: string }> {
    const p = authorize(principal, 'org:configure');
    const insurer = await this.getOrThrow<Insurer>(p.tenantId, OrgKind.Insurer, insurerId, 'Insurer');
    const existing = await this.repo.getInsurerSecrets(p.tenantId, insurerId);
    if (!existing) throw new NotFoundError('Insurer', insurerId);
    const validUntil = new Date(this.clock.now().getTime() + SECRET_ROLLOVER_HOURS * 3_600_000).toISOString();
    const secrets: InsurerSecrets = {
      insurerId,
      current: newWebhookSecret(),
      previous: existing.current,
      previousValidUntil: validUntil,
    };
    await this.repo.replaceInsurerSecrets(p.tenantId, secrets);
    return { insurer, webhookSecret: secrets.current, previousSecretValidUntil: validUntil };
  }

  /** Secrets valid now for verifying an insurer's deliveries (the webhook function's use only). */
  async activeWebhookSecrets(
    insurerId: string,
  ): Promise<{ tenantId: string; secrets: string[] } | undefined> {
    const tenantId = await this.repo.getInsurerTenant(insurerId);
    if (!tenantId) return undefined;
    const stored = await this.repo.getInsurerSecrets(tenantId, insurerId);
    if (!stored) return undefined;
    const secrets = [stored.current];
    if (stored.previous && stored.previousValidUntil && stored.previousValidUntil > this.now()) {
      secrets.push(stored.previous);
    }
    return { tenantId, secrets };
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** Where a user sits, for scope checks: the user, their branch and that branch's region. */
  private async reachOfUser(tenantId: string, user: User): Promise<RecordReach> {
    const branch = user.branchId
      ? await this.repo.getOrgEntity<Branch>(tenantId, OrgKind.Branch, user.branchId)
      : undefined;
    return { ownerUserId: user.id, branchId: user.branchId, regionId: branch?.regionId ?? null };
  }

  /**
   * A user the principal may manage: within their branch or region, and not above them in role or
   * scope. NOT_FOUND when missing, FORBIDDEN (naming nothing of the user) when out of reach.
   */
  private async requireManagedUser(p: Principal, id: string, what: string): Promise<User> {
    const user = await this.getOrThrow<User>(p.tenantId, OrgKind.User, id, 'User');
    assertReach(p, await this.reachOfUser(p.tenantId, user), what);
    assertCanGrant(p, user);
    return user;
  }

  /** A branch the principal may place a user in (null: no branch, which only a tenant-wide scope may leave). */
  private async assertPlacement(p: Principal, branchId: string | null): Promise<void> {
    const branch = branchId
      ? await this.repo.getOrgEntity<Branch>(p.tenantId, OrgKind.Branch, branchId)
      : undefined;
    assertReach(
      p,
      { ownerUserId: null, branchId: branch?.id ?? null, regionId: branch?.regionId ?? null },
      'This branch',
    );
  }

  private async requireReference(tenantId: string, kind: OrgKind, id: string, path: string, what: string) {
    const found = await this.repo.getOrgEntity(tenantId, kind, id);
    if (!found) {
      throw new ValidationFailedError(`Unknown ${what} ${id}`, [
        { path, message: `is not a ${what} of this brokerage` },
      ]);
    }
  }
}

/** Drops keys whose value is undefined, so a partial update leaves unspecified fields alone. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
