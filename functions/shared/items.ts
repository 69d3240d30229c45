import type { Db, Page, QueryPageInput, StoredItem } from './db.js';
import { isSharded, type ShardedPartition } from './sharded-keys.js';
import { queryShardedAll, queryShardedPage } from './sharded-query.js';
import { type ItemKey, STORAGE_ATTRIBUTES } from './table-design.js';

/** Strips keys and storage attributes from an item, leaving the domain record (version included). */
export function fromItem<T>(item: StoredItem): T {
  const record: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (!STORAGE_ATTRIBUTES.has(k)) record[k] = v;
  }
  return record as T;
}

/** Wraps a domain record into a stored item with its key, entity type and tenant. */
export function toItem(
  key: ItemKey,
  type: string,
  tenantId: string,
  record: object,
  indexKeys: Record<string, string> = {},
): StoredItem {
  const version = (record as { version?: number }).version ?? 1;
  return { ...record, ...indexKeys, pk: key.pk, sk: key.sk, type, tenantId, version };
}

/** A record by its key (one GetItem), or undefined. */
export async function getRecord<T>(
  db: Db,
  key: ItemKey,
  options: { consistent?: boolean } = {},
): Promise<T | undefined> {
  const item = await db.get(key, options);
  return item ? fromItem<T>(item) : undefined;
}

/** The records of these ids (each id once; BatchGetItem in pages of 100), in no particular order. */
export async function getRecords<T>(
  db: Db,
  ids: readonly string[],
  keyOf: (id: string) => ItemKey,
): Promise<T[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const items = await db.batchGet(unique.map(keyOf));
  return items.map((i) => fromItem<T>(i));
}

/** One page of a Query on the table or an index, as records. */
export async function queryRecords<T>(db: Db, input: RecordQuery): Promise<Page<T>> {
  const { partition } = input;
  const result = isSharded(partition)
    ? await queryShardedPage(db, { ...input, partition })
    : await db.queryPage({ ...input, partition });
  return { ...result, items: result.items.map((i) => fromItem<T>(i)) };
}

/**
 * One item to read beside others: its key, and how the module that owns it turns the item (or its
 * absence) into a value, checks included. Lets a service read several modules' items in one
 * BatchGetItem without knowing their storage.
 */
export interface KeyedRead<T> {
  key: ItemKey;
  decode(item: StoredItem | undefined): T;
}

/** A read of one record by key: the record, or undefined when missing. */
export function recordRead<T>(key: ItemKey): KeyedRead<T | undefined> {
  return { key, decode: (item) => (item ? fromItem<T>(item) : undefined) };
}

type Decoded<R> = { [K in keyof R]: R[K] extends KeyedRead<infer T> ? T : never };

/**
 * Several reads in one BatchGetItem (pages of 100), decoded in the order given, so the first
 * failing check is the first read's (a missing client before an unknown insurer).
 */
export async function readTogether<R extends readonly KeyedRead<unknown>[]>(
  db: Db,
  reads: R,
): Promise<Decoded<R>> {
  const unique = new Map(reads.map((r) => [`${r.key.pk}\u0000${r.key.sk}`, r.key] as const));
  const items = unique.size ? await db.batchGet([...unique.values()]) : [];
  const found = new Map(items.map((i) => [`${i.pk}\u0000${i.sk}`, i] as const));
  return reads.map((r) => r.decode(found.get(`${r.key.pk}\u0000${r.key.sk}`))) as Decoded<R>;
}

/**
 * A Query of records on one key value, or on every shard of a sharded key (sharded-keys.ts): an
 * index key when `index` is named, else a base-table partition key.
 */
export type RecordQuery = Omit<QueryPageInput, 'partition'> & { partition: string | ShardedPartition };

/** Every record of a key value or of every shard of a sharded key (merged in sort order). */
export async function queryAllRecords<T>(db: Db, input: Omit<RecordQuery, 'limit' | 'cursor'>): Promise<T[]> {
  const { partition } = input;
  const items = isSharded(partition)
    ? await queryShardedAll(db, { ...input, partition })
    : await db.queryAll({ ...input, partition });
  return items.map((i) => fromItem<T>(i));
}
