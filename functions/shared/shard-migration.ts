import { type Db, deleteOp, type StoredItem } from './db.js';
import { tenantPrefix } from './key-segments.js';
import { SHARD_COUNT, type ShardedPartition, sharded, shardedKey } from './sharded-keys.js';
import { COMMISSION_LINE_PERIOD_SHARDS, type IndexName, type ItemKey, keys, TABLE } from './table-design.js';
import { UNIQUE_FIELDS, type UniqueField } from './unique-fields.js';

/**
 * The migration of items written before an index key was sharded (docs/scale.md, section 7): each
 * item still under the old, unsharded key value is moved to its shard (`<key>#S<n>`, n from its id)
 * by rewriting that one index attribute. Only index attributes change (no version bump, no domain
 * field), so the stream consumers' MODIFY records mean nothing to them. Every write is conditioned on
 * the attribute still holding the old value: a rerun, or a concurrent writer that already moved an
 * item, changes nothing. Reads are Queries on the old key values; nothing scans.
 */

/** One old key value to empty: an index and the unsharded value its items still carry. */
export interface UnshardedKey {
  index: IndexName;
  value: string;
  /** How many shards the key is written over now (its key builder's count; default 16). */
  shards?: number;
  /**
   * Set when the key was sharded before with another count (a re-shard): its items are under
   * `<value>#S0…S<from-1>` and move to their shard of `shards`; items already there stay.
   */
  from?: number;
  /** The item attribute its shard is computed from (its key builder's id), when not `id`. */
  idAttribute?: string;
}

/**
 * What the sharded keys' old values are for one tenant: the status lists, the months to cover, and
 * the tenant's branches, insurers and product lines (whose policy, client and task lists are sharded).
 */
export interface ShardMigrationScope {
  tenantId: string;
  policyStatuses: readonly string[];
  clientStatuses: readonly string[];
  invoiceStatuses: readonly string[];
  /** `yyyy-mm` months whose payment and commission line keys to move. */
  periods: readonly string[];
  branchIds: readonly string[];
  insurerIds: readonly string[];
  productLineIds: readonly string[];
  /**
   * Commission recipients (`<KIND>:<id>`) whose line lists to move: those with an accrual in one of
   * the months ({@link commissionRecipientsOf}); every line adds to its recipient's accrual of its month.
   */
  recipients?: readonly string[];
}

/** The unsharded value of a sharded key and its shard count, as its key builder names them. */
function oldKey(index: IndexName, partition: ShardedPartition): UnshardedKey {
  return { index, value: partition.base, shards: partition.shards.length };
}

/**
 * Every old key value a sharding replaced, for one tenant. The policy status keys were sharded 16
 * ways first and 32 now: both their unsharded value and their 16 old shards are emptied (an item
 * whose 32-way shard is its old one stays).
 */
export function unshardedKeys(scope: ShardMigrationScope): UnshardedKey[] {
  const { tenantId } = scope;
  const t = tenantPrefix(tenantId);
  return [
    ...scope.policyStatuses.flatMap((s) => {
      const status = oldKey('gsi6', keys.policiesByStatus(tenantId, s));
      return [status, { ...status, from: SHARD_COUNT }];
    }),
    ...scope.clientStatuses.flatMap((s) => {
      const status = oldKey('gsi2', keys.clientsByStatus(tenantId, s));
      return [status, { ...status, from: SHARD_COUNT }];
    }),
    ...scope.invoiceStatuses.map((s) => ({ index: 'gsi2' as const, value: `${t}#INVOICE#STATUS#${s}` })),
    ...[undefined, SHARD_COUNT].map((from) => ({
      ...oldKey('gsi6', keys.clientsByCreation(tenantId)),
      from,
    })),
    { index: 'gsi4' as const, value: `${t}#OPEN_TASKS` },
    { index: 'gsi5' as const, value: `${t}#TASKS` },
    ...scope.periods.flatMap((p) => [
      { index: 'gsi2' as const, value: `${t}#PAYMENT#PERIOD#${p}` },
      { index: 'gsi6' as const, value: `${t}#PAYMENT#LATE#${p}` },
      // Unsharded (before version 2) and over 16 shards (version 2): both to their shard of 64.
      ...[undefined, 16].map((from) => ({
        index: 'gsi2' as const,
        value: keys.commissionLinesByPeriod(scope.tenantId, p).base,
        shards: COMMISSION_LINE_PERIOD_SHARDS,
        ...(from ? { from } : {}),
      })),
    ]),
    ...scope.branchIds.flatMap((b) => [
      oldKey('gsi3', keys.policiesByBranch(tenantId, b)),
      oldKey('gsi3', keys.clientsByBranch(tenantId, b)),
      oldKey('gsi3', keys.tasksByBranch(tenantId, b)),
    ]),
    ...scope.insurerIds.flatMap((i) => [
      oldKey('gsi2', keys.policiesByInsurer(tenantId, i)),
      // A delivery log entry has no `id`: its shard comes from its webhook id.
      { ...oldKey('gsi3', keys.webhookDeliveriesByInsurer(tenantId, i)), idAttribute: 'webhookId' },
    ]),
    ...scope.productLineIds.map((pl) => oldKey('gsi4', keys.policiesByProductLine(tenantId, pl))),
    ...(scope.recipients ?? []).map((r) => ({
      index: 'gsi1' as const,
      value: keys.commissionLinesByRecipient(scope.tenantId, r).base,
    })),
  ];
}

/**
 * The commission recipients of a tenant with an accrual in any of these months: one Query per month
 * on the month's accrual index (its period entries, and accruals an earlier version indexed
 * themselves), no Scan. Every line is written with its recipient's accrual of the line's month, so
 * these are all the recipients with lines in the months.
 */
export async function commissionRecipientsOf(
  db: Db,
  tenantId: string,
  periods: readonly string[],
): Promise<string[]> {
  const recipients = new Set<string>();
  for (const period of periods) {
    const items = await db.queryAll<StoredItem>({
      index: 'gsi2',
      partition: keys.commissionAccrualsByPeriod(tenantId, period),
    });
    for (const item of items) if (typeof item.recipientKey === 'string') recipients.add(item.recipientKey);
  }
  return [...recipients].sort();
}

/** The months from `from` to `to` (both `yyyy-mm`, inclusive). */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  for (let guard = 0; guard < 1200; guard++) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > to) break;
    months.push(month);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return months;
}

export interface ShardMigrationResult {
  /** Items moved to their shard by this run. */
  moved: number;
  /** Items found under an old value that another writer (or an earlier run) had moved already. */
  alreadyMoved: number;
}

class AlreadyMoved extends Error {}

const CONCURRENCY = 8;

/** Moves every item still under one of `oldKeys` to its shard. Idempotent. */
export async function migrateToShards(
  db: Db,
  oldKeys: readonly UnshardedKey[],
): Promise<ShardMigrationResult> {
  const result: ShardMigrationResult = { moved: 0, alreadyMoved: 0 };
  const oldValues = oldKeys.flatMap((key) =>
    key.from
      ? sharded(key.value, key.from).shards.map((old) => ({ ...key, old }))
      : [{ ...key, old: key.value }],
  );
  for (const { index, value, shards, old, idAttribute = 'id' } of oldValues) {
    const attribute = TABLE.indexes[index].partitionKey;
    const items = (await db.queryAll<StoredItem>({ index, partition: old })).filter(
      (item) => shardedKey(value, String(item[idAttribute]), shards) !== old,
    );
    for (let i = 0; i < items.length; i += CONCURRENCY) {
      await Promise.all(
        items.slice(i, i + CONCURRENCY).map(async (item) => {
          try {
            await db.transact([moveOp(item, attribute, value, old, String(item[idAttribute]), shards)]);
            result.moved++;
          } catch (error) {
            if (!(error instanceof AlreadyMoved)) throw error;
            result.alreadyMoved++;
          }
        }),
      );
    }
  }
  return result;
}

function moveOp(
  item: StoredItem,
  attribute: string,
  base: string,
  oldValue: string,
  id: string,
  shards?: number,
) {
  return {
    item: {
      Update: {
        TableName: '',
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET #attr = :new',
        ConditionExpression: '#attr = :old',
        ExpressionAttributeNames: { '#attr': attribute },
        ExpressionAttributeValues: { ':new': shardedKey(base, id, shards), ':old': oldValue },
      },
    },
    onConditionFailed: () => new AlreadyMoved(),
  };
}

class TargetTaken extends Error {}
class SourceGone extends Error {}

/** What moving one old base-table partition's items did; `conflicts` pairs an item with the one its key already holds. */
interface BaseMove extends ShardMigrationResult {
  conflicts: Array<{ item: StoredItem; now: StoredItem | undefined }>;
}

/**
 * Moves every item of an old base-table partition to its new key: put there (only if the key is
 * free) and deleted from the old partition in one transaction, so it is never in both nor lost. When
 * the new key is already taken, `sameAs` decides (reading what is there) whether it holds the same
 * thing — then the old copy is just deleted (`alreadyMoved`) — or a conflict, left alone and
 * reported; without `sameAs` a taken key always holds the same thing (no read). A rerun finds the
 * old partition empty. One Query of the old partition; no Scan.
 */
async function moveBaseItems(
  db: Db,
  oldPartition: string,
  targetOf: (item: StoredItem) => ItemKey,
  sameAs?: (item: StoredItem, now: StoredItem | undefined) => boolean,
): Promise<BaseMove> {
  const result: BaseMove = { moved: 0, alreadyMoved: 0, conflicts: [] };
  const items = await db.queryAll<StoredItem>({ partition: oldPartition });
  for (let i = 0; i < items.length; i += CONCURRENCY) {
    await Promise.all(
      items.slice(i, i + CONCURRENCY).map(async (item) => {
        const target = targetOf(item);
        const old = { pk: oldPartition, sk: String(item.sk) };
        try {
          await db.transact([
            {
              item: {
                Put: {
                  TableName: '',
                  Item: { ...item, pk: target.pk, sk: target.sk },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              onConditionFailed: () => new TargetTaken(),
            },
            {
              item: { Delete: { TableName: '', Key: old, ConditionExpression: 'attribute_exists(pk)' } },
              onConditionFailed: () => new SourceGone(),
            },
          ]);
          result.moved++;
        } catch (error) {
          if (error instanceof SourceGone) return;
          if (!(error instanceof TargetTaken)) throw error;
          const now = sameAs ? await db.get(target, { consistent: true }) : undefined;
          if (sameAs && !sameAs(item, now)) {
            result.conflicts.push({ item, now });
            return;
          }
          await db.transact([deleteOp(old)]);
          result.alreadyMoved++;
        }
      }),
    );
  }
  return result;
}

/** What moving a tenant's unique claims to their shards did. */
export interface ClaimMigrationResult extends ShardMigrationResult {
  /**
   * Values claimed under the old partition and, since the deploy, claimed again under the new one by
   * another owner (the claim could not be seen meanwhile): both claims are left for a person to settle.
   */
  conflicts: Array<{ field: UniqueField; value: string; oldOwner: string; newOwner: string }>;
}

/**
 * Moves every unique claim still under its field's old partition (`T#<t>#UNIQUE#<field>`) to its
 * shard ({@link moveBaseItems}). A claim already under the new key for the same owner just loses its
 * old copy (`alreadyMoved`); for another owner it is a conflict, reported and left alone. Reads are
 * Queries on the old partitions, one per field of {@link UNIQUE_FIELDS} (the list every claim's field
 * is typed by).
 */
export async function migrateClaims(db: Db, tenantId: string): Promise<ClaimMigrationResult> {
  const result: ClaimMigrationResult = { moved: 0, alreadyMoved: 0, conflicts: [] };
  for (const field of UNIQUE_FIELDS) {
    const moved = await moveBaseItems(
      db,
      keys.uniqueClaims(tenantId, field).base,
      (claim) => keys.unique(tenantId, field, String(claim.sk)),
      (claim, now) => now?.ownerId === claim.ownerId,
    );
    result.moved += moved.moved;
    result.alreadyMoved += moved.alreadyMoved;
    for (const { item, now } of moved.conflicts)
      result.conflicts.push({
        field,
        value: String(item.sk),
        oldOwner: String(item.ownerId),
        newOwner: String(now?.ownerId),
      });
  }
  return result;
}

/**
 * Moves every row still in the tenant's old resolution-queue partition (`T#<t>#PAYMENT#UNMATCHED`,
 * a base-table partition) to its shard (n from the row's id; {@link moveBaseItems}). A row queued
 * again under the new key meanwhile (a re-import of the same statement row: same id, same content)
 * just loses its old copy (`alreadyMoved`).
 */
export async function migrateUnmatchedPayments(db: Db, tenantId: string): Promise<ShardMigrationResult> {
  const { moved, alreadyMoved } = await moveBaseItems(db, keys.unmatchedPayments(tenantId).base, (row) =>
    keys.unmatchedPayment(tenantId, String(row.id)),
  );
  return { moved, alreadyMoved };
}
