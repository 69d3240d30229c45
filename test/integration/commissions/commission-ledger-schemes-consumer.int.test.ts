import { beforeAll, describe, expect, it } from 'vitest';
import { ChangeBatch } from '../../../functions/modules/commissions/index.js';
import { errorCode } from '../../support/app.js';
import { createBrokerage, fieldPaths, mtplInput, personInput } from '../../support/brokerage.js';
import {
  accruals,
  CANCEL,
  CREATE_SCHEME,
  LINE_FIELDS,
  lines,
  mtplSchemeInput,
  must,
  policyChange,
  REACTIVATE,
  writeMtplPolicy,
} from './commission-fixtures.js';

import { app, b, move, other, setUpLedgerBrokerages, soldPolicy } from './ledger-harness.js';

// The commission ledger over DynamoDB Local: schemes as data, the consumer, write cost, splits and who reads what.
setUpLedgerBrokerages();

describe('commission schemes as data', () => {
  it('keeps every change of a scheme with its author and time', async () => {
    const created = await must<{
      createCommissionScheme: { id: string; version: number; changes: Array<{ action: string; by: string }> };
    }>(app, b.as.manager, CREATE_SCHEME, { i: { ...mtplSchemeInput('History'), currency: 'EUR' } });
    const s = created.createCommissionScheme;
    expect(s.changes.map((c) => [c.action, c.by])).toEqual([
      ['CREATED', b.managerId],
      ['VERSION_ADDED', b.managerId],
    ]);
    const added = await must<{
      addCommissionSchemeVersion: { version: number; versions: Array<{ version: number }> };
    }>(
      app,
      b.as.admin,
      `mutation($i: AddCommissionSchemeVersionInput!) { addCommissionSchemeVersion(input: $i) {
        version versions { version } } }`,
      {
        i: {
          schemeId: s.id,
          expectedVersion: s.version,
          version: {
            validFrom: '2025-01-01',
            validTo: '2026-01-01',
            rules: mtplSchemeInput().versions[0]?.rules,
          },
        },
      },
    );
    expect(added.addCommissionSchemeVersion.versions.map((v) => v.version)).toEqual([1, 2]);
    const changes = await must<{
      commissionScheme: { changes: Array<{ action: string; schemeVersion: number }> };
    }>(
      app,
      b.as.advisor,
      'query($id: ID!) { commissionScheme(id: $id) { changes { action schemeVersion } } }',
      { id: s.id },
    );
    expect(changes.commissionScheme.changes.at(-1)).toEqual({ action: 'VERSION_ADDED', schemeVersion: 2 });
    const stale = await app.exec(
      b.as.manager,
      `mutation($i: AddCommissionSchemeVersionInput!) { addCommissionSchemeVersion(input: $i) { version } }`,
      {
        i: {
          schemeId: s.id,
          expectedVersion: s.version,
          version: { validFrom: '2024-01-01', validTo: '2025-01-01', rules: [] },
        },
      },
    );
    expect(errorCode(stale)).toBe('CONFLICT');
  });

  it('refuses overlapping versions and unordered tiers with field paths, and advisors editing', async () => {
    const input = mtplSchemeInput('Overlap');
    const overlapping = await app.exec(b.as.manager, CREATE_SCHEME, {
      i: { ...input, versions: [...input.versions, { validFrom: '2026-06-01', rules: [] }] },
    });
    expect(errorCode(overlapping)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(overlapping)).toContain('input.versions.1.validFrom');
    const tiers = await app.exec(b.as.manager, CREATE_SCHEME, {
      i: {
        name: 'Tiers',
        currency: 'CZK',
        versions: [
          {
            validFrom: '2026-01-01',
            rules: [
              {
                id: 't',
                name: 'tiered',
                ledger: 'ADVISOR',
                computation: {
                  type: 'TIERED',
                  base: { kind: 'WRITTEN_PREMIUM' },
                  table: {
                    mode: 'MARGINAL',
                    volume: 'PER_LINE',
                    boundary: 'LOWER_INCLUSIVE',
                    tiers: [
                      { from: '0', to: '1000', rate: '5' },
                      { from: '2000', rate: '101' },
                    ],
                  },
                },
              },
            ],
          },
        ],
      },
    });
    expect(errorCode(tiers)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(tiers)).toEqual(
      expect.arrayContaining(['input.versions.0.rules.0.computation.table.tiers.1.rate']),
    );
    const advisor = await app.exec(b.as.advisor, CREATE_SCHEME, { i: mtplSchemeInput('Mine') });
    expect(errorCode(advisor)).toBe('FORBIDDEN');
  });
});

describe('the commission consumer', () => {
  let sale: Awaited<ReturnType<typeof soldPolicy>>;

  beforeAll(async () => {
    sale = await soldPolicy();
  });

  it('writes the receivable, the advisor commission and the upline override, each explained', async () => {
    expect(sale.outcome).toMatchObject({ written: 3, duplicates: 0 });
    const all = await lines(app, b.as.manager, { policyId: sale.id });
    const byLedger = Object.fromEntries(all.map((l) => [`${l.ledger}:${l.explanation.role}`, l]));
    expect(byLedger['RECEIVABLE:PRIMARY']).toMatchObject({
      amount: { amount: '1800.00', currency: 'CZK' },
      period: '2026-01',
      kind: 'ACCRUAL',
      recipient: { kind: 'BROKERAGE', id: 'BROKERAGE' },
      explanation: {
        base: '12000',
        rate: '15',
        ruleId: 'mtpl-receivable',
        schemeVersion: 1,
        level: 0,
        formula: '12,000.00 × 15% (MTPL receivable, v1) = 1,800.00',
        rounding: 'HALF_EVEN',
      },
    });
    expect(byLedger['ADVISOR:PRIMARY']).toMatchObject({
      amount: { amount: '720.00' },
      recipient: { kind: 'USER', id: b.advisorId },
    });
    expect(byLedger['ADVISOR:OVERRIDE']).toMatchObject({
      amount: { amount: '36.00' },
      recipient: { kind: 'USER', id: b.managerId },
      explanation: {
        level: 1,
        hierarchyLevel: 1,
        formula: '1,800.00 × 2% (MTPL advisor, v1, override level 1) = 36.00',
      },
    });
  });

  it("keeps each recipient's month current: the advisor's own accrual is one read", async () => {
    const [mine] = await accruals(app, b.as.advisor, '2026-01');
    expect(mine).toMatchObject({
      recipient: { kind: 'USER', id: b.advisorId },
      accrued: { amount: '720.00', currency: 'CZK' },
      total: { amount: '720.00' },
      approved: null,
      lineCount: 1,
    });
    const [override] = await accruals(app, b.as.manager, '2026-01');
    expect(override?.accrued.amount).toBe('36.00');
    const [brokerage] = await accruals(app, b.as.manager, '2026-01', { kind: 'BROKERAGE' });
    expect(brokerage?.accrued.amount).toBe('1800.00');
  });

  it('changes nothing when the same change is replayed three times', async () => {
    const before = await lines(app, b.as.manager, { policyId: sale.id });
    for (let i = 0; i < 3; i += 1) {
      await expect(
        app.services.commissions.consumer.onChange(policyChange(b.tenantId, sale.policy)),
      ).resolves.toMatchObject({
        written: 0,
        duplicates: 3,
      });
    }
    expect(await lines(app, b.as.manager, { policyId: sale.id })).toEqual(before);
    const [mine] = await accruals(app, b.as.advisor, '2026-01');
    expect(mine).toMatchObject({ accrued: { amount: '720.00' }, lineCount: 1 });
  });

  it('claws back 8/12 when cancelled after 4 full months, and a reactivation reverses it to zero', async () => {
    const sold = await soldPolicy();
    const { after, outcome } = await move(CANCEL, sold.policy, '2026-05-20');
    expect(outcome.written).toBe(3);
    const clawbacks = (await lines(app, b.as.manager, { policyId: sold.id })).filter(
      (l) => l.kind === 'CLAWBACK',
    );
    expect(clawbacks.map((l) => [l.ledger, l.explanation.role, l.amount.amount, l.period]).sort()).toEqual([
      ['ADVISOR', 'OVERRIDE', '-24.00', '2026-05'],
      ['ADVISOR', 'PRIMARY', '-480.00', '2026-05'],
      ['RECEIVABLE', 'PRIMARY', '-1200.00', '2026-05'],
    ]);
    expect(
      clawbacks.find((l) => l.explanation.role === 'PRIMARY' && l.ledger === 'ADVISOR')?.explanation.formula,
    ).toBe(
      '-(720.00 × 8/12 unearned months, cancelled after 4 full months in force) (MTPL advisor, v1) = -480.00',
    );
    const replay = await app.services.commissions.consumer.onChange(
      policyChange(b.tenantId, after, sold.policy),
    );
    expect(replay).toMatchObject({ written: 0, duplicates: 3 });

    await move(REACTIVATE, after, '2026-06-02');
    const mine = await lines(app, b.as.advisor, { policyId: sold.id });
    expect(mine.map((l) => [l.kind, l.amount.amount]).sort()).toEqual([
      ['ACCRUAL', '720.00'],
      ['CLAWBACK', '-480.00'],
      ['CLAWBACK_REVERSAL', '480.00'],
    ]);
    const [may] = await accruals(app, b.as.advisor, '2026-05');
    const [june] = await accruals(app, b.as.advisor, '2026-06');
    expect([may?.clawedBack.amount, june?.clawedBack.amount]).toEqual(['-480.00', '480.00']);
  });

  it('writes nothing for an offer, and new business once the offer is accepted', async () => {
    const offer = await soldPolicy({ status: 'OFFER' });
    expect(offer.outcome.written).toBe(0);
    const { outcome } = await move(
      'mutation($i: PolicyStatusInput!) { acceptOffer(input: $i) { id } }',
      offer.policy,
      '2026-02-01',
    );
    expect(outcome.written).toBe(3);
  });
});

describe('write cost', () => {
  it("writes a new event's lines and their accruals in one transaction, and a replay in none", async () => {
    const wb = await createBrokerage(app, 'One Transaction Brokerage');
    await must(app, wb.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
    const w = await writeMtplPolicy(app, wb);
    const policy = await app.services.repositories.policies.getPolicyOfClient(wb.tenantId, w.clientId, w.id);
    if (!policy) throw new Error('policy not found');
    app.db.stats.reset();
    const first = await app.services.commissions.consumer.onChange(policyChange(wb.tenantId, policy));
    expect(first).toMatchObject({ written: 3, duplicates: 0 });
    expect(app.db.stats.requests.TransactWriteItems).toBe(1);
    const replay = await app.services.commissions.consumer.onChange(policyChange(wb.tenantId, policy));
    expect(replay).toMatchObject({ written: 0, duplicates: 3 });
    const [month] = await accruals(app, wb.as.advisor, '2026-01');
    expect(month).toMatchObject({ accrued: { amount: '720.00' }, lineCount: 1 });
  });

  it("reads a stream batch's schemes, periods and clients once and books its new events in one transaction", async () => {
    const wb = await createBrokerage(app, 'Batch Reads Brokerage');
    await must(app, wb.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
    const written = [await writeMtplPolicy(app, wb), await writeMtplPolicy(app, wb)];
    const policies = await Promise.all(
      written.map((w) => app.services.repositories.policies.getPolicyOfClient(wb.tenantId, w.clientId, w.id)),
    );
    app.db.stats.reset();
    const result = await app.services.commissions.consumer.onBatch(
      policies.map((policy) => {
        if (!policy) throw new Error('policy not found');
        return policyChange(wb.tenantId, policy);
      }),
      (change) => change,
      new ChangeBatch(),
    );
    expect(result.outcomes.map((o) => o?.written)).toEqual([3, 3]);
    expect(app.db.stats.requests).toEqual({ Query: 2, BatchGetItem: 1, TransactWriteItems: 1 });
  });
});

describe('split arrangements', () => {
  it('shares the advisor commission among closers by the policy split, with an overlay on top', async () => {
    const sale = await soldPolicy({
      splits: [
        { userId: b.advisorId, share: '60' },
        { userId: b.subAgentId, share: '40' },
        { userId: b.managerId, share: '10', overlay: true },
      ],
    });
    const advisorLines = (await lines(app, b.as.manager, { policyId: sale.id })).filter(
      (l) => l.ledger === 'ADVISOR' && l.explanation.role !== 'OVERRIDE',
    );
    expect(advisorLines.map((l) => [l.recipient.id, l.amount.amount, l.explanation.role]).sort()).toEqual(
      [
        [b.advisorId, '432.00', 'SPLIT'],
        [b.subAgentId, '288.00', 'SPLIT'],
        [b.managerId, '72.00', 'SPLIT'],
      ].sort(),
    );
    const shown = await must<{
      policy: { splits: Array<{ user: { id: string }; share: string; overlay: boolean }> };
    }>(app, b.as.manager, 'query($id: ID!) { policy(id: $id) { splits { user { id } share overlay } } }', {
      id: sale.id,
    });
    expect(shown.policy.splits).toEqual([
      { user: { id: b.advisorId }, share: '60', overlay: false },
      { user: { id: b.subAgentId }, share: '40', overlay: false },
      { user: { id: b.managerId }, share: '10', overlay: true },
    ]);
  });

  it('refuses closers that do not sum to 100 % and users from elsewhere, with field paths, writing nothing', async () => {
    const client = await must<{ createClient: { id: string } }>(
      app,
      b.as.advisor,
      'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
      { i: personInput() },
    );
    const write = (splits: unknown) =>
      app.exec(b.as.advisor, 'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }', {
        i: mtplInput(b, client.createClient.id, { splits }),
      });
    const short = await write([
      { userId: b.advisorId, share: '60' },
      { userId: b.subAgentId, share: '30' },
    ]);
    expect(errorCode(short)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(short)).toContain('input.splits');
    const foreign = await write([
      { userId: b.advisorId, share: '50' },
      { userId: other.advisorId, share: '50' },
    ]);
    expect(errorCode(foreign)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(foreign)).toContain('input.splits.1.userId');
    const card = await must<{ clientCard: { policies: unknown[] } }>(
      app,
      b.as.advisor,
      'query($id: ID!) { clientCard(id: $id) { policies { id } } }',
      { id: client.createClient.id },
    );
    expect(card.clientCard.policies).toEqual([]);
  });
});

describe('who reads what', () => {
  it('lets advisors read only their own ledger and partners nothing of it', async () => {
    const sale = await soldPolicy();
    const advisorSees = await lines(app, b.as.advisor, { policyId: sale.id });
    expect(advisorSees.map((l) => l.recipient.id)).toEqual([b.advisorId]);
    const brokerage = await app.exec(
      b.as.advisor,
      'query { commissionAccruals(recipient: { kind: BROKERAGE }, period: "2026-01") { period } }',
    );
    expect(errorCode(brokerage)).toBe('FORBIDDEN');
    const colleague = await app.exec(
      b.as.subAgent,
      'query($r: CommissionRecipientInput) { commissionAccruals(recipient: $r, period: "2026-01") { period } }',
      {
        r: { kind: 'USER', id: b.advisorId },
      },
    );
    expect(errorCode(colleague)).toBe('FORBIDDEN');
    const partner = await app.exec(
      b.as.partner,
      'query($r: CommissionRecipientInput) { commissionAccruals(recipient: $r, period: "2026-01") { period } }',
      {
        r: { kind: 'USER', id: b.advisorId },
      },
    );
    expect(errorCode(partner)).toBe('FORBIDDEN');
    await expect(accruals(app, b.as.partner, '2026-01')).resolves.toEqual([]);
    const manager = await accruals(app, b.as.manager, '2026-01', { kind: 'USER', id: b.advisorId });
    expect(manager[0]?.accrued.currency).toBe('CZK');
    const outsideBranch = await app.exec(
      b.as.manager,
      'query($r: CommissionRecipientInput) { commissionAccruals(recipient: $r, period: "2026-01") { period } }',
      { r: { kind: 'USER', id: b.franchiseAdvisorId } },
    );
    expect(errorCode(outsideBranch)).toBe('FORBIDDEN');
    const wholePeriod = await app.exec(
      b.as.manager,
      'query { commissionLines(filter: { period: "2026-01" }) { edges { node { id } } } }',
    );
    expect(errorCode(wholePeriod)).toBe('FORBIDDEN');
    const adminPeriod = await lines(app, b.as.admin, { period: '2026-01' });
    expect(adminPeriod.map((l) => l.ledger)).toEqual(expect.arrayContaining(['RECEIVABLE', 'ADVISOR']));
  });

  it("shows another tenant none of this brokerage's lines or accruals", async () => {
    const sale = await soldPolicy();
    const [line] = await lines(app, b.as.manager, { policyId: sale.id });
    const direct = await app.exec(
      other.as.admin,
      `query($id: ID!) { commissionLine(id: $id) { ${LINE_FIELDS} } }`,
      {
        id: line?.id,
      },
    );
    expect(direct.data).toEqual({ commissionLine: null });
    await expect(lines(app, other.as.admin, { policyId: sale.id })).resolves.toEqual([]);
    await expect(
      accruals(app, other.as.admin, '2026-01', { kind: 'USER', id: b.advisorId }),
    ).resolves.toEqual([]);
    await expect(accruals(app, other.as.admin, '2026-01', { kind: 'BROKERAGE' })).resolves.toEqual([]);
  });
});
