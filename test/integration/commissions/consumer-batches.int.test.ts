import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LedgerRepository } from '../../../functions/modules/commissions/ledger.repository.js';
import { Promotions } from '../../../functions/modules/commissions/promotions.service.js';
import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import type { TableChangeDetail } from '../../../functions/shared/change-event.js';
import type { TransactOp } from '../../../functions/shared/db.js';
import { Dec } from '../../../functions/shared/money.js';
import { keys } from '../../../functions/shared/table-design.js';
import { clientOf, DynamoDbMeter } from '../../bench/support/dynamodb-meter.js';
import { itemBytes } from '../../bench/support/partition-load.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import {
  accruals,
  CANCEL,
  CREATE_SCHEME,
  lines,
  mtplSchemeInput,
  must,
  policyChange,
} from './commission-fixtures.js';

// Stream batches through the commission consumer over DynamoDB Local: records of different
// policies booked side by side, one policy's records in order, merged writes, replays and failures.
const app = createTestApp();
let b: Brokerage;
const consumer = () => app.services.commissions.consumer;
const same = (d: TableChangeDetail) => d;

async function stored(id: string, clientId: string): Promise<Policy> {
  const p = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, clientId, id);
  if (!p) throw new Error('policy not found');
  return p;
}

/** A new client of `as` and an MTPL policy of theirs for `premium` CZK, written in January 2026. */
async function sold(as: Principal, premium: string, clientId?: string): Promise<Policy> {
  const client =
    clientId ??
    (
      await must<{ createClient: { id: string } }>(
        app,
        as,
        'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
        { i: personInput() },
      )
    ).createClient.id;
  const { writePolicy } = await must<{ writePolicy: { id: string } }>(
    app,
    as,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    { i: mtplInput(b, client, { premium: { amount: premium, currency: 'CZK' } }) },
  );
  return stored(writePolicy.id, client);
}

/** Accrued and clawed-back amounts and line counts of the brokerage and each seller in a month. */
async function month(period: string) {
  const recipients = [
    { kind: 'BROKERAGE' },
    ...[b.advisorId, b.subAgentId, b.franchiseAdvisorId, b.managerId].map((id) => ({ kind: 'USER', id })),
  ];
  const rows = await Promise.all(recipients.map((r) => accruals(app, b.as.admin, period, r)));
  return Object.fromEntries(
    rows
      .flat()
      .map((a) => [
        a.recipient.kind === 'BROKERAGE' ? 'brokerage' : a.recipient.id,
        [a.accrued.amount, a.clawedBack.amount, a.lineCount],
      ]),
  );
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Consumer Batch Brokerage');
  await must(app, b.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a stream batch of several policies', () => {
  // Scheme: receivable 15 % of premium, seller 40 % of it (6 %), first upline 2 % of it (0.3 %).
  // The advisor sells and takes the sub-agent's override; the manager takes the advisor's and the
  // franchise advisor's overrides; the brokerage everything: every group adds to shared accruals.
  let records: TableChangeDetail[];
  let cancelledId: string;

  beforeAll(async () => {
    const a1 = await sold(b.as.advisor, '12000.00');
    const s1 = await sold(b.as.subAgent, '10000.00');
    const f1 = await sold(b.as.franchiseAdvisor, '6000.00');
    const a2 = await sold(b.as.advisor, '10000.00');
    await must(app, b.as.advisor, CANCEL, {
      i: { id: a1.id, expectedVersion: a1.version, date: '2026-05-20', reason: 'client request' },
    });
    const a1Cancelled = await stored(a1.id, a1.clientId);
    const s2 = await sold(b.as.subAgent, '12000.00', s1.clientId);
    const f2 = await sold(b.as.franchiseAdvisor, '12000.00');
    const a3 = await sold(b.as.advisor, '6000.00', a2.clientId);
    cancelledId = a1.id;
    records = [
      policyChange(b.tenantId, a1),
      policyChange(b.tenantId, s1),
      policyChange(b.tenantId, f1),
      policyChange(b.tenantId, a2),
      // The cancellation claws back from the lines of the first record: it must wait for them.
      policyChange(b.tenantId, a1Cancelled, a1),
      policyChange(b.tenantId, s2),
      policyChange(b.tenantId, f2),
      policyChange(b.tenantId, a3),
    ];
  });

  it('books side by side exactly the totals one-by-one booking gives, the cancellation after its sale', async () => {
    const result = await consumer().onBatch(records, same);
    expect(result.failedFrom).toBeNull();
    expect(result.outcomes.map((o) => o?.written)).toEqual([3, 3, 3, 3, 3, 3, 3, 3]);
    // January: 15 % of 68,000.00 to the brokerage; the advisor 6 % of 28,000.00 plus 0.3 % of the
    // sub-agent's 22,000.00; the manager 0.3 % of the advisor's 28,000.00 and the franchise 18,000.00.
    expect(await month('2026-01')).toEqual({
      brokerage: ['10200.00', '0.00', 7],
      [b.advisorId]: ['1746.00', '0.00', 5],
      [b.subAgentId]: ['1320.00', '0.00', 2],
      [b.franchiseAdvisorId]: ['1080.00', '0.00', 2],
      [b.managerId]: ['138.00', '0.00', 5],
    });
    // May: 8/12 of the first sale's 1800.00 / 720.00 / 36.00 clawed back.
    expect(await month('2026-05')).toEqual({
      brokerage: ['0.00', '-1200.00', 1],
      [b.advisorId]: ['0.00', '-480.00', 1],
      [b.managerId]: ['0.00', '-24.00', 1],
    });
    const cancelled = await lines(app, b.as.manager, { policyId: cancelledId });
    expect(cancelled.filter((l) => l.kind === 'CLAWBACK')).toHaveLength(3);
  });

  it('adds nothing when the whole batch is delivered again', async () => {
    const january = await month('2026-01');
    const may = await month('2026-05');
    const replay = await consumer().onBatch(records, same);
    expect(replay.failedFrom).toBeNull();
    expect(replay.outcomes.map((o) => [o?.written, o?.duplicates])).toEqual(records.map(() => [0, 3]));
    expect(await month('2026-01')).toEqual(january);
    expect(await month('2026-05')).toEqual(may);
  });
});

describe('a failed record', () => {
  it('is reported with every record after it, and its policy waits; the redelivery completes the batch', async () => {
    const a = await sold(b.as.advisor, '12000.00');
    const s = await sold(b.as.subAgent, '12000.00');
    const f = await sold(b.as.franchiseAdvisor, '12000.00');
    await must(app, b.as.advisor, CANCEL, {
      i: { id: a.id, expectedVersion: a.version, date: '2026-05-20', reason: 'client request' },
    });
    const aCancelled = await stored(a.id, a.clientId);
    const batch = [
      policyChange(b.tenantId, a),
      policyChange(b.tenantId, s),
      policyChange(b.tenantId, aCancelled, a),
      policyChange(b.tenantId, f),
    ];
    const real = Promotions.prototype.afterPremium;
    vi.spyOn(Promotions.prototype, 'afterPremium').mockImplementation(function (this: Promotions, ...args) {
      if (args[2].sellerId === b.subAgentId) return Promise.reject(new Error('promotion store down'));
      return real.apply(this, args);
    });
    const first = await consumer().onBatch(batch, same);
    expect(first.failure?.index).toBe(1);
    expect(first.failedFrom).toBe(1);
    // The other sales of the round are booked; the cancellation, behind its sale's round, is not.
    expect((await lines(app, b.as.admin, { policyId: f.id })).map((l) => l.kind)).toEqual([
      'ACCRUAL',
      'ACCRUAL',
      'ACCRUAL',
    ]);
    expect((await lines(app, b.as.admin, { policyId: a.id })).map((l) => l.kind).sort()).toEqual([
      'ACCRUAL',
      'ACCRUAL',
      'ACCRUAL',
    ]);
    vi.restoreAllMocks();
    const retry = await consumer().onBatch(batch.slice(first.failedFrom ?? 0), same);
    expect(retry.failedFrom).toBeNull();
    expect(retry.outcomes.map((o) => [o?.written, o?.duplicates])).toEqual([
      [0, 3],
      [3, 0],
      [0, 3],
    ]);
    const kinds = (await lines(app, b.as.admin, { policyId: a.id })).map((l) => l.kind);
    expect(kinds.filter((k) => k === 'CLAWBACK')).toHaveLength(3);
  });
});

/** `n` new policies of the three sellers in turn, the i-th for 1,000.00 + i × 100.00 CZK. */
async function sales(n: number): Promise<Policy[]> {
  const sellers = [b.as.advisor, b.as.subAgent, b.as.franchiseAdvisor];
  const policies: Policy[] = [];
  for (let i = 0; i < n; i += 1) {
    const as = sellers[i % sellers.length] as Principal;
    const shareClient = i >= sellers.length ? policies[i - sellers.length]?.clientId : undefined;
    policies.push(await sold(as, `${1000 + i * 100}.00`, shareClient));
  }
  return policies;
}

const BROKERAGE = 'BROKERAGE:BROKERAGE';

/** The transactions sent through `app.db` from now on that update the brokerage's accrual item. */
function brokerageAccrualUpdates(): () => number {
  const spy = vi.spyOn(app.db, 'transact');
  const pk = keys.commissionAccruals(b.tenantId, BROKERAGE);
  return () =>
    spy.mock.calls.filter(([ops]) => (ops as TransactOp[]).some((op) => op.item.Update?.Key?.pk === pk))
      .length;
}

/** What a month's accruals grew by between two {@link month} readings: all amounts, all lines. */
function growth(before: Record<string, unknown[]>, after: Record<string, unknown[]>) {
  let accrued = new Dec(0);
  let lineCount = 0;
  for (const [who, [amount, , count]] of Object.entries(after)) {
    const [was, , wasCount] = before[who] ?? ['0', '0', 0];
    accrued = accrued.plus(String(amount)).minus(String(was));
    lineCount += Number(count) - Number(wasCount);
  }
  return { accrued: accrued.toFixed(2), lineCount };
}

describe('write cost of a stream batch', () => {
  it('books 25 new policies in a handful of requests: one read of schemes, periods and clients, merged writes', async () => {
    const policies = await sales(25);
    const accrualKey = keys.commissionAccrual(b.tenantId, BROKERAGE, '2026-01', 'CZK');
    const versionBefore = Number((await app.db.get(accrualKey, { consistent: true }))?.version ?? 0);
    const meter = new DynamoDbMeter().attach(clientOf(app.db), 'consumerBatchMeter');
    const updates = brokerageAccrualUpdates();
    const result = await consumer().onBatch(
      policies.map((p) => policyChange(b.tenantId, p)),
      same,
    );
    expect(result.failedFrom).toBeNull();
    expect(result.outcomes.every((o) => o?.written === 3)).toBe(true);
    // Schemes and periods one Query each, the 25 policies' clients one BatchGetItem, and 75 lines,
    // 25 production markers and the merged counters in two transactions: 6 requests, where a
    // record-by-record consumer sent 3 per record (75).
    expect(meter.requests).toEqual({ Query: 2, BatchGetItem: 1, TransactWriteItems: 2 });
    expect(meter.total()).toBeLessThanOrEqual(25 * 0.25);
    // Packed by counter, the 25 receivable lines share one transaction: the brokerage's accrual
    // item is updated once for the batch (packed event by event: once per transaction, here 2).
    expect(updates()).toBe(1);
    const accrual = await app.db.get(accrualKey, { consistent: true });
    expect(Number(accrual?.version)).toBe(versionBefore + 1);
    // ~290 bytes, under 1 KB: each update of it costs one write unit, not two.
    expect(itemBytes(accrual ?? {})).toBeGreaterThan(100);
    expect(itemBytes(accrual ?? {})).toBeLessThan(1024);
    meter.reset();
    const replay = await consumer().onBatch(
      policies.map((p) => policyChange(b.tenantId, p)),
      same,
    );
    expect(replay.outcomes.every((o) => o?.written === 0 && o.duplicates === 3)).toBe(true);
  }, 120_000);

  it('loses nothing and counts nothing twice when the batch fails between its transactions', async () => {
    // 40 records: 120 lines and 40 production markers need three transactions.
    const policies = await sales(40);
    const records = policies.map((p) => policyChange(b.tenantId, p));
    const sellers = [b.advisorId, b.subAgentId, b.franchiseAdvisorId];
    const ledger = new LedgerRepository(app.db);
    const production = () => ledger.getProduction(b.tenantId, sellers, '2026-01', 'CZK');
    const [before, producedBefore] = [await month('2026-01'), await production()];
    const real = LedgerRepository.prototype.appendWriteSet;
    let calls = 0;
    vi.spyOn(LedgerRepository.prototype, 'appendWriteSet').mockImplementation(function (
      this: LedgerRepository,
      ...args
    ) {
      calls += 1;
      if (calls === 2) return Promise.reject(new Error('throughput exceeded'));
      return real.apply(this, args);
    });
    const first = await consumer().onBatch(records, same);
    expect(first.failure?.error).toMatchObject({ message: 'throughput exceeded' });
    // The first transaction's lines are in, with their counts; the rest is not.
    const partial = growth(before, await month('2026-01'));
    expect(partial.lineCount).toBeGreaterThan(0);
    expect(partial.lineCount).toBeLessThan(120);
    vi.restoreAllMocks();
    const retry = await consumer().onBatch(records.slice(first.failedFrom ?? 0), same);
    expect(retry.failedFrom).toBeNull();
    // 15 % + 6 % + 0.3 % of 118,000.00, each of the 120 lines counted once.
    const booked = { accrued: '25134.00', lineCount: 120 };
    expect(growth(before, await month('2026-01'))).toEqual(booked);
    const produced = await production();
    const grew = sellers.map((id) => new Dec(produced[id] ?? 0).minus(producedBefore[id] ?? 0).toFixed(2));
    expect(grew).toEqual(['41300.00', '37700.00', '39000.00']);
    const again = await consumer().onBatch(records, same);
    expect(again.outcomes.every((o) => o?.written === 0 && o.duplicates === 3)).toBe(true);
    expect(growth(before, await month('2026-01'))).toEqual(booked);
  }, 120_000);
});
