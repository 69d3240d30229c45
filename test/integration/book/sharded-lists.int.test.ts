import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_STATUSES } from '../../../functions/modules/clients/index.js';
import type { StoredLine } from '../../../functions/modules/commissions/commissions.model.js';
import { LedgerRepository } from '../../../functions/modules/commissions/ledger.repository.js';
import { INVOICE_STATUSES } from '../../../functions/modules/invoices/index.js';
import { POLICY_STATUSES } from '../../../functions/modules/policies/index.js';
import { TasksRepository } from '../../../functions/modules/tasks/tasks.repository.js';
import type { Db, Page, StoredItem } from '../../../functions/shared/db.js';
import { newId } from '../../../functions/shared/ids.js';
import {
  commissionRecipientsOf,
  migrateToShards,
  unshardedKeys,
} from '../../../functions/shared/shard-migration.js';
import { SHARD_COUNT, sharded, shardedKey, shardOf } from '../../../functions/shared/sharded-keys.js';
import { queryShardedPage, type ShardedQueryInput } from '../../../functions/shared/sharded-query.js';
import { COMMISSION_LINE_PERIOD_SHARDS, keys } from '../../../functions/shared/table-design.js';
import { createTestApp, errorCode, type GraphQLResult } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { ledgerLine } from '../../support/commission-lines.js';

const app = createTestApp();
const db: Db = app.db;

/** A bare item under a sharded gsi6 key, sorted by `sortKey` (like a policy's `<termEnd>#<id>`). */
async function putItem(base: string, tenantId: string, sortKey: string, id = newId()): Promise<StoredItem> {
  const item: StoredItem = {
    pk: `T#${tenantId}#SHARDTEST#${id}`,
    sk: 'ITEM',
    type: 'ShardTest',
    version: 1,
    tenantId,
    id,
    colour: id.charCodeAt(id.length - 1) % 2 === 0 ? 'red' : 'blue',
    gsi6pk: shardedKey(base, id),
    gsi6sk: `${sortKey}#${id}`,
  };
  await db.put(item);
  return item;
}

async function pageThrough(input: Omit<ShardedQueryInput, 'cursor'>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 200; pages++) {
    const page: Page<StoredItem> = await queryShardedPage(db, { ...input, cursor });
    seen.push(...page.items.map((i) => String(i.id)));
    cursor = page.nextCursor;
    if (!cursor) return seen;
  }
  throw new Error('no last page');
}

const tenantA = `shard-a-${newId().toLowerCase()}`;
const tenantB = `shard-b-${newId().toLowerCase()}`;
const baseA = `T#${tenantA}#SHARDTEST#STATUS#ACTIVE`;
const baseB = `T#${tenantB}#SHARDTEST#STATUS#ACTIVE`;
let itemsA: StoredItem[] = [];

beforeAll(async () => {
  // 24 items over 16 shards, sort keys deliberately colliding on the date part.
  itemsA = await Promise.all(
    Array.from({ length: 24 }, (_, i) =>
      putItem(baseA, tenantA, `2026-${String((i % 12) + 1).padStart(2, '0')}`),
    ),
  );
  await Promise.all(Array.from({ length: 6 }, () => putItem(baseB, tenantB, '2026-06')));
});

const sortedIds = (items: StoredItem[]) =>
  [...items]
    .sort((a, b) => Buffer.compare(Buffer.from(String(a.gsi6sk)), Buffer.from(String(b.gsi6sk))))
    .map((i) => String(i.id));

describe('the merged reader of a sharded key', () => {
  it('spreads the items over at least half of the 16 shards', () => {
    expect(new Set(itemsA.map((i) => shardOf(String(i.id)))).size).toBeGreaterThanOrEqual(SHARD_COUNT / 2);
  });

  it.each([3, 7, 100])(
    'pages of %i come back in the order of one unsharded sort, each item once',
    async (limit) => {
      const seen = await pageThrough({ index: 'gsi6', partition: sharded(baseA), limit });
      expect(seen).toEqual(sortedIds(itemsA));
    },
  );

  it('reads newest first in the reverse order, and within a sort-key range', async () => {
    const newest = await pageThrough({
      index: 'gsi6',
      partition: sharded(baseA),
      limit: 5,
      newestFirst: true,
    });
    expect(newest).toEqual(sortedIds(itemsA).reverse());
    const spring = await pageThrough({
      index: 'gsi6',
      partition: sharded(baseA),
      limit: 4,
      between: ['2026-03', '2026-05#~'],
    });
    expect(spring).toEqual(sortedIds(itemsA.filter((i) => /^2026-0[345]/.test(String(i.gsi6sk)))));
  });

  it('applies a filter on every shard and still fills pages in order', async () => {
    const red = await pageThrough({
      index: 'gsi6',
      partition: sharded(baseA),
      limit: 4,
      filter: { expression: '#c = :c', names: { '#c': 'colour' }, values: { ':c': 'red' } },
    });
    expect(red).toEqual(sortedIds(itemsA.filter((i) => i.colour === 'red')));
  });

  it('keeps a page-2 cursor working after items are added to other shards: nothing skipped, nothing twice', async () => {
    const base = `T#${tenantA}#SHARDTEST#STATUS#LATER`;
    const before = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        putItem(base, tenantA, `2026-${String((i % 10) + 1).padStart(2, '0')}`),
      ),
    );
    const input = { index: 'gsi6' as const, partition: sharded(base), limit: 4 };
    const first = await queryShardedPage(db, { ...input, cursor: null });
    const second = await queryShardedPage(db, { ...input, cursor: first.nextCursor });
    const read = [...first.items, ...second.items].map((i) => String(i.id));
    const lastRead = String(second.items.at(-1)?.gsi6sk);
    // New items after page 2's position (any shard) and one before it.
    const added = await Promise.all(
      Array.from({ length: 8 }, (_, i) => putItem(base, tenantA, `2026-1${i % 3}-late`)),
    );
    const early = await putItem(base, tenantA, '2026-00');
    let rest: string[] = [];
    let cursor = second.nextCursor;
    while (cursor) {
      const page = await queryShardedPage(db, { ...input, cursor });
      rest = [...rest, ...page.items.map((i) => String(i.id))];
      cursor = page.nextCursor;
    }
    const all = [...read, ...rest];
    expect(new Set(all).size).toBe(all.length);
    const expectedRest = sortedIds([...before, ...added]).filter((id) => !read.includes(id));
    expect(rest.filter((id) => id !== early.id)).toEqual(expectedRest);
    expect(expectedRest.every((id) => rest.includes(id))).toBe(true);
    expect(lastRead < '2026-10').toBe(true);
  });

  it("never shows another tenant's items, and refuses a cursor on another tenant's or an unsharded list", async () => {
    const idsA = new Set(itemsA.map((i) => String(i.id)));
    const seenB = await pageThrough({ index: 'gsi6', partition: sharded(baseB), limit: 2 });
    expect(seenB).toHaveLength(6);
    expect(seenB.some((id) => idsA.has(id))).toBe(false);
    const page = await queryShardedPage(db, {
      index: 'gsi6',
      partition: sharded(baseA),
      limit: 2,
      cursor: null,
    });
    await expect(
      queryShardedPage(db, { index: 'gsi6', partition: sharded(baseB), limit: 2, cursor: page.nextCursor }),
    ).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    await expect(
      db.queryPage({ index: 'gsi6', partition: baseA, limit: 2, cursor: page.nextCursor }),
    ).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });
});

describe('sharded lists through the API, and the migration of items written before sharding', () => {
  let b: Brokerage;
  const policyIds: string[] = [];
  const LIST = `query($f: PolicyListFilter, $after: String) {
    policies(filter: $f, first: 2, after: $after) { edges { node { id termEnd } } pageInfo { hasNextPage endCursor } } }`;
  type Listed = {
    policies: {
      edges: Array<{ node: { id: string; termEnd: string } }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
  const listAll = async (filter: Record<string, unknown>) => {
    const seen: Array<{ id: string; termEnd: string }> = [];
    let after: string | null = null;
    do {
      const r: GraphQLResult<Listed> = await app.exec<Listed>(b.as.admin, LIST, { f: filter, after });
      if (!r.data) throw new Error(JSON.stringify(r.errors));
      seen.push(...r.data.policies.edges.map((e) => e.node));
      after = r.data.policies.pageInfo.hasNextPage ? r.data.policies.pageInfo.endCursor : null;
    } while (after);
    return seen;
  };

  beforeAll(async () => {
    b = await createBrokerage(app, 'Sharded Lists Brokerage');
    const client = await app.services.clients.records.createClient(b.as.advisor, personInput());
    for (let i = 0; i < 7; i++) {
      const end = `2027-0${(i % 5) + 1}-1${i}`;
      const r = await app.exec<{ writePolicy: { id: string } }>(
        b.as.advisor,
        `mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }`,
        { i: mtplInput(b, client.id, { termEnd: end }) },
      );
      if (!r.data) throw new Error(JSON.stringify(r.errors));
      policyIds.push(r.data.writePolicy.id);
    }
  });

  it('lists a status in term-end order, two at a time across shards, and the renewal window likewise', async () => {
    const listed = await listAll({ status: 'ACTIVE' });
    expect(listed.map((p) => p.id).sort()).toEqual([...policyIds].sort());
    const order = listed.map((p) => `${p.termEnd}#${p.id}`);
    expect(order).toEqual([...order].sort());
    const window = await listAll({ status: 'ACTIVE', termEndFrom: '2027-02-01', termEndTo: '2027-03-31' });
    expect(window.map((p) => p.termEnd).every((d) => d >= '2027-02-01' && d <= '2027-03-31')).toBe(true);
    expect(window.length).toBeGreaterThan(0);
  });

  it('moves items still under the unsharded key to their shards, and a second run changes nothing', async () => {
    const old = `T#${b.tenantId}#POLICY#STATUS#ACTIVE`;
    // Writes the pre-sharding key as an old item carries it: only the raw client can.
    const raw = Reflect.get(db, 'client') as DynamoDBDocumentClient;
    const homes = await Promise.all(
      policyIds.map((id) => app.services.policies.reads.getPolicy(b.as.admin, id)),
    );
    for (const p of homes) {
      if (!p) throw new Error('policy missing');
      const key = keys.policy(b.tenantId, p.clientId, p.id);
      await raw.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: key,
          UpdateExpression: 'SET gsi6pk = :old',
          ExpressionAttributeValues: { ':old': old },
        }),
      );
    }
    expect(await listAll({ status: 'ACTIVE' })).toEqual([]);
    const scope = {
      tenantId: b.tenantId,
      policyStatuses: POLICY_STATUSES,
      clientStatuses: CLIENT_STATUSES,
      invoiceStatuses: INVOICE_STATUSES,
      periods: ['2026-01'],
      branchIds: [],
      insurerIds: [],
      productLineIds: [],
    };
    const first = await migrateToShards(db, unshardedKeys(scope));
    expect(first.moved).toBe(policyIds.length);
    const again = await migrateToShards(db, unshardedKeys(scope));
    expect(again).toEqual({ moved: 0, alreadyMoved: 0 });
    expect((await listAll({ status: 'ACTIVE' })).map((p) => p.id).sort()).toEqual([...policyIds].sort());
  });

  it("lists the tenant's open and all tasks across shards in due order, counts clients by creation over shards, and moves old entries of both once", async () => {
    const tasks = new TasksRepository(db);
    const created = await app.services.tasks.renewals.runTenant(b.tenantId, new Date('2027-01-01T06:00:00Z'));
    expect(created.created).toBeGreaterThan(0);
    const listAllTasks = async (list: 'open' | 'all') => {
      const seen: Array<{ id: string; dueAt: string; clientId: string }> = [];
      let cursor: string | null = null;
      do {
        const page: Page<{ id: string; dueAt: string; clientId: string }> =
          list === 'open'
            ? await tasks.listOpenTasks(b.tenantId, {}, { limit: 2, cursor })
            : await tasks.listTasksOfTenant(b.tenantId, {}, { limit: 2, cursor });
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    const open = await listAllTasks('open');
    expect(open).toHaveLength(created.created);
    const order = open.map((t) => `${t.dueAt}#${t.id}`);
    expect(order).toEqual([...order].sort());
    expect((await listAllTasks('all')).map((t) => t.id).sort()).toEqual(open.map((t) => t.id).sort());

    // Back to the keys a task written before the sharding carries, then the migration.
    const raw = Reflect.get(db, 'client') as DynamoDBDocumentClient;
    for (const t of open) {
      await raw.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: keys.task(b.tenantId, t.id),
          UpdateExpression: 'SET gsi4pk = :open, gsi5pk = :all',
          ExpressionAttributeValues: {
            ':open': `T#${b.tenantId}#OPEN_TASKS`,
            ':all': `T#${b.tenantId}#TASKS`,
          },
        }),
      );
    }
    // The tasks' client too, under the clients-by-creation key of before the sharding.
    const clientId = open[0]?.clientId ?? '';
    const createdToday = () => {
      const day = new Date().toISOString().slice(0, 10);
      return app.services.repositories.clients.countClientsCreatedBetween(b.tenantId, '2000-01-01', day);
    };
    expect(await createdToday()).toBe(1);
    await raw.send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: keys.client(b.tenantId, clientId),
        UpdateExpression: 'SET gsi6pk = :old',
        ExpressionAttributeValues: { ':old': `T#${b.tenantId}#CLIENT#CREATED` },
      }),
    );
    expect(await createdToday()).toBe(0);
    expect(await listAllTasks('open')).toEqual([]);
    const scope = {
      tenantId: b.tenantId,
      policyStatuses: [],
      clientStatuses: [],
      invoiceStatuses: [],
      periods: [],
      branchIds: [],
      insurerIds: [],
      productLineIds: [],
    };
    expect((await migrateToShards(db, unshardedKeys(scope))).moved).toBe(2 * open.length + 1);
    expect(await migrateToShards(db, unshardedKeys(scope))).toEqual({ moved: 0, alreadyMoved: 0 });
    expect((await listAllTasks('open')).map((t) => t.id)).toEqual(open.map((t) => t.id));
    expect(await createdToday()).toBe(1);
  });

  it('answers INVALID_CURSOR for a cursor of another list', async () => {
    const r = await app.exec<Listed>(b.as.admin, LIST, { f: { status: 'ACTIVE' } });
    const other = await app.exec(b.as.admin, LIST, {
      f: { status: 'CANCELLED' },
      after: r.data?.policies.pageInfo.endCursor,
    });
    expect(errorCode(other)).toBe('INVALID_CURSOR');
  });
});

describe('the migration of commission line keys (shard keys version 3)', () => {
  it("moves a recipient's old line list to its 16 shards and a month's lines from 16 to 64 shards, only those whose shard changed, once", async () => {
    const tenantId = `cline-mig-${newId().toLowerCase()}`;
    const ledger = new LedgerRepository(db);
    const lines: StoredLine[] = Array.from({ length: 24 }, (_, n) =>
      ledgerLine(n, { period: '2026-03', advisorIds: ['adam', 'eva'], insurerIds: ['i1'] }),
    );
    for (let i = 0; i < lines.length; i += 12) await ledger.appendLines(tenantId, lines.slice(i, i + 12));
    // Back to the keys lines written before carry: the recipient's list unsharded, the month's over
    // 16 shards (version 2), the first four not sharded at all (before version 2).
    const month = keys.commissionLinesByPeriod(tenantId, '2026-03').base;
    const raw = Reflect.get(db, 'client') as DynamoDBDocumentClient;
    for (const [n, line] of lines.entries()) {
      await raw.send(
        new UpdateCommand({
          TableName: db.tableName,
          Key: keys.commissionLine(tenantId, line.id),
          UpdateExpression: 'SET gsi1pk = :owner, gsi2pk = :month',
          ExpressionAttributeValues: {
            ':owner': keys.commissionLinesByRecipient(tenantId, line.recipientKey).base,
            ':month': n < 4 ? month : shardedKey(month, line.id, 16),
          },
        }),
      );
    }
    const adams = async () => {
      const page = await ledger.listLinesByRecipient(tenantId, 'USER:adam', null, {
        limit: 100,
        cursor: null,
      });
      return page.items.map((l) => l.id);
    };
    expect(await adams()).toEqual([]);

    const recipients = await commissionRecipientsOf(db, tenantId, ['2026-03', '2026-04']);
    expect(recipients).toEqual(['USER:adam', 'USER:eva']);
    const scope = {
      tenantId,
      policyStatuses: [],
      clientStatuses: [],
      invoiceStatuses: [],
      periods: ['2026-03'],
      branchIds: [],
      insurerIds: [],
      productLineIds: [],
      recipients,
    };
    const reSharded = lines
      .slice(4)
      .filter((l) => shardOf(l.id, COMMISSION_LINE_PERIOD_SHARDS) !== shardOf(l.id, 16)).length;
    const first = await migrateToShards(db, unshardedKeys(scope));
    expect(first).toEqual({ moved: lines.length + 4 + reSharded, alreadyMoved: 0 });
    expect(await migrateToShards(db, unshardedKeys(scope))).toEqual({ moved: 0, alreadyMoved: 0 });

    const inOrder = (ls: StoredLine[]) => ls.map((l) => l.id).sort();
    expect(await adams()).toEqual(inOrder(lines.filter((l) => l.recipientKey === 'USER:adam')));
    const byMonth = await ledger.listLinesByPeriod(tenantId, '2026-03', { limit: 100, cursor: null });
    expect(byMonth.items.map((l) => l.id).sort()).toEqual(inOrder(lines));
    for (const line of lines) {
      const item = await db.get(keys.commissionLine(tenantId, line.id));
      expect(item?.gsi2pk).toBe(shardedKey(month, line.id, COMMISSION_LINE_PERIOD_SHARDS));
    }
  });
});
