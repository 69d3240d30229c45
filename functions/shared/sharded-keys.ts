/**
 * Write sharding of hot index keys (docs/scale.md, section 4). A key that holds a whole tenant's
 * slice (`T#<t>#POLICY#STATUS#ACTIVE`: a million policies, every import writing under it) would take
 * more than one partition's ~1,000 WCU a second in a burst; its items are spread over
 * {@link SHARD_COUNT} key values `<key>#S<n>`, n chosen from the item's id, so a burst spreads evenly
 * and an item always lands in the same shard (a rewrite never moves it). Readers query every shard
 * and merge (sharded-query.ts). Which keys are sharded is decided here and in the key builders of
 * table-design.ts / book-keys.ts / money-keys.ts / task-keys.ts, nowhere else.
 */

/**
 * Shards per sharded key unless its key builder names another count: the smallest power of two that
 * keeps the modelled peak of the status keys ≤ 50 % at 10× (docs/scale.md). A key whose bursts are
 * heavier passes a larger power of two to {@link shardedKey} and {@link sharded} (the same count on
 * both sides, named once next to its key builder).
 */
export const SHARD_COUNT = 16;

/** A sharded index key: the key value readers name, and every shard value items are written under. */
export interface ShardedPartition {
  /** The unsharded key value (what the key held before sharding; the migration reads it). */
  readonly base: string;
  /** Every shard's key value, in shard order. */
  readonly shards: readonly string[];
}

/** FNV-1a (32 bit) of a string: stable across processes and runtimes, cheap, well spread on ids. */
function fnv1a(value: string): number {
  const text = String(value);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The shard (0…count-1) an item id writes to. */
export function shardOf(id: string, count: number = SHARD_COUNT): number {
  return fnv1a(id) % count;
}

/** A shard's key value: `<base>#S<n>`. */
export function shardValue(base: string, shard: number): string {
  return `${base}#S${shard}`;
}

/** The key value an item with this id is written under (the write side). */
export function shardedKey(base: string, id: string, count: number = SHARD_COUNT): string {
  return shardValue(base, shardOf(id, count));
}

/** Every shard of a key (the read side). */
export function sharded(base: string, count: number = SHARD_COUNT): ShardedPartition {
  return { base, shards: Array.from({ length: count }, (_, n) => shardValue(base, n)) };
}

/** Whether a partition argument is a sharded key. */
export function isSharded(partition: string | ShardedPartition): partition is ShardedPartition {
  return typeof partition !== 'string';
}
