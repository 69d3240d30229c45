import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Db, Page, QueryPageInput, StoredItem } from './db.js';
import { InvalidCursorError } from './errors.js';
import type { ShardedPartition } from './sharded-keys.js';
import { type IndexName, TABLE } from './table-design.js';

/**
 * A Query on a sharded key: every shard is read, the results merged in sort-key order. With an
 * index, its partition key is sharded; without one, the base table's `pk` is (a base-table
 * partition such as the resolution queue), sorted by `sk`.
 */
export interface ShardedQueryInput
  extends Omit<QueryPageInput, 'partition' | 'index' | 'after' | 'consistent'> {
  index?: IndexName;
  partition: ShardedPartition;
}

/** The sort key (index sk, or the table's sk) and partition key attributes of a sharded Query. */
function keyAttributes(index: IndexName | undefined): { sortKey: string; partitionKey: string } {
  return index ? TABLE.indexes[index] : { sortKey: 'sk', partitionKey: 'pk' };
}

/**
 * Where a shard's reading stands: the key of the last item taken from it (sort key, pk, sk; on the
 * base table the sort key is sk itself), or null.
 */
type Position = [indexSortKey: string, pk: string, sk: string] | null;

interface ShardReader {
  partition: string;
  buffer: StoredItem[];
  /** The shard's next page cursor (as queryPage sealed it), null once the shard is read to its end. */
  next: string | null;
  started: boolean;
}

/** DynamoDB orders string keys by their UTF-8 bytes; JavaScript's `<` by UTF-16 units: compare as DynamoDB does. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function positionOf(item: StoredItem, index: IndexName | undefined): Position {
  return [String(item[keyAttributes(index).sortKey]), String(item.pk), String(item.sk)];
}

function comparePositions(a: Position, b: Position): number {
  if (!a || !b) return 0;
  return compareKeys(a[0], b[0]) || compareKeys(a[1], b[1]) || compareKeys(a[2], b[2]);
}

/** The merged list's binding: a sharded cursor is refused by an unsharded list and the other way round. */
function binding(partition: ShardedPartition): string {
  return `${partition.base}#*`;
}

async function sealPositions(db: Db, input: ShardedQueryInput, positions: Position[]): Promise<string> {
  // Per-shard keys repeat the tenant and key prefixes: deflated, 16 positions stay a short cursor.
  const packed = deflateRawSync(Buffer.from(JSON.stringify(positions), 'utf8')).toString('base64url');
  return db.sealCursor({ s: packed }, binding(input.partition), input.index);
}

async function openPositions(db: Db, input: ShardedQueryInput, cursor: string): Promise<Position[]> {
  const opened = await db.openCursor(cursor, binding(input.partition), input.index);
  let positions: unknown;
  try {
    positions = JSON.parse(inflateRawSync(Buffer.from(String(opened.s), 'base64url')).toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const valid =
    Array.isArray(positions) &&
    positions.length === input.partition.shards.length &&
    positions.every(
      (p) => p === null || (Array.isArray(p) && p.length === 3 && p.every((v) => typeof v === 'string')),
    );
  if (!valid) throw new InvalidCursorError();
  return positions as Position[];
}

/**
 * One page of a sharded list: every shard is queried in parallel (page-sized chunks, refilled while
 * the merge needs them), items are merged in the index's sort order (then by table key), and each
 * cursor holds every shard's position, sealed: it stays opaque, and stays valid when items are
 * added to any shard later (an item added after a shard's position shows on a later page).
 */
export async function queryShardedPage<T extends StoredItem>(
  db: Db,
  input: ShardedQueryInput,
): Promise<Page<T>> {
  const { index, partition, cursor, limit } = input;
  const positions: Position[] = cursor
    ? await openPositions(db, input, cursor)
    : partition.shards.map(() => null);
  const chunk = Math.max(4, Math.ceil((2 * limit) / partition.shards.length));
  const shardInput = (shard: string) => {
    const { partition: _p, cursor: _c, ...rest } = input;
    return { ...rest, partition: shard, limit: Math.min(limit, chunk) };
  };
  const readers: ShardReader[] = await Promise.all(
    partition.shards.map(async (shard, i) => {
      const at = positions[i];
      const start = at
        ? await db.sealCursor(
            {
              pk: at[1],
              sk: at[2],
              [keyAttributes(index).sortKey]: at[0],
              [keyAttributes(index).partitionKey]: shard,
            },
            shard,
            index,
          )
        : null;
      return { partition: shard, buffer: [], next: start, started: false };
    }),
  );
  const refill = (r: ShardReader) => r.buffer.length === 0 && (!r.started || r.next !== null);
  const order = input.newestFirst ? -1 : 1;
  const items: T[] = [];
  const cursors: string[] = [];
  const current = [...positions];
  while (items.length < limit) {
    await Promise.all(
      readers.filter(refill).map(async (r) => {
        const page = await db.queryPage<StoredItem>({ ...shardInput(r.partition), cursor: r.next });
        r.started = true;
        r.buffer.push(...page.items);
        r.next = page.nextCursor;
      }),
    );
    let best = -1;
    for (const [i, r] of readers.entries()) {
      const head = r.buffer[0];
      const bestHead = best >= 0 ? readers[best]?.buffer[0] : undefined;
      if (!head) continue;
      if (!bestHead || order * comparePositions(positionOf(head, index), positionOf(bestHead, index)) < 0)
        best = i;
    }
    if (best < 0) break;
    const taken = readers[best]?.buffer.shift() as StoredItem;
    current[best] = positionOf(taken, index);
    items.push(taken as T);
    cursors.push(await sealPositions(db, input, current));
  }
  const more = readers.some((r) => r.buffer.length > 0 || r.next !== null);
  return {
    items,
    cursors,
    nextCursor: more ? (cursors.at(-1) ?? null) : null,
    afterCursor: Boolean(cursor),
  };
}

/** Every item of a sharded key, merged in sort order (sweeps and small slices such as a month's accruals). */
export async function queryShardedAll<T extends StoredItem>(
  db: Db,
  input: Omit<ShardedQueryInput, 'limit' | 'cursor'>,
): Promise<T[]> {
  const { partition, index, ...rest } = input;
  const all = await Promise.all(
    partition.shards.map((shard) =>
      db.queryAll<T>({ ...rest, ...(index ? { index } : {}), partition: shard }),
    ),
  );
  const order = input.newestFirst ? -1 : 1;
  return all.flat().sort((a, b) => order * comparePositions(positionOf(a, index), positionOf(b, index)));
}
