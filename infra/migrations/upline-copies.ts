import { type HierarchyRebuild, OrgHierarchy, OrgRepository } from '../../functions/modules/org/index.js';
import type { Db } from '../../functions/shared/db.js';

/**
 * The migration of issue 18: fills the hierarchy copies on user items (moves, rate-group
 * memberships, upline hint; functions/modules/org/upline.ts) for users written before they existed,
 * in every tenant. Idempotent: a user whose copies match is not written, so it runs at every local
 * start and can run again on a deployed table at any time (`npm run migrate:uplines`); users that
 * moved or gained a membership while it ran are reported as conflicts and done by the next run.
 * Until it has run, policy writes read such users the old way (a Query per level).
 */
export function migrateUplineCopies(db: Db): Promise<HierarchyRebuild[]> {
  return new OrgHierarchy(new OrgRepository(db)).rebuildAll();
}
