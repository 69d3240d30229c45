import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, fieldPaths } from '../../support/brokerage.js';
import { lines, must, policyChange, writeMtplPolicy } from './commission-fixtures.js';

/**
 * Override qualification through GraphQL and the stream consumer. Hierarchy: Sara → Adam → Marta.
 * The override level requires 15,000.00 CZK of personal premium written in the month; the consumer
 * counts each seller's written premium per month as it books the policy.
 */
const app = createTestApp();
let b: Brokerage;

const schemeInput = (minPersonalPremium: string) => ({
  name: 'Qualified MTPL',
  currency: 'CZK',
  versions: [
    {
      validFrom: '2026-01-01',
      rules: [
        {
          id: 'rec',
          name: 'MTPL receivable',
          ledger: 'RECEIVABLE',
          computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '15' },
        },
        {
          id: 'adv',
          name: 'MTPL advisor',
          ledger: 'ADVISOR',
          computation: { type: 'PERCENT', base: { kind: 'LEDGER', ruleId: 'rec' }, rate: '40' },
          overrides: [
            { type: 'PERCENT', rate: '2', qualification: { minPersonalPremium, requireActive: true } },
          ],
        },
      ],
    },
  ],
});

/** Writes a policy as `as` through GraphQL and feeds its stored version to the consumer. */
async function writeAndBook(as: Principal, premium: string) {
  const w = await writeMtplPolicy(app, b, { premium: { amount: premium, currency: 'CZK' } }, as);
  const policy = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, w.clientId, w.id);
  if (!policy) throw new Error('policy not found');
  const change = policyChange(b.tenantId, policy);
  return { id: w.id, change, outcome: await app.services.commissions.consumer.onChange(change) };
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Override Qualification Brokerage');
});

describe('override qualification', () => {
  it('refuses a negative minimum with its field path', async () => {
    const r = await app.exec(
      b.as.manager,
      'mutation($i: CreateCommissionSchemeInput!) { createCommissionScheme(input: $i) { id } }',
      { i: schemeInput('-1') },
    );
    expect(fieldPaths(r)).toEqual(['input.versions.0.rules.1.overrides.0.qualification.minPersonalPremium']);
  });

  it('compresses past an upline short of personal premium, says why, and stays put on replay', async () => {
    const created = await must<{
      createCommissionScheme: { versions: Array<{ rules: Array<{ overrides: unknown[] | null }> }> };
    }>(
      app,
      b.as.manager,
      `mutation($i: CreateCommissionSchemeInput!) { createCommissionScheme(input: $i) {
        versions { rules { overrides { type rate qualification { minPersonalPremium requireActive rateGroups } } } } } }`,
      { i: schemeInput('15000.00') },
    );
    expect(created.createCommissionScheme.versions[0]?.rules[1]?.overrides).toEqual([
      {
        type: 'PERCENT',
        rate: '2',
        qualification: { minPersonalPremium: '15000.00', requireActive: true, rateGroups: null },
      },
    ]);

    // Marta writes 20,000.00 and Adam 12,000.00 in January 2026 (written date 2026-01-10).
    await writeAndBook(b.as.manager, '20000.00');
    const adams = await writeAndBook(b.as.advisor, '12000.00');
    // Adam's own policy: Marta qualifies and takes level 1 directly.
    const adamLines = await lines(app, b.as.admin, { policyId: adams.id });
    expect(adamLines.find((l) => l.explanation.role === 'OVERRIDE')?.recipient.id).toBe(b.managerId);

    // Sara's policy: Adam (12,000.00 written) is compressed past, Marta takes level 1 from level 2.
    const saras = await writeAndBook(b.as.subAgent, '10000.00');
    const booked = await lines(app, b.as.admin, { policyId: saras.id });
    const override = booked.filter((l) => l.explanation.role === 'OVERRIDE');
    expect(
      override.map((l) => [
        l.recipient.id,
        l.amount.amount,
        l.explanation.level,
        l.explanation.hierarchyLevel,
      ]),
    ).toEqual([[b.managerId, '30.00', 1, 2]]);
    expect(override[0]?.explanation.formula).toBe(
      'level 1: Adam Advisor skipped — 12,000.00 written, 15,000.00 required; 1,500.00 × 2% (MTPL advisor, v1, override level 1) = 30.00',
    );

    // A replay of Adam's policy books nothing and does not count his premium twice: on Sara's next
    // policy he is still 3,000.00 short (24,000.00 would have qualified him).
    const again = await app.services.commissions.consumer.onChange(adams.change);
    expect(again.written).toBe(0);
    const afterReplay = await writeAndBook(b.as.subAgent, '10000.00');
    expect(
      (await lines(app, b.as.admin, { policyId: afterReplay.id }))
        .filter((l) => l.explanation.role === 'OVERRIDE')
        .map((l) => [l.recipient.id, l.explanation.formula.split(';')[0]]),
    ).toEqual([[b.managerId, 'level 1: Adam Advisor skipped — 12,000.00 written, 15,000.00 required']]);

    // Adam now reaches 16,000.00; a replay of Sara's policy still leaves the level with Marta.
    await writeAndBook(b.as.advisor, '4000.00');
    const replay = await app.services.commissions.consumer.onChange(saras.change);
    expect(replay.written).toBe(0);
    expect((await lines(app, b.as.admin, { policyId: saras.id })).length).toBe(booked.length);

    // A recompute judges by the month's production now: a dry run moves Sara's first override to Adam.
    const dry = await must<{
      recomputeCommissions: { differences: Array<{ recipient: { id: string }; amount: { amount: string } }> };
    }>(
      app,
      b.as.admin,
      `mutation($i: RecomputeCommissionsInput!) { recomputeCommissions(input: $i) {
        differences { recipient { id } amount { amount } } } }`,
      { i: { policyId: saras.id, dryRun: true } },
    );
    expect(dry.recomputeCommissions.differences.map((d) => [d.recipient.id, d.amount.amount]).sort()).toEqual(
      [
        [b.advisorId, '30.00'],
        [b.managerId, '-30.00'],
      ].sort(),
    );

    // Sara's next policy: Adam qualifies now and takes level 1 himself.
    const next = await writeAndBook(b.as.subAgent, '10000.00');
    const nextOverride = (await lines(app, b.as.admin, { policyId: next.id })).filter(
      (l) => l.explanation.role === 'OVERRIDE',
    );
    expect(nextOverride.map((l) => [l.recipient.id, l.amount.amount, l.explanation.formula])).toEqual([
      [b.advisorId, '30.00', '1,500.00 × 2% (MTPL advisor, v1, override level 1) = 30.00'],
    ]);
  });
});
