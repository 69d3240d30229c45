import { assertCanGrant, assertReach, authorize, type RecordReach } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import { RuleViolationError, ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { OrgKind } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import {
  type Branch,
  CreateBranchSchema,
  CreateRateGroupSchema,
  CreateRegionSchema,
  CreateUserSchema,
  MoveUserSchema,
  type RateGroup,
  type RateGroupMembership,
  type Region,
  SetUserRateGroupSchema,
  UpdateBranchSchema,
  UpdateRateGroupSchema,
  UpdateRegionSchema,
  UpdateUserSchema,
  type User,
  type UserMove,
} from './org.model.js';
import type { OrgRepository } from './org.repository.js';
import { definedOnly, type OrgEntities } from './org-entities.js';
import { HINTS_IN_MOVE_TRANSACTION, type OrgHierarchy } from './org-hierarchy.js';
import { placementChange, placementHistoryOf } from './upline.js';

type PageRequest = { limit: number; cursor: string | null };

/**
 * The organisation's structure: regions, branches, users and their place in the sales hierarchy
 * (moves kept as history), and rate groups with their memberships.
 */
export class OrgStructureService {
  constructor(
    private readonly repo: OrgRepository,
    private readonly entities: OrgEntities,
    private readonly hierarchy: OrgHierarchy,
  ) {}

  getRegion = (p: Principal | null, id: string) => this.entities.find<Region>(p, OrgKind.Region, id);
  getBranch = (p: Principal | null, id: string) => this.entities.find<Branch>(p, OrgKind.Branch, id);
  getUser = (p: Principal | null, id: string) => this.entities.find<User>(p, OrgKind.User, id);
  getRateGroup = (p: Principal | null, id: string) => this.entities.find<RateGroup>(p, OrgKind.RateGroup, id);
  listRegions = (p: Principal | null, page: PageRequest) =>
    this.entities.list<Region>(p, OrgKind.Region, page);
  listRateGroups = (p: Principal | null, page: PageRequest) =>
    this.entities.list<RateGroup>(p, OrgKind.RateGroup, page);

  listBranches(p: Principal | null, page: PageRequest, regionId?: string | null): Promise<Page<Branch>> {
    return this.entities.list<Branch>(p, OrgKind.Branch, page, regionId ? { regionId } : undefined);
  }

  listUsers(
    p: Principal | null,
    page: PageRequest,
    filter: { branchId?: string | null; role?: string | null },
  ): Promise<Page<User>> {
    const f: Record<string, string> = {};
    if (filter.branchId) f.branchId = filter.branchId;
    if (filter.role) f.role = filter.role;
    return this.entities.list<User>(p, OrgKind.User, page, f);
  }

  async createRegion(principal: Principal | null, input: unknown): Promise<Region> {
    const p = authorize(principal, 'org:configure');
    const data = parseInput(CreateRegionSchema, input);
    return this.repo.createOrgEntity<Region>(p.tenantId, OrgKind.Region, {
      ...this.entities.stamp(),
      ...data,
      active: true,
    });
  }

  async updateRegion(principal: Principal | null, input: unknown): Promise<Region> {
    const p = authorize(principal, 'org:configure');
    const { id, expectedVersion, ...changes } = parseInput(UpdateRegionSchema, input);
    const current = await this.entities.getOrThrow<Region>(p.tenantId, OrgKind.Region, id, 'Region');
    return this.repo.updateOrgEntity(p.tenantId, OrgKind.Region, current, expectedVersion, {
      ...definedOnly(changes),
      updatedAt: this.entities.now(),
    });
  }

  async createBranch(principal: Principal | null, input: unknown): Promise<Branch> {
    const p = authorize(principal, 'org:configure');
    const data = parseInput(CreateBranchSchema, input);
    await this.entities.requireReference(
      p.tenantId,
      OrgKind.Region,
      data.regionId,
      'input.regionId',
      'region',
    );
    return this.repo.createOrgEntity<Branch>(p.tenantId, OrgKind.Branch, {
      ...this.entities.stamp(),
      ...data,
      active: true,
    });
  }

  async updateBranch(principal: Principal | null, input: unknown): Promise<Branch> {
    const p = authorize(principal, 'org:configure');
    const { id, expectedVersion, ...changes } = parseInput(UpdateBranchSchema, input);
    const current = await this.entities.getOrThrow<Branch>(p.tenantId, OrgKind.Branch, id, 'Branch');
    if (changes.regionId) {
      await this.entities.requireReference(
        p.tenantId,
        OrgKind.Region,
        changes.regionId,
        'input.regionId',
        'region',
      );
    }
    return this.repo.updateOrgEntity(p.tenantId, OrgKind.Branch, current, expectedVersion, {
      ...definedOnly(changes),
      updatedAt: this.entities.now(),
    });
  }

  async createUser(principal: Principal | null, input: unknown): Promise<User> {
    const p = authorize(principal, 'users:manage');
    const data = parseInput(CreateUserSchema, input);
    assertCanGrant(p, data);
    if (data.branchId) {
      await this.entities.requireReference(
        p.tenantId,
        OrgKind.Branch,
        data.branchId,
        'input.branchId',
        'branch',
      );
    }
    await this.assertPlacement(p, data.branchId ?? null);
    let manager: User | undefined;
    if (data.managerId) {
      await this.entities.requireReference(
        p.tenantId,
        OrgKind.User,
        data.managerId,
        'input.managerId',
        'user',
      );
      manager = await this.requireManagedUser(p, data.managerId, 'The upline');
    }
    if (data.partnerId) {
      await this.entities.requireReference(
        p.tenantId,
        OrgKind.Partner,
        data.partnerId,
        'input.partnerId',
        'partner',
      );
    }
    const user: User = {
      ...this.entities.stamp(),
      name: data.name,
      email: data.email,
      phone: data.phone ?? null,
      role: data.role,
      scope: data.scope,
      branchId: data.branchId ?? null,
      managerId: data.managerId ?? null,
      partnerId: data.partnerId ?? null,
      active: true,
      // A new user has no moves or memberships yet: its copies start empty and complete (upline.ts).
      placementHistory: [],
      rateGroupHistory: [],
      uplineHint: this.hierarchy.newUserHint(manager),
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
        ? [{ field: 'USER_EMAIL' as const, from: current.email, to: changes.email }]
        : [];
    return this.repo.updateOrgEntity(
      p.tenantId,
      OrgKind.User,
      current,
      expectedVersion,
      { ...definedOnly(changes), updatedAt: this.entities.now() },
      emailChange,
    );
  }

  /**
   * Moves a user to another branch and/or upline, keeping the move as history in the same
   * transaction, with the copy of the user's moves on its item and the upline hints the move
   * changes (its own and, up to {@link HINTS_IN_MOVE_TRANSACTION}, its descendants'; more follow
   * right after, see `OrgHierarchy.writeHints`). Refuses a move that would put a user under their
   * own downline (a cycle).
   */
  async moveUser(principal: Principal | null, input: unknown): Promise<User> {
    const p = authorize(principal, 'users:manage');
    const data = parseInput(MoveUserSchema, input);
    const current = await this.requireManagedUser(p, data.id, 'This user');
    const toBranchId = data.branchId === undefined ? current.branchId : data.branchId;
    const toManagerId = data.managerId === undefined ? current.managerId : data.managerId;
    if (toBranchId)
      await this.entities.requireReference(
        p.tenantId,
        OrgKind.Branch,
        toBranchId,
        'input.branchId',
        'branch',
      );
    await this.assertPlacement(p, toBranchId);
    if (toManagerId) {
      await this.requireManagedUser(p, toManagerId, 'The new upline');
      if (toManagerId === current.id) {
        throw new ValidationFailedError('A user cannot manage themself', [
          { path: 'input.managerId', message: 'cannot be the user themself' },
        ]);
      }
    }
    const users = await this.usersById(p.tenantId);
    if (toManagerId && chainOf(users, toManagerId).some((u) => u.id === current.id)) {
      throw new RuleViolationError('The new upline reports to this user: the hierarchy would form a cycle');
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
      at: this.entities.now(),
    };
    const moveId = newId();
    // A user written before the copies existed gets them now, from its move items.
    const history =
      placementHistoryOf(current) ?? (await this.repo.listPlacementChanges(p.tenantId, current.id));
    const placementHistory = [...history, placementChange(move, moveId)];
    users.set(current.id, { ...current, branchId: toBranchId, managerId: toManagerId, placementHistory });
    const hints = this.hierarchy.hintChanges(users, current.id);
    const inTransaction = hints.others.slice(0, HINTS_IN_MOVE_TRANSACTION);
    const moved = await this.repo.updateOrgEntity(
      p.tenantId,
      OrgKind.User,
      current,
      data.expectedVersion,
      {
        branchId: toBranchId,
        managerId: toManagerId,
        placementHistory,
        uplineHint: hints.own,
        updatedAt: this.entities.now(),
      },
      [],
      [this.repo.moveOp(p.tenantId, move, moveId), ...this.hierarchy.hintOps(p.tenantId, inTransaction)],
    );
    await this.hierarchy.writeHints(p.tenantId, hints.others.slice(HINTS_IN_MOVE_TRANSACTION));
    return moved;
  }

  async listUserMoves(principal: Principal | null, userId: string): Promise<UserMove[]> {
    const p = authorize(principal, 'org:read');
    return this.repo.listUserMoves(p.tenantId, userId);
  }

  async setUserRateGroup(principal: Principal | null, input: unknown): Promise<User> {
    const p = authorize(principal, 'users:manage');
    const data = parseInput(SetUserRateGroupSchema, input);
    const user = await this.requireManagedUser(p, data.userId, 'This user');
    await this.entities.requireReference(
      p.tenantId,
      OrgKind.RateGroup,
      data.rateGroupId,
      'input.rateGroupId',
      'rate group',
    );
    await this.repo.addRateGroupMembership(
      p.tenantId,
      {
        userId: user.id,
        rateGroupId: data.rateGroupId,
        from: data.from,
        setBy: p.userId,
        at: this.entities.now(),
      },
      newId(),
      user.rateGroupHistory !== undefined,
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
    return chainOf(await this.usersById(tenantId), userId);
  }

  /** Every user of the tenant by id (one Query on the users' collection). */
  private async usersById(tenantId: string): Promise<Map<string, User>> {
    const users = await this.repo.listAllOrgEntities<User>(tenantId, OrgKind.User);
    return new Map(users.map((u) => [u.id, u] as const));
  }

  async createRateGroup(principal: Principal | null, input: unknown): Promise<RateGroup> {
    const p = authorize(principal, 'org:configure');
    const data = parseInput(CreateRateGroupSchema, input);
    return this.repo.createOrgEntity<RateGroup>(
      p.tenantId,
      OrgKind.RateGroup,
      { ...this.entities.stamp(), name: data.name, description: data.description ?? null, active: true },
      [{ field: 'RATE_GROUP_NAME', value: data.name.toLowerCase() }],
    );
  }

  async updateRateGroup(principal: Principal | null, input: unknown): Promise<RateGroup> {
    const p = authorize(principal, 'org:configure');
    const { id, expectedVersion, ...changes } = parseInput(UpdateRateGroupSchema, input);
    const current = await this.entities.getOrThrow<RateGroup>(p.tenantId, OrgKind.RateGroup, id, 'RateGroup');
    const rename =
      changes.name && changes.name.toLowerCase() !== current.name.toLowerCase()
        ? [
            {
              field: 'RATE_GROUP_NAME' as const,
              from: current.name.toLowerCase(),
              to: changes.name.toLowerCase(),
            },
          ]
        : [];
    return this.repo.updateOrgEntity(
      p.tenantId,
      OrgKind.RateGroup,
      current,
      expectedVersion,
      { ...definedOnly(changes), updatedAt: this.entities.now() },
      rename,
    );
  }

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
    const user = await this.entities.getOrThrow<User>(p.tenantId, OrgKind.User, id, 'User');
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
}

/** The user and their uplines, nearest first, as the hierarchy stands now. */
function chainOf(users: ReadonlyMap<string, User>, userId: string): User[] {
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
