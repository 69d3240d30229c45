import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_STATUSES } from '../../functions/modules/clients/index.js';
import { INVOICE_STATUSES } from '../../functions/modules/invoices/index.js';
import { OrgRepository } from '../../functions/modules/org/index.js';
import { POLICY_STATUSES } from '../../functions/modules/policies/index.js';
import type { Db } from '../../functions/shared/db.js';
import {
  type ClaimMigrationResult,
  commissionRecipientsOf,
  migrateClaims,
  migrateToShards,
  migrateUnmatchedPayments,
  monthsBetween,
  type ShardMigrationResult,
  unshardedKeys,
} from '../../functions/shared/shard-migration.js';
import { keys, OrgKind } from '../../functions/shared/table-design.js';

/**
 * Moves items written before the hot index keys were sharded to their shards, for one tenant or
 * every registered one (the registry is one Query), over the months `from`..`to` of the period
 * keys and the tenant's branches, insurers and product lines (one Query of each org collection)
 * (docs/scale.md, section 7). Idempotent: a second run moves nothing.
 */
export async function migrateShardKeys(
  db: Db,
  scope: { tenantId?: string; from: string; to: string },
): Promise<Map<string, ClaimMigrationResult>> {
  const tenants = scope.tenantId
    ? [scope.tenantId]
    : (await db.queryAll({ partition: keys.tenantRegistryPartition })).map((i) => String(i.sk));
  const periods = monthsBetween(scope.from, scope.to);
  const results = new Map<string, ClaimMigrationResult>();
  const org = new OrgRepository(db);
  const ids = async (tenantId: string, kind: OrgKind) =>
    (await org.listAllOrgEntities<{ id: string }>(tenantId, kind)).map((e) => e.id);
  for (const tenantId of tenants) {
    const oldKeys = unshardedKeys({
      tenantId,
      policyStatuses: POLICY_STATUSES,
      clientStatuses: CLIENT_STATUSES,
      invoiceStatuses: INVOICE_STATUSES,
      periods,
      branchIds: await ids(tenantId, OrgKind.Branch),
      insurerIds: await ids(tenantId, OrgKind.Insurer),
      productLineIds: await ids(tenantId, OrgKind.ProductLine),
      recipients: await commissionRecipientsOf(db, tenantId, periods),
    });
    const indexes: ShardMigrationResult = await migrateToShards(db, oldKeys);
    const claims = await migrateClaims(db, tenantId);
    const queue = await migrateUnmatchedPayments(db, tenantId);
    results.set(tenantId, {
      moved: indexes.moved + claims.moved + queue.moved,
      alreadyMoved: indexes.alreadyMoved + claims.alreadyMoved + queue.alreadyMoved,
      conflicts: claims.conflicts,
    });
  }
  return results;
}

/**
 * Which set of sharded keys a directory's marker records: bumped when keys join the set (2: the
 * tenant's task lists and clients by creation; 3: a branch's policies, clients and tasks, an
 * insurer's and a product line's policies, the policy status keys re-sharded 16 → 32, each
 * commission recipient's line list, the month's commission lines re-sharded 16 → 64, the unique
 * claims, the resolution queue of unmatched payments and each insurer's webhook delivery list), so a directory migrated for an earlier set is migrated again (idempotent: only the newly
 * sharded keys' items move).
 */
export const SHARD_KEYS_VERSION = 3;

function markedVersion(marker: string): number {
  try {
    return Number((JSON.parse(readFileSync(marker, 'utf8')) as { version?: number }).version ?? 1);
  } catch {
    return 0;
  }
}

/**
 * A data directory written before the hot index keys were sharded has its items moved to their
 * shards once (docs/scale.md, section 7), over the three years of months before the next one; a
 * marker file records it and the set of keys it covered. A new directory or an in-memory stack has
 * nothing older to move.
 */
export async function migrateShardsOnce(
  db: Db,
  dataDir: string | null,
  earlierData: boolean,
  log: (l: string) => void,
): Promise<void> {
  const marker = dataDir ? join(dataDir, 'shards.json') : null;
  if (!marker || (existsSync(marker) && markedVersion(marker) >= SHARD_KEYS_VERSION)) return;
  if (!earlierData) {
    writeFileSync(
      marker,
      `${JSON.stringify({ version: SHARD_KEYS_VERSION, migratedAt: null, moved: 0 }, null, 2)}\n`,
      { mode: 0o600 },
    );
    return;
  }
  const now = new Date();
  const month = (offset: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 7);
  const results = await migrateShardKeys(db, { from: month(-36), to: month(1) });
  const moved = [...results.values()].reduce((sum, r) => sum + r.moved, 0);
  if (moved > 0) log(`Index shards    moved ${moved} item(s) written by an earlier version`);
  for (const [tenantId, r] of results)
    for (const c of r.conflicts)
      log(
        `Index shards    ${tenantId}: ${c.field} "${c.value}" is claimed by ${c.oldOwner} and, since the upgrade, by ${c.newOwner}: settle it by hand`,
      );
  writeFileSync(
    marker,
    `${JSON.stringify({ version: SHARD_KEYS_VERSION, migratedAt: now.toISOString(), moved }, null, 2)}\n`,
    { mode: 0o600 },
  );
}
