import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { LedgerRepository } from '../../../functions/modules/commissions/ledger.repository.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { toItem } from '../../../functions/shared/items.js';
import { EntityType, keys } from '../../../functions/shared/table-design.js';
import { errorCode } from '../../support/app.js';
import { createBrokerage, fieldPaths } from '../../support/brokerage.js';
import { invoiceHarness } from '../../support/invoices.js';
import {
  accruals,
  CANCEL,
  CREATE_SCHEME,
  LINE_FIELDS,
  lines,
  must,
  policyChange,
  writeMtplPolicy,
} from './commission-fixtures.js';

import { app, b, move, other, setUpLedgerBrokerages, soldPolicy } from './ledger-harness.js';

// The commission ledger over DynamoDB Local: periods, corrections and disputes, simulation, payments and period-total tiers.
setUpLedgerBrokerages();

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

describe("the month's accrual index, off the accrual counters", () => {
  const ledger = () => new LedgerRepository(app.db);
  const raw = () => Reflect.get(app.db, 'client') as DynamoDBDocumentClient;

  it('leaves the period entry as it was when the counter is updated again, and takes an old accrual out of the index', async () => {
    await soldPolicy({ writtenDate: '2026-10-05', termStart: '2026-10-05', termEnd: '2027-10-05' });
    const [first] = (await ledger().listAccrualsByPeriod(b.tenantId, '2026-10')).filter(
      (a) => a.recipientKey === `USER:${b.advisorId}`,
    );
    if (!first) throw new Error('no accrual of the advisor');
    const entryKey = keys.commissionAccrualPeriodEntry(
      b.tenantId,
      first.recipientKey,
      '2026-10',
      first.currency,
    );
    const accrualKey = keys.commissionAccrual(b.tenantId, first.recipientKey, '2026-10', first.currency);
    const before = await app.db.get(entryKey, { consistent: true });
    expect(before).toMatchObject({
      type: EntityType.CommissionAccrualPeriod,
      gsi2pk: keys.commissionAccrualsByPeriod(b.tenantId, '2026-10'),
    });
    expect(before).not.toHaveProperty('version');
    expect(before).not.toHaveProperty('lineCount');
    // The accrual as an earlier version wrote it: the month's index keys on the counter itself.
    await raw().send(
      new UpdateCommand({
        TableName: app.db.tableName,
        Key: accrualKey,
        UpdateExpression: 'SET gsi2pk = :pk, gsi2sk = :sk',
        ExpressionAttributeValues: {
          ':pk': keys.commissionAccrualsByPeriod(b.tenantId, '2026-10'),
          ':sk': `${first.recipientKey}#${first.currency}`,
        },
      }),
    );
    const both = await ledger().listAccrualsByPeriod(b.tenantId, '2026-10');
    expect(both.filter((a) => a.recipientKey === first.recipientKey)).toHaveLength(1);

    await soldPolicy({ writtenDate: '2026-10-06', termStart: '2026-10-06', termEnd: '2027-10-06' });
    expect(await app.db.get(entryKey, { consistent: true })).toEqual(before);
    const accrual = await app.db.get(accrualKey, { consistent: true });
    expect(accrual).not.toHaveProperty('gsi2pk');
    expect(accrual).not.toHaveProperty('gsi2sk');
    const listed = await ledger().listAccrualsByPeriod(b.tenantId, '2026-10');
    expect(listed.filter((a) => a.recipientKey === first.recipientKey)).toEqual([
      expect.objectContaining({ lineCount: 2, accruedMinor: 2 * first.accruedMinor }),
    ]);
  });

  it("lists a month's accruals complete, one written the old way included, in recipient order, and approves them all", async () => {
    await soldPolicy({ writtenDate: '2026-11-05', termStart: '2026-11-05', termEnd: '2027-11-05' });
    const legacy = { kind: 'PARTNER' as const, id: 'legacy-partner' };
    const legacyKey = `PARTNER:${legacy.id}`;
    await app.db.put(
      toItem(
        keys.commissionAccrual(b.tenantId, legacyKey, '2026-11', 'CZK'),
        EntityType.CommissionAccrual,
        b.tenantId,
        {
          recipient: legacy,
          recipientKey: legacyKey,
          period: '2026-11',
          currency: 'CZK',
          accruedMinor: 12_345,
          clawedBackMinor: 0,
          adjustedMinor: 0,
          lineCount: 1,
        },
        keys.commissionAccrualIndexes(b.tenantId, {
          recipient: legacyKey,
          period: '2026-11',
          currency: 'CZK',
        }),
      ),
    );
    const listed = await ledger().listAccrualsByPeriod(b.tenantId, '2026-11');
    const recipients = listed.map((a) => a.recipientKey);
    expect(recipients).toEqual(
      expect.arrayContaining([
        'BROKERAGE:BROKERAGE',
        `USER:${b.advisorId}`,
        `USER:${b.managerId}`,
        legacyKey,
      ]),
    );
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients).toEqual([...recipients].sort());

    await must(
      app,
      b.as.admin,
      'mutation($i: CommissionPeriodInput!) { approveCommissionPeriod(input: $i) { status } }',
      {
        i: { period: '2026-11' },
      },
    );
    const approved = await ledger().listAccrualsByPeriod(b.tenantId, '2026-11');
    expect(approved).toHaveLength(listed.length);
    for (const a of approved)
      expect(a.approvedMinor).toBe(a.accruedMinor + a.clawedBackMinor + a.adjustedMinor);
    expect(approved.find((a) => a.recipientKey === legacyKey)?.approvedMinor).toBe(12_345);
  });
});
