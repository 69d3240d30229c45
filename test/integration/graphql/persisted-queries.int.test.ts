import { createHash } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import { describe, expect, inject, it } from 'vitest';
import { createGraphQLServer } from '../../../functions/graphql/server.js';
import { PERSISTED_QUERY_TTL_SECONDS, TableCache } from '../../../functions/graphql/shared-cache.js';
import { FixedClock, systemClock } from '../../../functions/shared/clock.js';
import { createDocumentClient, Db } from '../../../functions/shared/db.js';
import { keys } from '../../../functions/shared/table-design.js';
import { LOCAL_AWS } from '../../../infra/local/dynamodb.js';
import { createTenant, createTestApp } from '../../support/app.js';

/** A separate process's view of the table: its own client, as another Lambda instance would have. */
function instanceDb(): Db {
  return new Db(
    createDocumentClient({
      endpoint: inject('dynamoEndpoint'),
      region: LOCAL_AWS.region,
      credentials: LOCAL_AWS,
    }),
    inject('tableName'),
  );
}

const app = createTestApp();

/** A GET as Apollo Client's persisted-queries link sends it, through the server's HTTP entry point. */
async function apqGet(
  server: ReturnType<typeof createGraphQLServer>,
  hash: string,
  query?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const params = new URLSearchParams({
    extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }),
    ...(query ? { query } : {}),
  });
  const headers = new HeaderMap([['authorization', 'Bearer unused-here']]);
  const { admin } = await tenant;
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'GET', headers, search: `?${params}`, body: undefined },
    context: async () => ({ principal: admin, services: app.services }),
  });
  const text = response.body.kind === 'complete' ? response.body.string : '';
  return { status: response.status ?? 200, body: JSON.parse(text) as Record<string, unknown> };
}

const tenant = createTenant(app, 'APQ Brokerage');

describe('automatic persisted queries shared through the table', () => {
  it('finds on a second instance a query registered through the first', async () => {
    const query = `{ tenant { name } health } # ${Date.now()}`;
    const hash = createHash('sha256').update(query).digest('hex');
    const firstCache = new TableCache(instanceDb(), systemClock);
    const first = createGraphQLServer({ production: false, persistedQueries: firstCache });
    const second = createGraphQLServer({
      production: false,
      persistedQueries: new TableCache(instanceDb(), systemClock),
    });
    await Promise.all([first.start(), second.start()]);
    try {
      const unknown = await apqGet(second, hash);
      expect((unknown.body.errors as Array<{ message: string }>)[0]?.message).toBe('PersistedQueryNotFound');

      const registered = await apqGet(first, hash, query);
      expect(registered.body).toEqual({ data: { tenant: { name: 'APQ Brokerage' }, health: 'ok' } });
      // Apollo answers before its registration write lands; the Lambda handler waits for it too.
      await firstCache.settled();

      const found = await apqGet(second, hash);
      expect(found.status).toBe(200);
      expect(found.body).toEqual({ data: { tenant: { name: 'APQ Brokerage' }, health: 'ok' } });
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });

  it('stores an entry under the global prefix with a TTL, and ignores it once expired', async () => {
    const db = instanceDb();
    const now = new Date('2026-11-30T10:00:00Z');
    const cache = new TableCache(db, new FixedClock(now));
    const key = `apq:${createHash('sha256').update(`q-${Date.now()}`).digest('hex')}`;
    await cache.set(key, '{ health }', { ttl: PERSISTED_QUERY_TTL_SECONDS });
    const item = await db.get(keys.sharedCacheEntry(key));
    expect(item?.pk.startsWith('G#')).toBe(true);
    expect(item?.ttl).toBe(now.getTime() / 1000 + PERSISTED_QUERY_TTL_SECONDS);
    expect(await cache.get(key)).toBe('{ health }');
    const later = new TableCache(
      db,
      new FixedClock(new Date(now.getTime() + (PERSISTED_QUERY_TTL_SECONDS + 1) * 1000)),
    );
    expect(await later.get(key)).toBeUndefined();
    await cache.delete(key);
    expect(await db.get(keys.sharedCacheEntry(key))).toBeUndefined();
  });
});
