import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { TasksRepository } from '../../../functions/modules/tasks/tasks.repository.js';
import type { Db, Page } from '../../../functions/shared/db.js';
import { migrateToShards, unshardedKeys } from '../../../functions/shared/shard-migration.js';
import { SHARD_COUNT, shardedKey, shardOf } from '../../../functions/shared/sharded-keys.js';
import { keys } from '../../../functions/shared/table-design.js';
import { migrateShardKeys } from '../../../infra/migrations/shard-keys.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * The lists of one branch (policies 64 shards, clients 64, tasks 16), one insurer and one product
 * line (policies 32 each) through their repositories, and the migration of items written before
 * (docs/scale.md, sections 4 and 7). The merged reader itself: sharded-lists.int.test.ts.
 */
const app = createTestApp();
const db: Db = app.db;

describe("a branch's, an insurer's and a product line's lists over their shards, and their migration", () => {
  let b: Brokerage;
  const tasks = new TasksRepository(db);
  const raw = () => Reflect.get(db, 'client') as DynamoDBDocumentClient;
  type PolicyRow = { id: string; clientId: string; status: string; termStart: string };
  type ClientRow = { id: string; status: string; sortName: string };
  type TaskRow = { id: string; dueAt: string };
  type PageRequest = { limit: number; cursor: string | null };
  const clients: string[] = [];
  const policies: string[] = [];

  const writePolicy = async (clientId: string, termStart: string, termEnd: string) => {
    const r = await app.exec<{ writePolicy: { id: string } }>(
      b.as.advisor,
      `mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }`,
      { i: mtplInput(b, clientId, { termStart, termEnd, writtenDate: termStart }) },
    );
    if (!r.data) throw new Error(JSON.stringify(r.errors));
    policies.push(r.data.writePolicy.id);
    return r.data.writePolicy.id;
  };
  const createClient = async (firstName: string) => {
    const c = await app.services.clients.records.createClient(b.as.advisor, personInput({ firstName }));
    clients.push(c.id);
    return c.id;
  };
  /** Every page of a list, `limit` at a time; `between` runs after the first page. */
  const listAll = async <T>(
    list: (page: PageRequest) => Promise<Page<T>>,
    limit = 2,
    between?: () => Promise<unknown>,
  ): Promise<T[]> => {
    const seen: T[] = [];
    let cursor: string | null = null;
    for (let pages = 1; pages < 200; pages++) {
      const page: Page<T> = await list({ limit, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor;
      if (pages === 1 && between) await between();
      if (!cursor) return seen;
    }
    throw new Error('no last page');
  };
  const repo = () => app.services.repositories;
  const policiesOf = {
    branch: (page: PageRequest, status?: string) =>
      repo().policies.listPoliciesOfBranch(b.tenantId, b.ownBranchId, page, { status }),
    insurer: (page: PageRequest, status?: string) =>
      repo().policies.listPoliciesOfInsurer(b.tenantId, b.insurerId, page, { status }),
    productLine: (page: PageRequest, status?: string) =>
      repo().policies.listPoliciesOfProductLine(b.tenantId, b.mtplId, page, { status }),
  };
  const clientsOfBranch = (page: PageRequest) =>
    repo().clients.listClientsOfBranch(b.tenantId, b.ownBranchId, page) as Promise<Page<ClientRow>>;
  const tasksOfBranch = (page: PageRequest) =>
    tasks.listTasksOfBranch(b.tenantId, b.ownBranchId, {}, page) as Promise<Page<TaskRow>>;
  const byStart = (p: PolicyRow) => `${p.status}#${p.termStart}#${p.id}`;
  const byName = (c: ClientRow) => `${c.status}#${c.sortName}#${c.id}`;
  const sorted = (values: string[]) =>
    [...values].sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));

  beforeAll(async () => {
    b = await createBrokerage(app, 'Sharded Branch Lists Brokerage');
    for (const name of ['Alena', 'Bohdana', 'Cecilie', 'Dana']) await createClient(name);
    for (let i = 0; i < 8; i++) {
      const day = String(10 + i).padStart(2, '0');
      await writePolicy(
        clients[i % clients.length] as string,
        `2026-0${(i % 3) + 1}-${day}`,
        `2027-01-${day}`,
      );
    }
  });

  it.each(['branch', 'insurer', 'productLine'] as const)(
    "lists the %s's policies two at a time across shards in status, term-start order, and by status",
    async (list) => {
      const listed = (await listAll((page) => policiesOf[list](page))) as PolicyRow[];
      expect(listed.map((p) => p.id).sort()).toEqual([...policies].sort());
      expect(listed.map(byStart)).toEqual(sorted(listed.map(byStart)));
      const active = (await listAll((page) => policiesOf[list](page, 'ACTIVE'), 3)) as PolicyRow[];
      expect(active.map((p) => p.id)).toEqual(listed.map((p) => p.id));
      expect(await listAll((page) => policiesOf[list](page, 'CANCELLED'))).toEqual([]);
    },
  );

  it("keeps a branch's policy cursor working when policies are added between pages: nothing skipped, nothing twice", async () => {
    const clientId = clients[0] as string;
    const added: string[] = [];
    let early = '';
    const listed = (await listAll(
      (page) => policiesOf.branch(page),
      2,
      async () => {
        for (const day of ['20', '21', '22'])
          added.push(await writePolicy(clientId, `2026-12-${day}`, '2027-12-01'));
        early = await writePolicy(clientId, '2025-01-01', '2026-01-01');
      },
    )) as PolicyRow[];
    const ids = listed.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Every policy but the one added before the first page's position, in order; that one shows
    // only if its shard had not been read past it (as on the merged status list).
    expect(ids.filter((id) => id !== early).sort()).toEqual(policies.filter((id) => id !== early).sort());
    const inOrder = listed.filter((p) => p.id !== early).map(byStart);
    expect(inOrder).toEqual(sorted(inOrder));
    expect(ids.slice(-3)).toEqual(added);
  });

  it("lists a branch's clients by status and name across shards, and a cursor stays good when clients are added", async () => {
    const added: string[] = [];
    const listed = await listAll(clientsOfBranch, 2, async () => {
      for (const name of ['Zuzana', 'Zdenka']) added.push(await createClient(name));
    });
    const ids = listed.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...clients].sort());
    expect(added.every((id) => ids.includes(id))).toBe(true);
    const again = await listAll(clientsOfBranch, 3);
    expect(again.map(byName)).toEqual(sorted(again.map(byName)));
  });

  it("lists a branch's tasks in due order across shards, within a due range too", async () => {
    const created = await app.services.tasks.renewals.runTenant(b.tenantId, new Date('2027-01-01T06:00:00Z'));
    expect(created.created).toBeGreaterThan(0);
    const listed = await listAll(tasksOfBranch);
    expect(listed).toHaveLength(created.created);
    const order = listed.map((t) => `${t.dueAt}#${t.id}`);
    expect(order).toEqual(sorted(order));
    const first = listed[0] as TaskRow;
    const ranged = await listAll((page) =>
      tasks.listTasksOfBranch(b.tenantId, b.ownBranchId, { dueFrom: first.dueAt, dueTo: first.dueAt }, page),
    );
    expect(ranged.map((t) => t.id)).toEqual(listed.filter((t) => t.dueAt === first.dueAt).map((t) => t.id));
  });

  const scope = () => ({
    tenantId: b.tenantId,
    policyStatuses: [] as string[],
    clientStatuses: [],
    invoiceStatuses: [],
    periods: [],
    branchIds: [b.ownBranchId, b.franchiseBranchId],
    insurerIds: [b.insurerId, b.otherInsurerId],
    productLineIds: [b.mtplId, b.propertyId],
  });
  const setKeys = async (key: { pk: unknown; sk: unknown }, values: Record<string, string>) => {
    const names = Object.keys(values);
    await raw().send(
      new UpdateCommand({
        TableName: db.tableName,
        Key: key,
        UpdateExpression: `SET ${names.map((n) => `${n} = :${n}`).join(', ')}`,
        ExpressionAttributeValues: Object.fromEntries(names.map((n) => [`:${n}`, values[n]])),
      }),
    );
  };
  const policyRows = async () => (await listAll((page) => policiesOf.branch(page), 50)) as PolicyRow[];

  it('moves policies, clients and tasks still under the unsharded branch, insurer and product-line keys once', async () => {
    const before = { policies: await policyRows(), clients: await listAll(clientsOfBranch, 50) };
    const taskRows = await listAll(tasksOfBranch, 50);
    const t = `T#${b.tenantId}`;
    for (const p of before.policies) {
      await setKeys(keys.policy(b.tenantId, p.clientId, p.id), {
        gsi2pk: keys.policiesByInsurer(b.tenantId, b.insurerId).base,
        gsi3pk: `${t}#BRANCH#${b.ownBranchId}#POLICY`,
        gsi4pk: `${t}#PRODUCT#${b.mtplId}#POLICY`,
      });
    }
    for (const c of before.clients) {
      await setKeys(keys.client(b.tenantId, c.id), { gsi3pk: `${t}#BRANCH#${b.ownBranchId}#CLIENT` });
    }
    for (const k of taskRows) {
      await setKeys(keys.task(b.tenantId, k.id), { gsi3pk: `${t}#BRANCH#${b.ownBranchId}#TASK` });
    }
    // A resolution-queue row in the queue's old single partition, a delivery log entry under the
    // insurer's unsharded delivery list.
    await db.put({
      pk: keys.unmatchedPayments(b.tenantId).base,
      sk: 'mig-row',
      id: 'mig-row',
      type: 'UnmatchedPayment',
      tenantId: b.tenantId,
      version: 1,
    });
    await db.put({
      ...keys.webhookDelivery(b.tenantId, b.insurerId, 'msg_mig'),
      webhookId: 'msg_mig',
      type: 'WebhookDelivery',
      tenantId: b.tenantId,
      version: 1,
      gsi3pk: keys.webhookDeliveriesByInsurer(b.tenantId, b.insurerId).base,
      gsi3sk: '2026-01-01T00:00:00.000Z#msg_mig',
    });
    expect(await policyRows()).toEqual([]);
    expect(await listAll(clientsOfBranch)).toEqual([]);
    expect(await listAll(tasksOfBranch)).toEqual([]);

    // The migration as `npm run migrate:shards` runs it: the tenant's branches, insurers and product
    // lines listed from the org collections, every status, a month.
    const run = async () =>
      (await migrateShardKeys(db, { tenantId: b.tenantId, from: '2026-01', to: '2026-01' })).get(b.tenantId);
    expect(unshardedKeys(scope()).map((k) => k.value)).toContain(`${t}#BRANCH#${b.franchiseBranchId}#POLICY`);
    expect(await run()).toEqual({
      moved: 3 * before.policies.length + before.clients.length + taskRows.length + 2,
      alreadyMoved: 0,
      conflicts: [],
    });
    expect(await run()).toEqual({ moved: 0, alreadyMoved: 0, conflicts: [] });
    expect(await db.get(keys.unmatchedPayment(b.tenantId, 'mig-row'))).toMatchObject({ id: 'mig-row' });
    expect(await db.get(keys.webhookDelivery(b.tenantId, b.insurerId, 'msg_mig'))).toMatchObject({
      gsi3pk: shardedKey(keys.webhookDeliveriesByInsurer(b.tenantId, b.insurerId).base, 'msg_mig'),
    });
    expect((await policyRows()).map((p) => p.id)).toEqual(before.policies.map((p) => p.id));
    for (const list of ['insurer', 'productLine'] as const) {
      const ids = (await listAll((page) => policiesOf[list](page), 50)).map((p) => (p as PolicyRow).id);
      expect(ids.sort()).toEqual(before.policies.map((p) => p.id).sort());
    }
    expect((await listAll(clientsOfBranch, 50)).map((c) => c.id)).toEqual(before.clients.map((c) => c.id));
    expect((await listAll(tasksOfBranch, 50)).map((k) => k.id)).toEqual(taskRows.map((k) => k.id));
  });

  it('re-shards the policy status key 16 → 32: moves exactly the policies whose shard changed, and a rerun moves 0', async () => {
    const rows = (await policyRows()).filter((p) => p.status === 'ACTIVE');
    const base = keys.policiesByStatus(b.tenantId, 'ACTIVE').base;
    for (const p of rows) {
      await setKeys(keys.policy(b.tenantId, p.clientId, p.id), {
        gsi6pk: shardedKey(base, p.id, SHARD_COUNT),
      });
    }
    const changed = rows.filter((p) => shardOf(p.id, 32) !== shardOf(p.id, SHARD_COUNT));
    // An id's 32-way shard is its 16-way one or that plus 16: about half move (12 ids: all alike 1 in 2,048).
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(rows.length);
    const statusScope = { ...scope(), policyStatuses: ['ACTIVE'] };
    expect(await migrateToShards(db, unshardedKeys(statusScope))).toEqual({
      moved: changed.length,
      alreadyMoved: 0,
    });
    expect(await migrateToShards(db, unshardedKeys(statusScope))).toEqual({ moved: 0, alreadyMoved: 0 });
    const byStatus = await listAll((page) =>
      repo().policies.listPoliciesByStatus(b.tenantId, 'ACTIVE', page, {}),
    );
    expect(byStatus.map((p) => (p as PolicyRow).id).sort()).toEqual(rows.map((p) => p.id).sort());
  });
});
