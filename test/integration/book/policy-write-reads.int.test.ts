import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { User } from '../../../functions/modules/org/index.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { keys, OrgKind } from '../../../functions/shared/table-design.js';
import { clientOf } from '../../bench/support/dynamodb-meter.js';
import { createTestApp, principalFor } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * Issue 18, item 1: a policy write reads at most 3 times before its one transaction, whatever the
 * depth of the seller's upline (the upline is kept on user items, see functions/modules/org/upline.ts).
 * Requests are recorded in the order the SDK sends them, so "before the transaction" is exact.
 */
const app = createTestApp();
let b: Brokerage;
const sent: string[] = [];
const READS = new Set(['GetItem', 'Query', 'BatchGetItem']);
const WRITE = `mutation($i: WritePolicyInput!) {
  writePolicy(input: $i) { id hierarchy { level userId rateGroupId } branch { id } } }`;

interface Written {
  id: string;
  hierarchy: Array<{ level: number; userId: string; rateGroupId: string | null }>;
  branch: { id: string };
}

/** A chain of four: top ← regional ← advisor ← junior, all in the own branch; the junior sells. */
const chain = { top: '', regional: '', advisor: '', junior: '', outside: '' };
let junior: Principal;

async function newUser(name: string, managerId: string | null, role: 'manager' | 'advisor' = 'advisor') {
  const user = await app.services.org.structure.createUser(b.admin, {
    name,
    email: `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@${b.tenantId}.test`,
    role,
    scope: role === 'manager' ? 'branch' : 'own',
    branchId: b.ownBranchId,
    ...(managerId ? { managerId } : {}),
  });
  return user.id;
}

/** Writes a policy and answers it with the requests sent before its transaction. */
async function write(as: Principal, clientId: string, writtenDate: string) {
  sent.length = 0;
  const r = await app.exec<{ writePolicy: Written }>(as, WRITE, {
    i: mtplInput(b, clientId, { writtenDate, termStart: writtenDate, termEnd: '2027-12-31' }),
  });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  const transaction = sent.indexOf('TransactWriteItems');
  const before = sent.slice(0, transaction);
  return {
    policy: r.data.writePolicy,
    readsBefore: before.filter((op) => READS.has(op)).length,
    before,
    transactions: sent.filter((op) => op === 'TransactWriteItems').length,
  };
}

async function userItem(id: string): Promise<User> {
  const found = await app.services.org.entities.find<User>(b.admin, OrgKind.User, id);
  if (!found) throw new Error(`no user ${id}`);
  return found;
}

/** Turns a user item back into one written before the copies existed. */
async function forgetCopies(id: string) {
  await clientOf(app.db).send(
    new UpdateCommand({
      TableName: inject('tableName'),
      Key: keys.orgItem(b.tenantId, OrgKind.User, id),
      UpdateExpression: 'REMOVE placementHistory, rateGroupHistory, uplineHint',
    }),
  );
}

const stack = () => clientOf(app.db).middlewareStack;

beforeAll(async () => {
  b = await createBrokerage(app, 'Policy Write Reads Brokerage');
  stack().add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName ?? '').replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'policyWriteReadsRecorder' },
  );
  chain.top = await newUser('Tomas', null, 'manager');
  chain.regional = await newUser('Radka', chain.top, 'manager');
  chain.advisor = await newUser('Alois', chain.regional);
  chain.junior = await newUser('Jiri', chain.advisor);
  chain.outside = await newUser('Olga', null, 'manager');
  junior = principalFor(b.tenantId, 'advisor', {
    userId: chain.junior,
    branchId: b.ownBranchId,
    regionId: b.regionId,
    scope: 'own',
  });
  await app.services.org.structure.setUserRateGroup(b.admin, {
    userId: chain.advisor,
    rateGroupId: b.juniorGroupId,
    from: '2026-01-01',
  });
});

afterAll(() => {
  stack().remove('policyWriteReadsRecorder');
});

describe('writing a policy reads at most 3 times before its one transaction', () => {
  let clientId: string;

  it('freezes a four-level upline from two reads when the seller writes, three when someone else does', async () => {
    const created = await app.exec<{ createClient: { id: string } }>(
      junior,
      `mutation($i: CreateClientInput!) { createClient(input: $i) { id } }`,
      { i: personInput() },
    );
    clientId = created.data?.createClient.id as string;
    // The first policy activates the client: that update's audit entry reads the client's before
    // image inside the transaction call. The measured writes are on an active client (the bench's case).
    const first = await write(junior, clientId, '2026-02-01');
    expect(first.readsBefore).toBeLessThanOrEqual(4);
    const own = await write(junior, clientId, '2026-03-01');
    expect(own.policy.hierarchy).toEqual([
      { level: 0, userId: chain.junior, rateGroupId: null },
      { level: 1, userId: chain.advisor, rateGroupId: b.juniorGroupId },
      { level: 2, userId: chain.regional, rateGroupId: null },
      { level: 3, userId: chain.top, rateGroupId: null },
    ]);
    expect(own.policy.branch).toEqual({ id: b.ownBranchId });
    expect(own.before).toEqual(['BatchGetItem', 'BatchGetItem']);
    expect(own.transactions).toBe(1);
    // The admin is not the seller: the client's owner is read once the client is known.
    const byAdmin = await write(b.admin, clientId, '2026-03-02');
    expect(byAdmin.policy.hierarchy.map((h) => h.userId)).toEqual([
      chain.junior,
      chain.advisor,
      chain.regional,
      chain.top,
    ]);
    expect(byAdmin.readsBefore).toBeLessThanOrEqual(3);
    expect(byAdmin.transactions).toBe(1);
  });

  it('keeps the descendants’ chains in the move’s transaction, and freezes each date’s chain', async () => {
    const advisor = await userItem(chain.regional);
    await app.services.org.structure.moveUser(b.admin, {
      id: chain.regional,
      expectedVersion: advisor.version,
      managerId: chain.outside,
      effectiveDate: '2026-06-01',
    });
    expect((await userItem(chain.junior)).uplineHint).toEqual([
      { from: '', managerIds: [chain.advisor, chain.regional, chain.top] },
      { from: '2026-06-01', managerIds: [chain.advisor, chain.regional, chain.outside] },
    ]);
    const before = await write(junior, clientId, '2026-05-31');
    expect(before.policy.hierarchy.map((h) => h.userId)).toEqual([
      chain.junior,
      chain.advisor,
      chain.regional,
      chain.top,
    ]);
    const after = await write(junior, clientId, '2026-06-01');
    expect(after.policy.hierarchy.map((h) => h.userId)).toEqual([
      chain.junior,
      chain.advisor,
      chain.regional,
      chain.outside,
    ]);
    expect(after.readsBefore).toBe(2);
  });

  it('reads users written before the copies the old way, and the migration fills them once', async () => {
    for (const id of Object.values(chain)) await forgetCopies(id);
    const old = await write(junior, clientId, '2026-06-02');
    expect(old.policy.hierarchy.map((h) => [h.userId, h.rateGroupId])).toEqual([
      [chain.junior, null],
      [chain.advisor, b.juniorGroupId],
      [chain.regional, null],
      [chain.outside, null],
    ]);
    expect(old.readsBefore).toBeGreaterThan(3);
    const first = await app.services.org.hierarchy.rebuild(b.tenantId);
    expect(first).toMatchObject({ written: Object.keys(chain).length, conflicts: 0 });
    expect(await app.services.org.hierarchy.rebuild(b.tenantId)).toMatchObject({ written: 0, conflicts: 0 });
    const migrated = await write(junior, clientId, '2026-06-02');
    expect(migrated.policy.hierarchy).toEqual(old.policy.hierarchy);
    expect(migrated.readsBefore).toBe(2);
    expect((await userItem(chain.regional)).placementHistory).toHaveLength(1);
  });
});
