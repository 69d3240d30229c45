import { maySell } from '../../shared/auth/policy.js';
import { ValidationFailedError } from '../../shared/errors.js';
import { OrgKind } from '../../shared/table-design.js';
import {
  type Branch,
  MAX_HIERARCHY_DEPTH,
  type PlacementMove,
  placementHistoryOf,
  placementOn,
  type RateGroupMembership,
  rateGroupHistoryOf,
  type User,
  uplineHintOn,
} from '../org/index.js';
import type { HierarchyLevel } from './policies.model.js';
import type { PolicyBook } from './policy-book.js';
import type { PolicyOrgDirectory } from './ports.js';

type Membership = Pick<RateGroupMembership, 'rateGroupId' | 'from' | 'promotion'>;

/** The hierarchy frozen on a policy: the seller's branch and upline chain on the written date. */
export class SellerHierarchy {
  constructor(
    private readonly book: PolicyBook,
    private readonly org: PolicyOrgDirectory,
  ) {}

  /**
   * The seller's branch and upline chain as they stood on `date`, from the users' move history and
   * rate-group memberships. Frozen on the policy so that later moves never rewrite commissions.
   *
   * Reads: the seller (none when the caller already read it: `read.seller`), then one BatchGetItem for
   * the managers the seller's upline hint names for the date and the seller's branch. The walk
   * itself follows each user's own placement history, so a stale hint only means more reads; users
   * whose items keep no copies yet (before the migration) are read the old way, a Query per level.
   */
  async freeze(
    tenantId: string,
    sellerId: string,
    date: string,
    path: string,
    read?: { seller: User | undefined },
  ): Promise<{ branch: Branch; hierarchy: HierarchyLevel[] }> {
    const seller = read
      ? this.book.assertStaff(read.seller, sellerId, path)
      : await this.book.requireUser(tenantId, sellerId, path);
    if (!maySell(seller.role)) {
      throw new ValidationFailedError('The seller must be an advisor or manager', [
        { path, message: 'is not an advisor or manager' },
      ]);
    }
    const entity = await this.prefetch(tenantId, seller, date);
    const hierarchy: HierarchyLevel[] = [];
    let branchId: string | null = null;
    const seen = new Set<string>();
    let user: User | undefined = seller;
    while (user && !seen.has(user.id) && hierarchy.length < MAX_HIERARCHY_DEPTH) {
      seen.add(user.id);
      const [moves, memberships] = await this.historyOf(tenantId, user);
      const placement = placementOn(user, moves, date);
      if (hierarchy.length === 0) branchId = placement.branchId;
      hierarchy.push({
        level: hierarchy.length,
        userId: user.id,
        name: user.name,
        active: user.active,
        rateGroupId: rateGroupOn(memberships, date),
        ...promotionOn(memberships, date),
      });
      user = placement.managerId ? await entity<User>(OrgKind.User, placement.managerId) : undefined;
    }
    const branch = branchId ? await entity<Branch>(OrgKind.Branch, branchId) : undefined;
    if (!branch)
      throw new ValidationFailedError('The seller had no branch on the written date', [
        { path, message: 'had no branch on the written date' },
      ]);
    return { branch, hierarchy };
  }

  /**
   * One BatchGetItem for what the walk will need (the hinted managers and the seller's branch on
   * the date), and a lookup that answers from it, reading only what it did not ask for.
   */
  private async prefetch(
    tenantId: string,
    seller: User,
    date: string,
  ): Promise<<T>(kind: OrgKind, id: string) => Promise<T | undefined>> {
    const moves = placementHistoryOf(seller);
    const refs = [
      ...(uplineHintOn(seller, date) ?? []).map((id) => ({ kind: OrgKind.User, id })),
      ...(moves ? [placementOn(seller, moves, date).branchId] : [])
        .filter((id): id is string => !!id)
        .map((id) => ({ kind: OrgKind.Branch, id })),
    ];
    const asked = new Set(refs.map((r) => `${r.kind}:${r.id}`));
    const found = refs.length > 0 ? await this.org.getOrgEntitiesByRef(tenantId, refs) : new Map();
    return async <T>(kind: OrgKind, id: string) =>
      asked.has(`${kind}:${id}`)
        ? (found.get(`${kind}:${id}`) as T | undefined)
        : this.org.getOrgEntity<T>(tenantId, kind, id);
  }

  /** A user's moves and memberships, newest first: from the user item when it keeps them, else queried. */
  private async historyOf(tenantId: string, user: User): Promise<[PlacementMove[], Membership[]]> {
    const moves = placementHistoryOf(user);
    const memberships = rateGroupHistoryOf(user);
    return Promise.all([
      moves ?? this.org.listUserMoves(tenantId, user.id),
      memberships ?? this.org.listRateGroupMemberships(tenantId, user.id),
    ]);
  }
}

export { placementOn };

/** The promotion behind the membership in force on a date, when a promotion created it. */
function promotionOn(
  membershipsNewestFirst: Membership[],
  date: string,
): Pick<HierarchyLevel, 'rateGroupPromotion'> {
  const m = membershipsNewestFirst.find((x) => x.from <= date);
  return m?.promotion ? { rateGroupPromotion: { ...m.promotion, from: m.from } } : {};
}

/** The rate group a user belonged to on a date (memberships start on their `from` date). */
export function rateGroupOn(membershipsNewestFirst: Membership[], date: string): string | null {
  return membershipsNewestFirst.find((m) => m.from <= date)?.rateGroupId ?? null;
}
