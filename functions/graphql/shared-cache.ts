import type { ApolloServerOptions } from '@apollo/server';
import type { Clock } from '../shared/clock.js';
import { type Db, deleteOp, type StoredItem } from '../shared/db.js';
import { EntityType, keys, TABLE } from '../shared/table-design.js';

/** Apollo's KeyValueCache, as its persisted-queries option takes it (no extra package needed). */
export type PersistedQueryCache = NonNullable<
  Exclude<ApolloServerOptions<Record<string, never>>['persistedQueries'], false | undefined>['cache']
>;

/** How long a registered query stays without being registered again (Apollo's `ttl`, seconds). */
export const PERSISTED_QUERY_TTL_SECONDS = 7 * 24 * 3600;

interface CacheEntryItem extends StoredItem {
  value: string;
  expiresAt?: number;
}

/**
 * Apollo's key-value cache over the table, so every Lambda instance (and every local process)
 * shares one store of automatic persisted queries: a hash registered through one instance is found
 * by every other, and a cold fleet does not miss again. Entries expire through the table's TTL; as
 * DynamoDB deletes expired items only eventually, a read also ignores an entry past its time.
 * Values are query documents, which name no tenant's data: the entries live under the global `G#`
 * prefix (see `keys.sharedCacheEntry`).
 */
export class TableCache implements PersistedQueryCache {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const item = await this.db.get<CacheEntryItem>(keys.sharedCacheEntry(key));
    if (!item) return undefined;
    if (item.expiresAt !== undefined && item.expiresAt <= this.nowSeconds()) return undefined;
    return item.value;
  }

  /**
   * Apollo starts a registration without awaiting it; the write is tracked so {@link settled} can
   * hold a Lambda invocation open until it lands (a frozen instance would otherwise lose it).
   */
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const write = this.write(key, value, options);
    this.pending.add(write);
    void write.then(
      () => this.pending.delete(write),
      () => this.pending.delete(write),
    );
    return write;
  }

  /** Resolves once every registration started so far has been written (or has failed). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  private async write(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const ttl = options?.ttl;
    const expiresAt = ttl ? this.nowSeconds() + ttl : undefined;
    await this.db.put({
      ...keys.sharedCacheEntry(key),
      [TABLE.entityType]: EntityType.SharedCacheEntry,
      [TABLE.version]: 1,
      value,
      ...(expiresAt !== undefined ? { expiresAt, [TABLE.ttl]: expiresAt } : {}),
    } as CacheEntryItem);
  }

  async delete(key: string): Promise<boolean> {
    await this.db.transact([deleteOp(keys.sharedCacheEntry(key))]);
    return true;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}
