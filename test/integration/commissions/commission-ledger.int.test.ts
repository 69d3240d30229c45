import { beforeAll, describe, expect, it } from 'vitest';
import { ChangeBatch } from '../../../functions/modules/commissions/index.js';
import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { createTestApp, errorCode } from '../../support/app.js';
import {
  type Brokerage,
  createBrokerage,
  fieldPaths,
  mtplInput,
  personInput,
} from '../../support/brokerage.js';
import { invoiceHarness } from '../../support/invoices.js';
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

/**
 * The ledger over DynamoDB Local: schemes through GraphQL, the stream consumer fed the policy
 * changes the stream would carry (the local-stack test drives the real stream), reads, periods,
 * corrections and disputes.
 */
const app = createTestApp();
let b: Brokerage;
let other: Brokerage;

async function stored(policyId: string, clientId: string): Promise<Policy> {
  const p = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, clientId, policyId);
  if (!p) throw new Error('policy not found');
  return p;
}

/** Writes a policy via GraphQL and feeds its INSERT to the consumer. */
async function soldPolicy(overrides: Record<string, unknown> = {}) {
  const w = await writeMtplPolicy(app, b, overrides);
  const policy = await stored(w.id, w.clientId);
  const outcome = await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
  return { ...w, policy, outcome };
}

/** Moves a policy's status via GraphQL and feeds the MODIFY to the consumer. */
async function move(mutation: string, before: Policy, date: string) {
  await must(app, b.as.advisor, mutation, {
    i: { id: before.id, expectedVersion: before.version, date, reason: 'client request' },
  });
  const after = await stored(before.id, before.clientId);
  const outcome = await app.services.commissions.consumer.onChange(policyChange(b.tenantId, after, before));
  return { after, outcome };
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Commission Ledger Brokerage');
  other = await createBrokerage(app, 'Other Commission Brokerage');
  await must(app, b.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
});

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

  it('reads the schemes once per stream batch: a further record costs its client, the periods and one write', async () => {
    const wb = await createBrokerage(app, 'Batch Reads Brokerage');
    await must(app, wb.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
    const written = [await writeMtplPolicy(app, wb), await writeMtplPolicy(app, wb)];
    const policies = await Promise.all(
      written.map((w) => app.services.repositories.policies.getPolicyOfClient(wb.tenantId, w.clientId, w.id)),
    );
    const batch = new ChangeBatch();
    const costs: Array<Record<string, number>> = [];
    for (const policy of policies) {
      if (!policy) throw new Error('policy not found');
      app.db.stats.reset();
      await app.services.commissions.consumer.onChange(policyChange(wb.tenantId, policy), batch);
      costs.push({ ...app.db.stats.requests });
    }
    expect(costs[0]).toEqual({ Query: 2, GetItem: 1, TransactWriteItems: 1 });
    expect(costs[1]).toEqual({ Query: 1, GetItem: 1, TransactWriteItems: 1 });
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

describe('periods, corrections and disputes', () => {
  it('locks an approved period: later lines land in the next open month and approved totals are fixed', async () => {
    const sold = await soldPolicy({
      writtenDate: '2026-07-05',
      termStart: '2026-07-05',
      termEnd: '2027-07-05',
    });
    const approve = `mutation($i: CommissionPeriodInput!) { approveCommissionPeriod(input: $i) { period status approvedBy } }`;
    const forbidden = await app.exec(b.as.advisor, approve, { i: { period: '2026-07' } });
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    const approved = await must<{ approveCommissionPeriod: { status: string } }>(app, b.as.admin, approve, {
      i: { period: '2026-07' },
    });
    expect(approved.approveCommissionPeriod.status).toBe('APPROVED');
    const again = await app.exec(b.as.admin, approve, { i: { period: '2026-07' } });
    expect(errorCode(again)).toBe('RULE_VIOLATION');
    const [july] = await accruals(app, b.as.advisor, '2026-07');
    expect(july?.approved?.amount).toBe(july?.total.amount);
    const julyLines = await lines(app, b.as.advisor, { policyId: sold.id });
    expect(julyLines[0]?.approvedAmount?.amount).toBe(julyLines[0]?.amount.amount);

    await move(CANCEL, sold.policy, '2026-07-20');
    const clawback = (await lines(app, b.as.advisor, { policyId: sold.id })).find(
      (l) => l.kind === 'CLAWBACK',
    );
    expect(clawback).toMatchObject({
      period: '2026-08',
      amount: { amount: '-720.00' },
      approvedAmount: null,
    });
    const [stillJuly] = await accruals(app, b.as.advisor, '2026-07');
    expect(stillJuly?.clawedBack.amount).toBe(july?.clawedBack.amount);

    const paid = await must<{ markCommissionPeriodPaid: { status: string } }>(
      app,
      b.as.admin,
      'mutation($i: CommissionPeriodInput!) { markCommissionPeriodPaid(input: $i) { status } }',
      { i: { period: '2026-07' } },
    );
    expect(paid.markCommissionPeriodPaid.status).toBe('PAID');
    const [julyPaid] = await accruals(app, b.as.advisor, '2026-07');
    expect(julyPaid?.paid?.amount).toBe(july?.approved?.amount);
  });

  it("corrects a line with a new adjustment line carrying the manager's reason", async () => {
    const sold = await soldPolicy();
    const target = (await lines(app, b.as.advisor, { policyId: sold.id }))[0];
    const adjust = `mutation($i: AdjustCommissionLineInput!) { adjustCommissionLine(input: $i) { ${LINE_FIELDS} } }`;
    const denied = await app.exec(b.as.advisor, adjust, {
      i: { lineId: target?.id, amount: '10', reason: 'more' },
    });
    expect(errorCode(denied)).toBe('FORBIDDEN');
    const unrounded = await app.exec(b.as.manager, adjust, {
      i: { lineId: target?.id, amount: '-20.005', reason: 'agreed discount' },
    });
    expect(errorCode(unrounded)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(unrounded)).toEqual(['input.amount']);
    const done = await must<{
      adjustCommissionLine: {
        kind: string;
        amount: { amount: string };
        reason: string;
        relatedLineId: string;
      };
    }>(app, b.as.manager, adjust, {
      i: { lineId: target?.id, amount: '-20.00', reason: 'agreed discount' },
    });
    expect(done.adjustCommissionLine).toMatchObject({
      kind: 'ADJUSTMENT',
      amount: { amount: '-20.00' },
      reason: 'agreed discount',
      relatedLineId: target?.id,
    });
    const mine = await lines(app, b.as.advisor, { policyId: sold.id });
    expect(mine.find((l) => l.id === target?.id)?.amount.amount).toBe('720.00');
  });

  it('lets the recipient dispute a line and a manager resolve it by adjustment or rejection', async () => {
    const sold = await soldPolicy();
    const target = (await lines(app, b.as.advisor, { policyId: sold.id }))[0];
    const dispute = `mutation($i: DisputeCommissionLineInput!) { disputeCommissionLine(input: $i) { id status version } }`;
    const first = await must<{ disputeCommissionLine: { id: string; version: number } }>(
      app,
      b.as.advisor,
      dispute,
      {
        i: { lineId: target?.id, comment: 'the premium was 13,000' },
      },
    );
    const second = await must<{ disputeCommissionLine: { id: string; version: number } }>(
      app,
      b.as.advisor,
      dispute,
      {
        i: { lineId: target?.id, comment: 'and again' },
      },
    );
    const stranger = await app.exec(b.as.subAgent, dispute, { i: { lineId: target?.id, comment: 'mine?' } });
    expect(errorCode(stranger)).toBe('FORBIDDEN');
    const open = await must<{ openCommissionDisputes: { edges: Array<{ node: { id: string } }> } }>(
      app,
      b.as.manager,
      '{ openCommissionDisputes(first: 100) { edges { node { id } } } }',
    );
    expect(open.openCommissionDisputes.edges.map((e) => e.node.id)).toEqual(
      expect.arrayContaining([first.disputeCommissionLine.id, second.disputeCommissionLine.id]),
    );
    const resolve = `mutation($i: ResolveCommissionDisputeInput!) { resolveCommissionDispute(input: $i) { status adjustmentLineId resolution } }`;
    const adjusted = await must<{ resolveCommissionDispute: { status: string; adjustmentLineId: string } }>(
      app,
      b.as.manager,
      resolve,
      {
        i: {
          lineId: target?.id,
          disputeId: first.disputeCommissionLine.id,
          expectedVersion: 1,
          resolution: 'ADJUST',
          amount: '60.00',
          comment: 'premium corrected',
        },
      },
    );
    expect(adjusted.resolveCommissionDispute.status).toBe('ADJUSTED');
    const rejected = await must<{ resolveCommissionDispute: { status: string } }>(
      app,
      b.as.manager,
      resolve,
      {
        i: {
          lineId: target?.id,
          disputeId: second.disputeCommissionLine.id,
          expectedVersion: 1,
          resolution: 'REJECT',
          comment: 'already corrected',
        },
      },
    );
    expect(rejected.resolveCommissionDispute.status).toBe('REJECTED');
    const mine = await lines(app, b.as.advisor, { policyId: sold.id });
    expect(mine.find((l) => l.id === adjusted.resolveCommissionDispute.adjustmentLineId)?.amount.amount).toBe(
      '60.00',
    );
    const after = await must<{ openCommissionDisputes: { edges: Array<{ node: { id: string } }> } }>(
      app,
      b.as.manager,
      '{ openCommissionDisputes(first: 100) { edges { node { id } } } }',
    );
    expect(after.openCommissionDisputes.edges.map((e) => e.node.id)).not.toContain(
      first.disputeCommissionLine.id,
    );
  });
});

describe('simulateCommissions', () => {
  it('returns every recipient’s lines with explanations and writes nothing', async () => {
    const before = await accruals(app, b.as.advisor, '2026-03');
    const sim = await must<{
      simulateCommissions: Array<{
        ledger: string;
        amount: { amount: string };
        recipient: { id: string };
        explanation: { formula: string };
      }>;
    }>(
      app,
      b.as.advisor,
      `query($i: SimulateCommissionsInput!) { simulateCommissions(input: $i) {
        ledger recipient { kind id } amount { amount currency } explanation { formula level } } }`,
      {
        i: {
          insurerId: b.insurerId,
          productLineId: b.mtplId,
          premium: { amount: '10000.00', currency: 'CZK' },
          writtenDate: '2026-03-03',
          termStart: '2026-03-03',
          termEnd: '2027-03-03',
        },
      },
    );
    expect(sim.simulateCommissions.map((l) => [l.ledger, l.recipient.id, l.amount.amount])).toEqual([
      ['RECEIVABLE', 'BROKERAGE', '1500.00'],
      ['ADVISOR', b.advisorId, '600.00'],
      ['ADVISOR', b.managerId, '30.00'],
    ]);
    expect(sim.simulateCommissions[0]?.explanation.formula).toBe(
      '10,000.00 × 15% (MTPL receivable, v1) = 1,500.00',
    );
    await expect(accruals(app, b.as.advisor, '2026-03')).resolves.toEqual(before);
    const forOther = await app.exec(
      b.as.advisor,
      `query($i: SimulateCommissionsInput!) { simulateCommissions(input: $i) { ledger } }`,
      {
        i: {
          insurerId: b.insurerId,
          productLineId: b.mtplId,
          premium: { amount: '1.00', currency: 'CZK' },
          writtenDate: '2026-03-03',
          sellerId: b.subAgentId,
        },
      },
    );
    expect(errorCode(forOther)).toBe('FORBIDDEN');
  });
});

describe('payments', () => {
  it('earns on paid premium when a payment is registered, once however often it is delivered', async () => {
    await must(app, other.as.manager, CREATE_SCHEME, {
      i: {
        name: 'Paid premium',
        currency: 'CZK',
        versions: [
          {
            validFrom: '2026-01-01',
            rules: [
              {
                id: 'paid-receivable',
                name: 'MTPL on paid premium',
                ledger: 'RECEIVABLE',
                computation: { type: 'PERCENT', base: { kind: 'PAID_PREMIUM' }, rate: '10' },
              },
            ],
          },
        ],
      },
    });
    const w = await writeMtplPolicy(app, other);
    const policy = await app.services.repositories.policies.getPolicyOfClient(
      other.tenantId,
      w.clientId,
      w.id,
    );
    if (!policy) throw new Error('policy not found');
    const written = await app.services.commissions.consumer.onChange(policyChange(other.tenantId, policy));
    expect(written.written).toBe(0);

    const harness = invoiceHarness(app, systemClock);
    const [first] = await harness.services.invoices.invoices.generateInstalmentInvoices(other.as.advisor, {
      policyId: w.id,
      issue: true,
    });
    const payment = await harness.services.invoices.payments.registerPayment(other.as.backoffice, {
      invoiceId: first?.id,
      amount: '3000.00',
      currency: 'CZK',
      paidDate: '2026-09-03',
    });
    const change = {
      eventName: 'INSERT' as const,
      eventID: `payment-${payment.id}`,
      entityType: 'Payment',
      tenantId: other.tenantId,
      keys: {},
      newImage: payment as unknown as Record<string, unknown>,
      sequenceNumber: '1',
    };
    await expect(app.services.commissions.consumer.onChange(change)).resolves.toMatchObject({ written: 1 });
    await expect(app.services.commissions.consumer.onChange(change)).resolves.toMatchObject({
      written: 0,
      duplicates: 1,
    });
    const [line] = await lines(app, other.as.admin, { policyId: w.id });
    expect(line).toMatchObject({
      kind: 'ACCRUAL',
      period: '2026-09',
      amount: { amount: '300.00' },
      explanation: { formula: '3,000.00 × 10% (MTPL on paid premium, v1) = 300.00' },
    });
    const [september] = await accruals(app, other.as.admin, '2026-09', { kind: 'BROKERAGE' });
    expect(september?.accrued.amount).toBe('300.00');
  });
});

describe('PERIOD_TOTAL tiers', () => {
  it("corrects the period's earlier lines when the seller's monthly volume crosses a whole-amount tier", async () => {
    const t = await createBrokerage(app, 'Tier Brokerage');
    await must(app, t.as.manager, CREATE_SCHEME, {
      i: {
        name: 'Monthly volume bonus',
        currency: 'CZK',
        versions: [
          {
            validFrom: '2026-01-01',
            rules: [
              {
                id: 'volume',
                name: 'Monthly volume',
                ledger: 'ADVISOR',
                computation: {
                  type: 'TIERED',
                  base: { kind: 'WRITTEN_PREMIUM' },
                  table: {
                    mode: 'WHOLE_AMOUNT',
                    volume: 'PERIOD_TOTAL',
                    boundary: 'LOWER_INCLUSIVE',
                    tiers: [
                      { from: '0', to: '15000', rate: '10' },
                      { from: '15000', rate: '20' },
                    ],
                  },
                },
              },
            ],
          },
        ],
      },
    });
    const sell = async (amount: string, writtenDate: string) => {
      const w = await writeMtplPolicy(app, t, {
        premium: { amount, currency: 'CZK' },
        writtenDate,
        termStart: writtenDate,
      });
      const policy = await app.services.repositories.policies.getPolicyOfClient(t.tenantId, w.clientId, w.id);
      if (!policy) throw new Error('policy not found');
      return app.services.commissions.consumer.onChange(policyChange(t.tenantId, policy));
    };
    await expect(sell('12000.00', '2026-03-05')).resolves.toMatchObject({ written: 1 });
    await expect(sell('6000.00', '2026-03-10')).resolves.toMatchObject({ written: 2 });
    const march = await lines(app, t.as.advisor, { period: '2026-03' });
    expect(march.map((l) => [l.kind, l.amount.amount]).sort()).toEqual([
      ['ACCRUAL', '1200.00'],
      ['ACCRUAL', '1200.00'],
      ['TIER_CORRECTION', '1200.00'],
    ]);
    expect(march.find((l) => l.kind === 'TIER_CORRECTION')?.explanation.formula).toBe(
      'period target 18,000.00 × 20% (tier 2) = 3,600.00 − earned 2,400.00 (Monthly volume, v1) = 1,200.00',
    );
    const [total] = await accruals(app, t.as.advisor, '2026-03');
    expect(total?.accrued.amount).toBe('3600.00');
    await expect(sell('1000.00', '2026-04-01')).resolves.toMatchObject({ written: 1 });
    const [april] = await accruals(app, t.as.advisor, '2026-04');
    expect(april?.accrued.amount).toBe('100.00');
  });
});

describe('insurer statement reconciliation', () => {
  const IMPORT = `mutation($i: ImportCommissionStatementInput!) { importCommissionStatement(input: $i) {
    rows { policyNumber status statementAmount { amount } expectedAmount { amount } difference { amount } rows }
    invalidRows { row message } } }`;
  const EXCEPTIONS = `query($ins: ID!, $p: String!) { commissionStatementExceptions(insurerId: $ins, period: $p) {
    policyNumber status difference { amount } } }`;
  interface Row {
    policyNumber: string;
    status: string;
    statementAmount: { amount: string } | null;
    expectedAmount: { amount: string } | null;
    difference: { amount: string } | null;
    rows: number[];
  }

  it('matches statement rows to receivable lines by normalised policy number and lists the exceptions', async () => {
    const n = String(Date.now() % 1_000_000);
    const october = { writtenDate: '2026-10-05', termStart: '2026-10-05', termEnd: '2027-10-05' };
    await soldPolicy({ ...october, policyNumber: `00${n}` });
    await soldPolicy({ ...october, policyNumber: `RC-${n}-B` });
    await soldPolicy({ ...october, policyNumber: `RC-${n}-C` });
    const csv = [
      'Policy No;Commission',
      `  ${n} ;1800,00`,
      `rc-${n}-b;1700.00`,
      'ZZZ-404;50.00',
      `RC-${n}-X;abc`,
    ].join('\n');
    const input = {
      insurerId: b.insurerId,
      period: '2026-10',
      format: 'CSV',
      currency: 'CZK',
      contentBase64: Buffer.from(csv).toString('base64'),
    };
    const denied = await app.exec(b.as.advisor, IMPORT, {
      i: { ...input, mapping: { policyNumber: 'Policy No', amount: 'Commission' } },
    });
    expect(errorCode(denied)).toBe('FORBIDDEN');
    const unmapped = await app.exec(b.as.backoffice, IMPORT, { i: input });
    expect(fieldPaths(unmapped)).toEqual(['input.mapping']);
    const first = await must<{
      importCommissionStatement: { rows: Row[]; invalidRows: Array<{ row: number }> };
    }>(app, b.as.backoffice, IMPORT, {
      i: { ...input, mapping: { policyNumber: 'Policy No', amount: 'Commission' } },
    });
    const byStatus = (rows: Row[]) =>
      Object.fromEntries(
        rows.map((r) => [
          r.policyNumber,
          [
            r.status,
            r.statementAmount?.amount ?? null,
            r.expectedAmount?.amount ?? null,
            r.difference?.amount ?? null,
          ],
        ]),
      );
    expect(byStatus(first.importCommissionStatement.rows)).toEqual({
      [n]: ['MATCHED', '1800.00', '1800.00', '0.00'],
      [`RC-${n}-B`]: ['AMOUNT_MISMATCH', '1700.00', '1800.00', '-100.00'],
      [`RC-${n}-C`]: ['MISSING', null, '1800.00', null],
      'ZZZ-404': ['UNEXPECTED', '50.00', null, null],
    });
    expect(first.importCommissionStatement.invalidRows).toEqual([
      { row: 5, message: 'Commission is not an amount' },
    ]);

    // The insurer's mapping is kept: the next statement needs none, and a re-import changes nothing.
    const again = await must<{ importCommissionStatement: { rows: Row[] } }>(app, b.as.backoffice, IMPORT, {
      i: input,
    });
    expect(byStatus(again.importCommissionStatement.rows)).toEqual(
      byStatus(first.importCommissionStatement.rows),
    );
    const exceptions = await must<{
      commissionStatementExceptions: Array<{ policyNumber: string; status: string }>;
    }>(app, b.as.manager, EXCEPTIONS, { ins: b.insurerId, p: '2026-10' });
    expect(exceptions.commissionStatementExceptions.map((e) => e.status).sort()).toEqual([
      'AMOUNT_MISMATCH',
      'MISSING',
      'UNEXPECTED',
    ]);
    const otherTenant = await must<{ commissionStatementExceptions: unknown[] }>(
      app,
      other.as.admin,
      EXCEPTIONS,
      {
        ins: b.insurerId,
        p: '2026-10',
      },
    );
    expect(otherTenant.commissionStatementExceptions).toEqual([]);
  });
});

describe('the partner ledger', () => {
  it('shows a lead supplier its own PARTNER lines and accruals, and nothing of the advisors', async () => {
    const pb = await createBrokerage(app, 'Partner Ledger Brokerage');
    await must(app, pb.as.manager, CREATE_SCHEME, {
      i: {
        name: 'Referrals',
        currency: 'CZK',
        versions: [
          {
            validFrom: '2026-01-01',
            rules: [
              {
                id: 'referral',
                name: 'Referral fee',
                ledger: 'PARTNER',
                computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '5' },
              },
              {
                id: 'advisor',
                name: 'Advisor',
                ledger: 'ADVISOR',
                computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '6' },
              },
            ],
          },
        ],
      },
    });
    const client = await must<{ createClient: { id: string } }>(
      app,
      pb.as.advisor,
      'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
      { i: personInput({ acquisitionType: 'PARTNER_REFERRAL', referringPartnerId: pb.partnerId }) },
    );
    const written = await must<{ writePolicy: { id: string } }>(
      app,
      pb.as.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      { i: mtplInput(pb, client.createClient.id) },
    );
    const policy = await app.services.repositories.policies.getPolicyOfClient(
      pb.tenantId,
      client.createClient.id,
      written.writePolicy.id,
    );
    if (!policy) throw new Error('policy not found');
    await app.services.commissions.consumer.onChange(policyChange(pb.tenantId, policy));

    // Partners read their lines through the portal's own type: the result, never the premium's basis.
    const PARTNER_LINES =
      'query { partnerCommissionLines { edges { node { kind policyId amount { amount currency } } } } }';
    const partnerView = await must<{
      partnerCommissionLines: { edges: Array<{ node: Record<string, unknown> }> };
    }>(app, pb.as.partner, PARTNER_LINES);
    expect(partnerView.partnerCommissionLines.edges.map((e) => e.node)).toEqual([
      { kind: 'ACCRUAL', policyId: written.writePolicy.id, amount: { amount: '600.00', currency: 'CZK' } },
    ]);
    const [partnerMonth] = await accruals(app, pb.as.partner, '2026-01');
    expect(partnerMonth?.accrued.amount).toBe('600.00');
    const EXPLAINED =
      'query { commissionLines(filter: {}) { edges { node { ledger explanation { base previousBase rate formula } } } } }';
    expect(errorCode(await app.exec(pb.as.partner, EXPLAINED))).toBe('FORBIDDEN');
    const managerView = await must<{
      commissionLines: {
        edges: Array<{ node: { ledger: string; explanation: Record<string, string | null> } }>;
      };
    }>(
      app,
      pb.as.manager,
      EXPLAINED.replace('filter: {}', `filter: { policyId: "${written.writePolicy.id}" }`),
    );
    const managerPartnerLine = managerView.commissionLines.edges.find((e) => e.node.ledger === 'PARTNER');
    expect(managerPartnerLine?.node.explanation.base).toBe('12000');
    expect(managerPartnerLine?.node.explanation.formula).toContain('12,000.00 × 5%');
    const advisorLedger = await app.exec(
      pb.as.partner,
      'query($r: CommissionRecipientInput) { commissionLines(filter: { recipient: $r }) { edges { node { id } } } }',
      { r: { kind: 'USER', id: pb.advisorId } },
    );
    expect(errorCode(advisorLedger)).toBe('FORBIDDEN');
    const otherPartner = await app.exec(
      pb.as.partner,
      'query { commissionAccruals(recipient: { kind: PARTNER, id: "someone-else" }, period: "2026-01") { period } }',
    );
    expect(errorCode(otherPartner)).toBe('FORBIDDEN');
  });
});

describe('scheme versions and the client card', () => {
  it('computes a policy under the version in force on its written date, without any code change', async () => {
    const vb = await createBrokerage(app, 'Versioned Scheme Brokerage');
    const created = await must<{ createCommissionScheme: { id: string; version: number } }>(
      app,
      vb.as.manager,
      CREATE_SCHEME,
      {
        i: { ...mtplSchemeInput(), versions: [{ ...mtplSchemeInput().versions[0], validTo: '2026-06-01' }] },
      },
    );
    const v2Rules = mtplSchemeInput().versions[0]?.rules.map((r) =>
      r.id === 'mtpl-receivable' ? { ...r, computation: { ...r.computation, rate: '20' } } : r,
    );
    await must(
      app,
      vb.as.manager,
      `mutation($i: AddCommissionSchemeVersionInput!) { addCommissionSchemeVersion(input: $i) { version } }`,
      {
        i: {
          schemeId: created.createCommissionScheme.id,
          expectedVersion: created.createCommissionScheme.version,
          version: { validFrom: '2026-06-01', rules: v2Rules },
        },
      },
    );
    const sell = async (writtenDate: string) => {
      const w = await writeMtplPolicy(app, vb, {
        writtenDate,
        termStart: writtenDate,
        termEnd: '2027-12-31',
      });
      const policy = await app.services.repositories.policies.getPolicyOfClient(
        vb.tenantId,
        w.clientId,
        w.id,
      );
      if (!policy) throw new Error('policy not found');
      await app.services.commissions.consumer.onChange(policyChange(vb.tenantId, policy));
      return w;
    };
    const may = await sell('2026-05-31');
    const june = await sell('2026-06-01');
    const receivable = async (policyId: string) =>
      (await lines(app, vb.as.admin, { policyId })).find((l) => l.ledger === 'RECEIVABLE')?.explanation;
    expect(await receivable(may.id)).toMatchObject({ schemeVersion: 1, rate: '15' });
    expect(await receivable(june.id)).toMatchObject({
      schemeVersion: 2,
      formula: '12,000.00 × 20% (MTPL receivable, v2) = 2,400.00',
    });

    const card = `query($id: ID!) { clientCard(id: $id) { commissionSummary {
      receivable { amount currency } advisor { amount } partner { amount } } } }`;
    const forManager = await must<{ clientCard: { commissionSummary: unknown } }>(app, vb.as.manager, card, {
      id: june.clientId,
    });
    expect(forManager.clientCard.commissionSummary).toEqual({
      receivable: { amount: '2400.00', currency: 'CZK' },
      advisor: { amount: '1008.00' },
      partner: { amount: '0.00' },
    });
    const forAdvisor = await must<{ clientCard: { commissionSummary: { advisor: { amount: string } } } }>(
      app,
      vb.as.advisor,
      card,
      { id: june.clientId },
    );
    expect(forAdvisor.clientCard.commissionSummary.advisor.amount).toBe('960.00');
  });
});
