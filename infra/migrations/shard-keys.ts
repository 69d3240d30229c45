import { CLIENT_STATUSES } from '../../functions/modules/clients/index.js';
import { INVOICE_STATUSES } from '../../functions/modules/invoices/index.js';
import { POLICY_STATUSES } from '../../functions/modules/policies/index.js';
import type { Db } from '../../functions/shared/db.js';
import {
  migrateToShards,
  monthsBetween,
  type ShardMigrationResult,
  unshardedKeys,
} from '../../functions/shared/shard-migration.js';
import { keys } from '../../functions/shared/table-design.js';

/**
 * Moves items written before the hot index keys were sharded to their shards, for one tenant or
 * every registered one (the registry is one Query), over the months `from`..`to` of the period
 * keys (docs/scale.md, section 7). Idempotent: a second run moves nothing.
 */
export async function migrateShardKeys(
  db: Db,
  scope: { tenantId?: string; from: string; to: string },
): Promise<Map<string, ShardMigrationResult>> {
  const tenants = scope.tenantId
    ? [scope.tenantId]
    : (await db.queryAll({ partition: keys.tenantRegistryPartition })).map((i) => String(i.sk));
  const periods = monthsBetween(scope.from, scope.to);
  const results = new Map<string, ShardMigrationResult>();
  for (const tenantId of tenants) {
    const oldKeys = unshardedKeys({
      tenantId,
      policyStatuses: POLICY_STATUSES,
      clientStatuses: CLIENT_STATUSES,
      invoiceStatuses: INVOICE_STATUSES,
      periods,
    });
    results.set(tenantId, await migrateToShards(db, oldKeys));
  }
  return results;
}
