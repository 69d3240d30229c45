import type {
  PlacementChange,
  PlacementMove,
  RateGroupMembership,
  RateGroupSpell,
  UplineSegment,
  User,
  UserMove,
} from './org.model.js';

export type { PlacementChange, PlacementMove, RateGroupSpell, UplineSegment };

/**
 * The sales hierarchy as kept on the user items, so a policy write freezes its seller's upline with
 * one BatchGetItem instead of a Query per level (issue 18). Three denormalised attributes:
 * - `placementHistory`: the user's own moves, written in the same transaction as each move;
 * - `rateGroupHistory`: the user's rate-group memberships, appended in the same transaction as each;
 * - `uplineHint`: the chain of managers from each date, rewritten when a move changes it.
 * The first two are exact copies of the move and membership items and are what a hierarchy read
 * trusts. The hint only says which users to prefetch: the read walks the chain through each
 * ancestor's own placement history, so a stale hint costs extra reads, never a wrong hierarchy.
 * Users written before these attributes existed have none; readers then query the items as before
 * and `OrgHierarchy.rebuild` (the migration) fills them.
 */

/** How deep a frozen hierarchy may go; deeper chains are a data error, not a sales organisation. */
export const MAX_HIERARCHY_DEPTH = 12;

/** Newest first, as the move and membership items sort (by date, then id). */
function newestFirst<T extends { id: string }>(list: readonly T[], date: (t: T) => string): T[] {
  const sortKey = (t: T) => `${date(t)}#${t.id}`;
  return [...list].sort((a, b) => (sortKey(a) < sortKey(b) ? 1 : sortKey(a) > sortKey(b) ? -1 : 0));
}

/** The user's moves newest first from the user item, or undefined when the item does not carry them. */
export function placementHistoryOf(user: User): PlacementChange[] | undefined {
  return user.placementHistory ? newestFirst(user.placementHistory, (m) => m.effectiveDate) : undefined;
}

/** The user's memberships newest first from the user item, or undefined when the item does not carry them. */
export function rateGroupHistoryOf(user: User): RateGroupSpell[] | undefined {
  return user.rateGroupHistory ? newestFirst(user.rateGroupHistory, (m) => m.from) : undefined;
}

/** A move item as kept on the user item. */
export function placementChange(move: UserMove, id: string): PlacementChange {
  return {
    id,
    effectiveDate: move.effectiveDate,
    fromBranchId: move.fromBranchId,
    toBranchId: move.toBranchId,
    fromManagerId: move.fromManagerId,
    toManagerId: move.toManagerId,
  };
}

/** A membership item as kept on the user item. */
export function rateGroupSpell(membership: RateGroupMembership, id: string): RateGroupSpell {
  return {
    id,
    rateGroupId: membership.rateGroupId,
    from: membership.from,
    ...(membership.promotion ? { promotion: membership.promotion } : {}),
  };
}

/** Where a user sat on a date: the latest move effective by then, else where the first later move started. */
export function placementOn(
  user: Pick<User, 'branchId' | 'managerId'>,
  movesNewestFirst: readonly PlacementMove[],
  date: string,
): { branchId: string | null; managerId: string | null } {
  const before = movesNewestFirst.find((m) => m.effectiveDate <= date);
  if (before) return { branchId: before.toBranchId, managerId: before.toManagerId };
  const firstAfter = movesNewestFirst.at(-1);
  if (firstAfter) return { branchId: firstAfter.fromBranchId, managerId: firstAfter.fromManagerId };
  return { branchId: user.branchId, managerId: user.managerId };
}

/**
 * The managers a hierarchy walk from `userId` on `date` reads, nearest first: the same stops as the
 * walk (a cycle, {@link MAX_HIERARCHY_DEPTH} levels, a missing user). Users whose items carry no
 * placement history count as never moved.
 */
export function uplineWalkIds(userId: string, users: ReadonlyMap<string, User>, date: string): string[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  let levels = 0;
  for (let user = users.get(userId); user && !seen.has(user.id) && levels < MAX_HIERARCHY_DEPTH; ) {
    seen.add(user.id);
    levels++;
    const next = placementOn(user, placementHistoryOf(user) ?? [], date).managerId;
    if (!next) break;
    ids.push(next);
    user = users.get(next);
  }
  return ids;
}

/** Every date on which some user's placement changes (the only dates on which a chain can change). */
export function hierarchyDates(users: Iterable<User>): string[] {
  const dates = new Set<string>();
  for (const user of users) for (const m of user.placementHistory ?? []) dates.add(m.effectiveDate);
  return [...dates].sort();
}

/** A user's chain of managers through time, one segment per change. */
export function uplineTimeline(
  userId: string,
  users: ReadonlyMap<string, User>,
  dates: readonly string[],
): UplineSegment[] {
  const segments: UplineSegment[] = [{ from: '', managerIds: uplineWalkIds(userId, users, '') }];
  for (const date of dates) {
    const managerIds = uplineWalkIds(userId, users, date);
    if (!sameIds(managerIds, segments.at(-1)?.managerIds ?? [])) segments.push({ from: date, managerIds });
  }
  return segments;
}

/** The managers the hint names for a date, or undefined when the user item carries no hint. */
export function uplineHintOn(user: User, date: string): string[] | undefined {
  if (!user.uplineHint) return undefined;
  const segment = user.uplineHint.findLast((s) => s.from <= date);
  return segment?.managerIds ?? [];
}

/** Whether two timelines are the same (so an unchanged hint is not rewritten). */
export function sameTimeline(a: readonly UplineSegment[] | undefined, b: readonly UplineSegment[]): boolean {
  return (
    a !== undefined &&
    a.length === b.length &&
    a.every((s, i) => s.from === b[i]?.from && sameIds(s.managerIds, b[i]?.managerIds ?? []))
  );
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
