import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import type { TransactOp } from '../../../functions/shared/db.js';
import { keys } from '../../../functions/shared/table-design.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, fieldPaths } from '../../support/brokerage.js';
import {
  accruals,
  CANCEL,
  CREATE_SCHEME,
  lines,
  mtplSchemeInput,
  must,
  policyChange,
  writeMtplPolicy,
} from './commission-fixtures.js';

/**
 * Recompute through GraphQL over DynamoDB Local: a scheme corrected after the fact, a dry run that
 * shows the difference, the real run that appends it as RECOMPUTE lines in the next open month,
 * and a second run that finds nothing. The consumer is fed the changes the stream would carry.
 */
const app = createTestApp();
let b: Brokerage;
let schemeId: string;

const RECOMPUTE = `mutation($i: RecomputeCommissionsInput!) { recomputeCommissions(input: $i) {
  dryRun policiesChecked written nextCursor
  differences { lineId policyId ledger recipient { kind id } expected { amount } held { amount }
    amount { amount currency } period explanation { ruleId formula } } } }`;

interface Difference {
  lineId: string;
  policyId: string;
  ledger: string;
  recipient: { kind: string; id: string };
  expected: { amount: string };
  held: { amount: string };
  amount: { amount: string; currency: string };
  period: string;
  explanation: { ruleId: string; formula: string };
}
interface Result {
  recomputeCommissions: {
    dryRun: boolean;
    policiesChecked: number;
    written: number;
    nextCursor: string | null;
    differences: Difference[];
  };
}

async function stored(policyId: string, clientId: string, of: Brokerage = b): Promise<Policy> {
  const p = await app.services.repositories.policies.getPolicyOfClient(of.tenantId, clientId, policyId);
  if (!p) throw new Error('policy not found');
  return p;
}

/** The MTPL scheme with the advisor's rate set to `rate`, as an edit of version 1. */
async function setAdvisorRate(rate: string) {
  await setRate('mtpl-advisor', rate, b, schemeId);
}

/** The MTPL scheme with rule `ruleId`'s rate set to `rate`, as an edit of version 1. */
async function setRate(ruleId: string, rate: string, of: Brokerage, schemeId: string) {
  const scheme = mtplSchemeInput();
  const version = scheme.versions[0];
  if (!version) throw new Error('no version');
  const rules = version.rules.map((r) =>
    r.id === ruleId ? { ...r, computation: { ...r.computation, rate } } : r,
  );
  const current = await must<{ commissionScheme: { version: number } }>(
    app,
    of.as.manager,
    'query($id: ID!) { commissionScheme(id: $id) { version } }',
    { id: schemeId },
  );
  await must(
    app,
    of.as.manager,
    'mutation($i: EditCommissionSchemeVersionInput!) { editCommissionSchemeVersion(input: $i) { version } }',
    {
      i: {
        schemeId,
        expectedVersion: current.commissionScheme.version,
        schemeVersion: 1,
        version: { ...version, rules },
      },
    },
  );
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Recompute Brokerage');
  const created = await must<{ createCommissionScheme: { id: string } }>(app, b.as.manager, CREATE_SCHEME, {
    i: mtplSchemeInput(),
  });
  schemeId = created.createCommissionScheme.id;
});

describe('recomputeCommissions', () => {
  it('shows a corrected rate as a dry-run difference, appends it in the next open month, and finds nothing after', async () => {
    const w = await writeMtplPolicy(app, b);
    const policy = await stored(w.id, w.clientId);
    await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
    const before = await lines(app, b.as.admin, { policyId: w.id });
    // 15% of 12,000.00 to the brokerage, 40% of that to the advisor, 2% override to the manager.
    expect(before.map((l) => l.amount.amount).sort()).toEqual(['1800.00', '36.00', '720.00']);

    await setAdvisorRate('50');
    const dry = await must<Result>(app, b.as.manager, RECOMPUTE, { i: { policyId: w.id, dryRun: true } });
    expect(dry.recomputeCommissions).toMatchObject({ dryRun: true, policiesChecked: 1, written: 0 });
    const [diff] = dry.recomputeCommissions.differences;
    expect(dry.recomputeCommissions.differences).toHaveLength(1);
    expect(diff).toMatchObject({
      policyId: w.id,
      ledger: 'ADVISOR',
      recipient: { kind: 'USER', id: b.advisorId },
      expected: { amount: '900.00' },
      held: { amount: '720.00' },
      amount: { amount: '180.00', currency: 'CZK' },
      explanation: {
        ruleId: 'mtpl-advisor',
        formula:
          "recomputed under today's scheme (MTPL advisor, v1): the history gives 900.00, the ledger holds 720.00 = 180.00",
      },
    });
    await expect(lines(app, b.as.admin, { policyId: w.id })).resolves.toHaveLength(3);

    // The month the difference would land in is locked meanwhile: it goes to the next open one.
    const month = diff?.period ?? '';
    await must(
      app,
      b.as.admin,
      'mutation($i: CommissionPeriodInput!) { approveCommissionPeriod(input: $i) { status } }',
      {
        i: { period: month },
      },
    );
    const real = await must<Result>(app, b.as.manager, RECOMPUTE, { i: { policyId: w.id } });
    expect(real.recomputeCommissions).toMatchObject({ dryRun: false, written: 1 });
    const written = real.recomputeCommissions.differences[0];
    expect(written?.lineId).toBe(diff?.lineId);
    expect(written?.period).not.toBe(month);
    expect((written?.period ?? '') > month).toBe(true);
    const after = await lines(app, b.as.admin, { policyId: w.id });
    expect(after).toHaveLength(4);
    const recomputed = after.find((l) => l.kind === 'RECOMPUTE');
    expect(recomputed).toMatchObject({
      amount: { amount: '180.00' },
      period: written?.period,
      reason: expect.any(String),
    });
    // Nothing already booked was rewritten.
    expect(after.filter((l) => l.kind === 'ACCRUAL').map((l) => [l.id, l.amount.amount])).toEqual(
      before.map((l) => [l.id, l.amount.amount]),
    );
    const [month1] = await must<{ commissionAccruals: Array<{ accrued: { amount: string } }> }>(
      app,
      b.as.advisor,
      'query($p: String!) { commissionAccruals(period: $p) { accrued { amount } } }',
      { p: written?.period },
    ).then((d) => d.commissionAccruals);
    expect(month1?.accrued.amount).toBe('180.00');

    const again = await must<Result>(app, b.as.manager, RECOMPUTE, { i: { policyId: w.id } });
    expect(again.recomputeCommissions).toMatchObject({ written: 0, differences: [] });
  });

  it('claws back the recomputed amount with the rest, and recomputes a cancellation under a corrected rate', async () => {
    await setAdvisorRate('40');
    const w = await writeMtplPolicy(app, b);
    const sold = await stored(w.id, w.clientId);
    await app.services.commissions.consumer.onChange(policyChange(b.tenantId, sold));
    await setAdvisorRate('50');
    await must(app, b.as.admin, RECOMPUTE, { i: { policyId: w.id } });
    // Cancelled after 4 full months of 12: 8/12 of 720.00 + 8/12 of the recomputed 180.00 = 600.00.
    await must(app, b.as.advisor, CANCEL, {
      i: { id: w.id, expectedVersion: sold.version, date: '2026-05-15', reason: 'sold the car' },
    });
    const cancelled = await stored(w.id, w.clientId);
    await app.services.commissions.consumer.onChange(policyChange(b.tenantId, cancelled, sold));
    const advisorClawbacks = (await lines(app, b.as.admin, { policyId: w.id })).filter(
      (l) => l.kind === 'CLAWBACK' && l.recipient.id === b.advisorId,
    );
    expect(advisorClawbacks.map((l) => l.amount.amount).sort()).toEqual(['-120.00', '-480.00']);
    const none = await must<Result>(app, b.as.admin, RECOMPUTE, { i: { policyId: w.id, dryRun: true } });
    expect(none.recomputeCommissions.differences).toEqual([]);

    // Corrected back to 40% after the cancellation: 300.00 earned net of clawback becomes 240.00.
    await setAdvisorRate('40');
    const back = await must<Result>(app, b.as.admin, RECOMPUTE, { i: { policyId: w.id, dryRun: true } });
    expect(
      back.recomputeCommissions.differences.map((d) => [
        d.ledger,
        d.expected.amount,
        d.held.amount,
        d.amount.amount,
      ]),
    ).toEqual([['ADVISOR', '240.00', '300.00', '-60.00']]);
  });

  it('recomputes every policy with lines in a month for tenant-wide callers, and refuses bad input', async () => {
    const month = await must<Result>(app, b.as.admin, RECOMPUTE, { i: { period: '2026-01', dryRun: true } });
    expect(month.recomputeCommissions.policiesChecked).toBeGreaterThanOrEqual(2);
    expect(month.recomputeCommissions.written).toBe(0);
    const both = await app.exec(b.as.admin, RECOMPUTE, { i: { policyId: 'p1', period: '2026-01' } });
    expect(fieldPaths(both)).toEqual(['input.policyId']);
    const neither = await app.exec(b.as.admin, RECOMPUTE, { i: { dryRun: true } });
    expect(fieldPaths(neither)).toEqual(['input.policyId']);
    const branchManagerMonth = await app.exec(b.as.manager, RECOMPUTE, { i: { period: '2026-01' } });
    expect(errorCode(branchManagerMonth)).toBe('FORBIDDEN');
    const advisor = await app.exec(b.as.advisor, RECOMPUTE, { i: { period: '2026-01' } });
    expect(errorCode(advisor)).toBe('FORBIDDEN');
    const missing = await app.exec(b.as.admin, RECOMPUTE, { i: { policyId: 'no-such-policy' } });
    expect(errorCode(missing)).toBe('NOT_FOUND');
  });
});

describe('recomputing a month of many policies', () => {
  // A brokerage of its own: 26 policies of 12,000.00 CZK written in January 2026, the receivable
  // rate then raised from 15 % to 20 %: per policy +600.00 to the brokerage, +240.00 to the
  // advisor (40 % of it) and +12.00 to the manager (2 % of it).
  let m: Brokerage;
  let mSchemeId: string;
  let policies: Policy[];
  const brokerageAccrual = () => keys.commissionAccruals(m.tenantId, 'BROKERAGE:BROKERAGE');
  const totals = async (period: string) =>
    Promise.all(
      [{ kind: 'BROKERAGE' }, { kind: 'USER', id: m.advisorId }, { kind: 'USER', id: m.managerId }].map(
        async (r) => (await accruals(app, m.as.admin, period, r)).map((a) => [a.accrued.amount, a.lineCount]),
      ),
    );

  beforeAll(async () => {
    m = await createBrokerage(app, 'Recompute Month Brokerage');
    const created = await must<{ createCommissionScheme: { id: string } }>(app, m.as.manager, CREATE_SCHEME, {
      i: mtplSchemeInput(),
    });
    mSchemeId = created.createCommissionScheme.id;
    policies = [];
    for (let i = 0; i < 26; i += 1) {
      const w = await writeMtplPolicy(app, m);
      policies.push(await stored(w.id, w.clientId, m));
    }
    const booked = await app.services.commissions.consumer.onBatch(
      policies.map((p) => policyChange(m.tenantId, p)),
      (d) => d,
    );
    expect(booked.failedFrom).toBeNull();
    await setRate('mtpl-receivable', '20', m, mSchemeId);
  }, 120_000);

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('appends 26 policies’ lines in 3 transactions instead of 26, with exact totals; a repeat writes nothing', async () => {
    const transact = vi.spyOn(app.db, 'transact');
    const run = await must<Result>(app, m.as.admin, RECOMPUTE, { i: { period: '2026-01' } });
    expect(run.recomputeCommissions).toMatchObject({ policiesChecked: 26, written: 78 });
    // Written policy by policy this took 26 transactions, each an update of the brokerage's
    // accrual. Now 25 policies go together, each policy's lines in one transaction (6 operations
    // with their audit entries, plus the 7 shared counter, period-entry and open-check operations):
    // 15 policies, then 10, then the 26th. The brokerage's accrual: 3 updates instead of 26.
    expect(transact).toHaveBeenCalledTimes(3);
    const touching = transact.mock.calls.filter(([ops]) =>
      (ops as TransactOp[]).some((op) => op.item.Update?.Key?.pk === brokerageAccrual()),
    );
    expect(touching).toHaveLength(3);
    const period = run.recomputeCommissions.differences[0]?.period ?? '';
    expect(await totals(period)).toEqual([[['15600.00', 26]], [['6240.00', 26]], [['312.00', 26]]]);
    // Each policy's lines as a recompute of that policy alone writes them: its differences, its
    // explanation and reason, in the month the result names.
    const one = policies[7] as Policy;
    const mine = run.recomputeCommissions.differences.filter((d) => d.policyId === one.id);
    const written = (await lines(app, m.as.admin, { policyId: one.id })).filter(
      (l) => l.kind === 'RECOMPUTE',
    );
    expect(written.map((l) => l.id).sort()).toEqual(mine.map((d) => d.lineId).sort());
    expect(written.map((l) => l.amount.amount).sort()).toEqual(['12.00', '240.00', '600.00']);
    for (const l of written) {
      expect(l).toMatchObject({ period, reason: 'recomputed under today’s scheme versions' });
      expect(l.explanation.formula).toMatch(/^recomputed under today's scheme \(MTPL/);
    }

    transact.mockClear();
    const again = await must<Result>(app, m.as.admin, RECOMPUTE, { i: { period: '2026-01' } });
    expect(again.recomputeCommissions).toMatchObject({ policiesChecked: 26, written: 0, differences: [] });
    expect(transact).not.toHaveBeenCalled();
    expect(await totals(period)).toEqual([[['15600.00', 26]], [['6240.00', 26]], [['312.00', 26]]]);
  }, 120_000);

  it('writes each difference once when the same recompute is requested twice at once', async () => {
    await setRate('mtpl-receivable', '25', m, mSchemeId);
    const [x, y] = await Promise.all(
      [0, 1].map(() => must<Result>(app, m.as.admin, RECOMPUTE, { i: { period: '2026-01' } })),
    );
    expect((x?.recomputeCommissions.written ?? 0) + (y?.recomputeCommissions.written ?? 0)).toBe(78);
    const period =
      x?.recomputeCommissions.differences[0]?.period ?? y?.recomputeCommissions.differences[0]?.period;
    expect(await totals(period ?? '')).toEqual([[['31200.00', 52]], [['12480.00', 52]], [['624.00', 52]]]);
  }, 120_000);

  it('walks a month a page at a time when a request’s budget is spent, and goes on from nextCursor to the same totals', async () => {
    await setRate('mtpl-receivable', '30', m, mSchemeId);
    const service = app.services.commissions.recompute;
    const paging = Reflect.get(service, 'paging');
    // 20 lines a page (the month holds 26 × 3 = 78 original lines): a spent budget stops after one page.
    Reflect.set(service, 'paging', { linesPerPage: 20, budgetMs: 0 });
    try {
      const calls: Result['recomputeCommissions'][] = [];
      let after: string | null = null;
      do {
        const run: Result = await must<Result>(app, m.as.admin, RECOMPUTE, {
          i: { period: '2026-01', ...(after ? { after } : {}) },
        });
        calls.push(run.recomputeCommissions);
        after = run.recomputeCommissions.nextCursor;
      } while (after && calls.length < 50);
      expect(calls.length).toBeGreaterThan(2);
      expect(calls.at(-1)?.nextCursor).toBeNull();
      // Every policy's +5 % once: 26 × (600.00 + 240.00 + 12.00), however the pages cut the month.
      expect(calls.reduce((sum, c) => sum + c.written, 0)).toBe(78);
      const recomputed = new Set(calls.flatMap((c) => c.differences.map((d) => d.policyId)));
      expect(recomputed.size).toBe(26);
      const period = calls.find((c) => c.differences.length > 0)?.differences[0]?.period ?? '';
      expect(await totals(period)).toEqual([[['46800.00', 78]], [['18720.00', 78]], [['936.00', 78]]]);

      // A cursor is bound to its month and tenant.
      const first = await must<Result>(app, m.as.admin, RECOMPUTE, { i: { period: '2026-01' } });
      const cursor = first.recomputeCommissions.nextCursor as string;
      expect(cursor).toBeTruthy();
      const other = await app.exec(m.as.admin, RECOMPUTE, { i: { period: '2026-02', after: cursor } });
      expect(errorCode(other)).toBe('INVALID_CURSOR');
      const alone = await app.exec(m.as.admin, RECOMPUTE, {
        i: { policyId: policies[0]?.id, after: cursor },
      });
      expect(fieldPaths(alone)).toEqual(['input.after']);
    } finally {
      Reflect.set(service, 'paging', paging);
    }
  }, 120_000);
});
