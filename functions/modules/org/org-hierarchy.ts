import type { TransactOp } from '../../shared/db.js';
import { VersionConflictError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import { OrgKind } from '../../shared/table-design.js';
import type { User } from './org.model.js';
import type { OrgRepository } from './org.repository.js';
import {
  hierarchyDates,
  MAX_HIERARCHY_DEPTH,
  placementHistoryOf,
  rateGroupHistoryOf,
  sameTimeline,
  type UplineSegment,
  uplineTimeline,
} from './upline.js';

/**
 * Hints of other users rewritten in the move's own transaction. Each is an update of an audited
 * item, so it brings an audit entry: 2 + 1 + 2 × 40 ops stay within a transaction's 100.
 */
export const HINTS_IN_MOVE_TRANSACTION = 40;
/** Hints per follow-up transaction, for a move that changes more chains than that. */
const HINTS_PER_FOLLOW_UP = 45;
/** Users whose moves and memberships the migration queries at a time. */
const MIGRATION_CONCURRENCY = 8;

/** The changes a move makes to hints: the mover's own, and the others' (nearest the mover first). */
export interface HintChanges {
  own: UplineSegment[];
  others: Array<{ userId: string; hint: UplineSegment[] }>;
}

/** What the migration did for a tenant. */
export interface HierarchyRebuild {
  tenantId: string;
  users: number;
  /** Users whose item changed (a second run on unchanged data writes none). */
  written: number;
  /** Users that moved or gained a membership while the migration ran: run it again for them. */
  conflicts: number;
}

/**
 * Keeps the hierarchy copies on user items right (see upline.ts): the hints a move changes, the
 * hint of a new user, and the migration that fills every copy for users written before them.
 */
export class OrgHierarchy {
  constructor(private readonly repo: OrgRepository) {}

  /**
   * The hints that change when the users stand as `users` (every user of the tenant, the mover as
   * it will be stored). The mover's chain and its descendants' chains are the ones that change;
   * comparing every user's hint also repairs any left stale.
   */
  hintChanges(users: ReadonlyMap<string, User>, moverId: string): HintChanges {
    const dates = hierarchyDates(users.values());
    const own = uplineTimeline(moverId, users, dates);
    const others: HintChanges['others'] = [];
    for (const user of users.values()) {
      if (user.id === moverId) continue;
      const hint = uplineTimeline(user.id, users, dates);
      if (!sameTimeline(user.uplineHint, hint)) others.push({ userId: user.id, hint });
    }
    return { own, others };
  }

  /** The hint of a user created under `manager` (who has no moves of their own yet). */
  newUserHint(manager: User | undefined): UplineSegment[] {
    if (!manager) return [{ from: '', managerIds: [] }];
    const managers = manager.uplineHint ?? [{ from: '', managerIds: [] }];
    return managers.map((s) => ({
      from: s.from,
      managerIds: [manager.id, ...s.managerIds].slice(0, MAX_HIERARCHY_DEPTH),
    }));
  }

  /** Ops for the hints a move's own transaction carries; the rest go to {@link writeHints} after it. */
  hintOps(tenantId: string, changes: HintChanges['others']): TransactOp[] {
    return changes.map((c) => this.repo.uplineHintOp(tenantId, c.userId, c.hint));
  }

  /**
   * Writes hints a move could not carry in its transaction (more than {@link HINTS_IN_MOVE_TRANSACTION}
   * descendants). Not atomic with the move: a failure leaves hints stale, which costs a later policy
   * write extra reads but never a wrong hierarchy, and the migration rewrites them; it is logged.
   */
  async writeHints(tenantId: string, changes: HintChanges['others']): Promise<void> {
    for (let i = 0; i < changes.length; i += HINTS_PER_FOLLOW_UP) {
      const chunk = changes.slice(i, i + HINTS_PER_FOLLOW_UP);
      try {
        await this.repo.transactOps(this.hintOps(tenantId, chunk));
      } catch (error) {
        logger.warn('Upline hints left stale; the hierarchy migration rewrites them', {
          tenantId,
          users: chunk.map((c) => c.userId),
          error,
        });
      }
    }
  }

  /**
   * The migration: copies every user's moves and memberships onto the user item and computes every
   * hint, from the move and membership items. Idempotent (a user whose copies already match is not
   * written) and safe beside live traffic (a user that moved or gained a membership meanwhile is
   * counted as a conflict and left for the next run).
   */
  async rebuild(tenantId: string): Promise<HierarchyRebuild> {
    const stored = await this.repo.listAllOrgEntities<User>(tenantId, OrgKind.User);
    const copies = new Map<string, Pick<User, 'placementHistory' | 'rateGroupHistory'>>();
    for (let i = 0; i < stored.length; i += MIGRATION_CONCURRENCY) {
      await Promise.all(
        stored.slice(i, i + MIGRATION_CONCURRENCY).map(async (u) => {
          const [placementHistory, rateGroupHistory] = await Promise.all([
            this.repo.listPlacementChanges(tenantId, u.id),
            this.repo.listRateGroupSpells(tenantId, u.id),
          ]);
          copies.set(u.id, { placementHistory, rateGroupHistory });
        }),
      );
    }
    const users = new Map(stored.map((u) => [u.id, { ...u, ...copies.get(u.id) }] as const));
    const dates = hierarchyDates(users.values());
    const result: HierarchyRebuild = { tenantId, users: stored.length, written: 0, conflicts: 0 };
    for (const user of stored) {
      const copy = {
        placementHistory: users.get(user.id)?.placementHistory ?? [],
        rateGroupHistory: users.get(user.id)?.rateGroupHistory ?? [],
        uplineHint: uplineTimeline(user.id, users, dates),
      };
      if (sameCopy(user, copy)) continue;
      try {
        await this.repo.transactOps([this.repo.hierarchyCopyOp(tenantId, user, copy)]);
        result.written++;
      } catch (error) {
        if (!(error instanceof VersionConflictError)) throw error;
        result.conflicts++;
      }
    }
    return result;
  }

  /** {@link rebuild} for every tenant (tenants from the registry partition: one Query, no Scan). */
  async rebuildAll(): Promise<HierarchyRebuild[]> {
    const results: HierarchyRebuild[] = [];
    for (const tenantId of await this.repo.listTenantIds()) results.push(await this.rebuild(tenantId));
    return results;
  }
}

function sameCopy(
  user: User,
  copy: Required<Pick<User, 'placementHistory' | 'rateGroupHistory' | 'uplineHint'>>,
): boolean {
  const computed = { ...user, ...copy };
  return (
    canonical(placementHistoryOf(user)) === canonical(placementHistoryOf(computed)) &&
    canonical(rateGroupHistoryOf(user)) === canonical(rateGroupHistoryOf(computed)) &&
    sameTimeline(user.uplineHint, copy.uplineHint)
  );
}

/** JSON with object keys sorted: DynamoDB does not keep the order of a map's keys. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
