import { maySell } from '../../shared/auth/policy.js';
import { ValidationFailedError } from '../../shared/errors.js';
import { OrgKind } from '../../shared/table-design.js';
import type { Branch, RateGroupMembership, User, UserMove } from '../org/index.js';
import type { HierarchyLevel } from './policies.model.js';
import type { PolicyBook } from './policy-book.js';
import type { PolicyOrgDirectory } from './ports.js';

/** How deep a frozen hierarchy may go; deeper chains are a data error, not a sales organisation. */
const MAX_HIERARCHY_DEPTH = 12;

/** The hierarchy frozen on a policy: the seller's branch and upline chain on the written date. */
export class SellerHierarchy {
  constructor(
    private readonly book: PolicyBook,
    private readonly org: PolicyOrgDirectory,
  ) {}

  /**
   * The seller's branch and upline chain as they stood on `date`, from the users' move history and
   * rate-group memberships. Frozen on the policy so that later moves never rewrite commissions.
   */
  async freeze(
    tenantId: string,
    sellerId: string,
    date: string,
    path: string,
  ): Promise<{ branch: Branch; hierarchy: HierarchyLevel[] }> {
    const seller = await this.book.requireUser(tenantId, sellerId, path);
    if (!maySell(seller.role)) {
      throw new ValidationFailedError('The seller must be an advisor or manager', [
        { path, message: 'is not an advisor or manager' },
      ]);
    }
    const hierarchy: HierarchyLevel[] = [];
    let branchId: string | null = null;
    const seen = new Set<string>();
    let user: User | undefined = seller;
    while (user && !seen.has(user.id) && hierarchy.length < MAX_HIERARCHY_DEPTH) {
      seen.add(user.id);
      const [moves, memberships] = await Promise.all([
        this.org.listUserMoves(tenantId, user.id),
        this.org.listRateGroupMemberships(tenantId, user.id),
      ]);
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
      user = placement.managerId
        ? await this.org.getOrgEntity<User>(tenantId, OrgKind.User, placement.managerId)
        : undefined;
    }
    const branch = branchId
      ? await this.org.getOrgEntity<Branch>(tenantId, OrgKind.Branch, branchId)
      : undefined;
    if (!branch)
      throw new ValidationFailedError('The seller had no branch on the written date', [
        { path, message: 'had no branch on the written date' },
      ]);
    return { branch, hierarchy };
  }
}

/** Where a user sat on a date: the latest move effective by then, else where the first later move started. */
export function placementOn(
  user: User,
  movesNewestFirst: UserMove[],
  date: string,
): { branchId: string | null; managerId: string | null } {
  const before = movesNewestFirst.find((m) => m.effectiveDate <= date);
  if (before) return { branchId: before.toBranchId, managerId: before.toManagerId };
  const firstAfter = movesNewestFirst.at(-1);
  if (firstAfter) return { branchId: firstAfter.fromBranchId, managerId: firstAfter.fromManagerId };
  return { branchId: user.branchId, managerId: user.managerId };
}

/** The promotion behind the membership in force on a date, when a promotion created it. */
function promotionOn(
  membershipsNewestFirst: RateGroupMembership[],
  date: string,
): Pick<HierarchyLevel, 'rateGroupPromotion'> {
  const m = membershipsNewestFirst.find((x) => x.from <= date);
  return m?.promotion ? { rateGroupPromotion: { ...m.promotion, from: m.from } } : {};
}

/** The rate group a user belonged to on a date (memberships start on their `from` date). */
export function rateGroupOn(membershipsNewestFirst: RateGroupMembership[], date: string): string | null {
  return membershipsNewestFirst.find((m) => m.from <= date)?.rateGroupId ?? null;
}
