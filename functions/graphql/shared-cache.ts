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

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
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
