import { beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { Dec } from '../../../functions/shared/money.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage } from '../../support/brokerage.js';
import {
  CANCEL,
  type LineNode,
  lines,
  must,
  policyChange,
  REACTIVATE,
  writeMtplPolicy,
} from './commission-fixtures.js';

/**
 * Every rule kind through GraphQL (schemes, policies, status changes, the ledger read back) and the
 * stream consumer (fed each policy change as the stream delivers it), with expectations computed by
 * hand in the tables below. One brokerage, one scheme per currency so the kinds do not meet:
 * CZK — the eight tier combinations; EUR — three override levels with compression and differential;
 * USD — originator share, split with an overlay, tenure recovery and its reversal on reactivation.
 * Rate groups with promotions: promotion.int.test.ts; pro-rata recovery and its reversal:
 * commission-ledger-schemes-consumer.int.test.ts; qualification: override-qualification.int.test.ts.
 */
const app = createTestApp();
let b: Brokerage;

const CREATE = 'mutation($i: CreateCommissionSchemeInput!) { createCommissionScheme(input: $i) { id } }';

async function stored(id: string, clientId: string): Promise<Policy> {
  const p = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, clientId, id);
  if (!p) throw new Error('policy not found');
  return p;
}

/** Writes a policy through GraphQL as `as` and books its INSERT. */
async function book(overrides: Record<string, unknown>, as: Principal = b.as.advisor): Promise<Policy> {
  const w = await writeMtplPolicy(app, b, overrides, as);
  const policy = await stored(w.id, w.clientId);
  await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
  return policy;
}

/** Moves a policy's status through GraphQL and books the MODIFY. */
async function move(mutation: string, before: Policy, date: string): Promise<Policy> {
  await must(app, b.as.advisor, mutation, {
    i: { id: before.id, expectedVersion: before.version, date, reason: 'client request' },
  });
  const after = await stored(before.id, before.clientId);
  await app.services.commissions.consumer.onChange(policyChange(b.tenantId, after, before));
  return after;
}

const byManager = (policyId: string) => lines(app, b.as.manager, { policyId });
const amountsOf = (found: LineNode[], test: (l: LineNode) => boolean) =>
  found
    .filter(test)
    .map((l) => l.amount.amount)
    .sort();

beforeAll(async () => {
  b = await createBrokerage(app, 'Rule Kinds Brokerage');
});

// 0–10,000.00 at 5 %, above at 10 %; policy A is exactly 10,000.00 (the boundary), then B 4,000.00 in
// the same month. [rule, mode, volume, boundary, A's line, B's line, B's tier correction]
const TIER_CASES = [
  ['ml-lo', 'MARGINAL', 'PER_LINE', 'LOWER_INCLUSIVE', '500.00', '200.00', null],
  ['ml-up', 'MARGINAL', 'PER_LINE', 'UPPER_INCLUSIVE', '500.00', '200.00', null],
  ['wl-lo', 'WHOLE_AMOUNT', 'PER_LINE', 'LOWER_INCLUSIVE', '1000.00', '200.00', null],
  ['wl-up', 'WHOLE_AMOUNT', 'PER_LINE', 'UPPER_INCLUSIVE', '500.00', '200.00', null],
  ['mp-lo', 'MARGINAL', 'PERIOD_TOTAL', 'LOWER_INCLUSIVE', '500.00', '400.00', null],
  ['mp-up', 'MARGINAL', 'PERIOD_TOTAL', 'UPPER_INCLUSIVE', '500.00', '400.00', null],
  ['wp-lo', 'WHOLE_AMOUNT', 'PERIOD_TOTAL', 'LOWER_INCLUSIVE', '1000.00', '400.00', null],
  // 10,000 stays in tier 1 (5 %: 500.00); at 14,000 the month is in tier 2, so B pays 400.00 and the
  // correction lifts A to 10 %: 1,400.00 − 900.00 earned = 500.00.
  ['wp-up', 'WHOLE_AMOUNT', 'PERIOD_TOTAL', 'UPPER_INCLUSIVE', '500.00', '400.00', '500.00'],
] as const;

describe('tier combinations (CZK receivable)', () => {
  let a: LineNode[];
  let bLines: LineNode[];

  beforeAll(async () => {
    await must(app, b.as.manager, CREATE, {
      i: {
        name: 'Tier matrix',
        currency: 'CZK',
        versions: [
          {
            validFrom: '2026-01-01',
            rules: TIER_CASES.map(([id, mode, volume, boundary]) => ({
              id,
              name: id.toUpperCase(),
              ledger: 'RECEIVABLE',
              additive: true,
              computation: {
                type: 'TIERED',
                base: { kind: 'WRITTEN_PREMIUM' },
                table: {
                  mode,
                  volume,
                  boundary,
                  tiers: [
                    { from: '0', to: '10000', rate: '5' },
                    { from: '10000', rate: '10' },
                  ],
                },
              },
            })),
          },
        ],
      },
    });
    const policyA = await book({
      premium: { amount: '10000.00', currency: 'CZK' },
      writtenDate: '2026-02-03',
    });
    const policyB = await book({
      premium: { amount: '4000.00', currency: 'CZK' },
      writtenDate: '2026-02-04',
    });
    a = await byManager(policyA.id);
    bLines = await byManager(policyB.id);
  });

  it.each(TIER_CASES)('%s (%s, %s, %s) pays A %s, B %s, correction %s', (rule, _m, _v, _b, onA, onB, fix) => {
    const of = (found: LineNode[], kind: string) =>
      amountsOf(found, (l) => l.explanation.ruleId === rule && l.kind === kind);
    expect(of(a, 'ACCRUAL')).toEqual([onA]);
    expect(of(bLines, 'ACCRUAL')).toEqual([onB]);
    expect(of(bLines, 'TIER_CORRECTION')).toEqual(fix === null ? [] : [fix]);
  });

  it('explains the whole-amount period correction with the period target', () => {
    expect(bLines.find((l) => l.kind === 'TIER_CORRECTION')?.explanation.formula).toBe(
      'period target 14,000.00 × 10% (tier 2) = 1,400.00 − earned 900.00 (WP-UP, v1) = 500.00',
    );
  });
});

describe('three override levels with compression and differential (EUR)', () => {
  it('pays each level its contract rate minus the rate paid below, skipping the inactive upline', async () => {
    const org = app.services.org.structure;
    const group = async (name: string) => (await org.createRateGroup(b.admin, { name })).id;
    const [senior, director] = [await group('Senior'), await group('Director')];
    let managerId: string | null = null;
    const chain: Record<string, string> = {};
    // Created top-down: Una Four ← Ugo Three ← Ulla Two (leaves) ← Uma One ← Sam Seller.
    for (const [key, name, rateGroupId] of [
      ['u4', 'Una Four', senior],
      ['u3', 'Ugo Three', director],
      ['u2', 'Ulla Two', director],
      ['u1', 'Uma One', senior],
      ['seller', 'Sam Seller', b.juniorGroupId],
    ] as const) {
      const user = await org.createUser(b.admin, {
        name,
        email: `${key}@${b.tenantId}.test`,
        role: 'advisor',
        scope: 'own',
        branchId: b.ownBranchId,
        ...(managerId ? { managerId } : {}),
      });
      await org.setUserRateGroup(b.admin, { userId: user.id, rateGroupId, from: '2026-01-01' });
      chain[key] = user.id;
      managerId = user.id;
    }
    await org.updateUser(b.admin, { id: chain.u2, expectedVersion: 1, active: false });
    const contract = [
      { rateGroupId: b.juniorGroupId, rate: '10' },
      { rateGroupId: senior, rate: '14' },
      { rateGroupId: director, rate: '18' },
    ];
    await must(app, b.as.manager, CREATE, {
      i: {
        name: 'Override chain',
        currency: 'EUR',
        versions: [
          {
            validFrom: '2026-01-01',
            rules: [
              {
                id: 'eur-adv',
                name: 'EUR advisor',
                ledger: 'ADVISOR',
                computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '10' },
                overrides: [
                  { type: 'DIFFERENTIAL', rates: contract },
                  { type: 'DIFFERENTIAL', rates: contract, qualification: { requireActive: true } },
                  { type: 'PERCENT', rate: '1' },
                ],
              },
            ],
          },
        ],
      },
    });
    const sold = await book(
      { premium: { amount: '10000.00', currency: 'EUR' }, writtenDate: '2026-02-10', sellerId: chain.seller },
      b.as.manager,
    );
    const found = (await byManager(sold.id)).map((l) => [
      l.recipient.id,
      l.amount.amount,
      l.explanation.level,
      l.explanation.hierarchyLevel,
      l.explanation.formula,
    ]);
    expect(found.sort()).toEqual(
      [
        [chain.seller, '1000.00', 0, 0, '10,000.00 × 10% (EUR advisor, v1) = 1,000.00'],
        [chain.u1, '400.00', 1, 1, '10,000.00 × (14% − 10%) (EUR advisor, v1, override level 1) = 400.00'],
        [
          chain.u3,
          '400.00',
          2,
          3,
          'level 2: Ulla Two skipped — inactive; 10,000.00 × (18% − 14%) (EUR advisor, v1, override level 2) = 400.00',
        ],
        [chain.u4, '100.00', 3, 4, '10,000.00 × 1% (EUR advisor, v1, override level 3) = 100.00'],
      ].sort(),
    );
  });
});

describe('originator and overlay splits, tenure recovery and reactivation (USD)', () => {
  // 12,000.00 × 10 % = 1,200.00: the originator takes 25 % (300.00), the closers share the other
  // 900.00 60/40, the overlay adds 10 % of it on top. Cancelled in month 8 of the term (7 full
  // months in force): the 7–12 band recovers 50 %; the reactivation reverses each clawback.
  const EXPECTED = [
    ['originator', 'ORIGINATOR', '300.00', '-150.00'],
    ['closer60', 'SPLIT', '540.00', '-270.00'],
    ['closer40', 'SPLIT', '360.00', '-180.00'],
    ['overlay', 'SPLIT', '90.00', '-45.00'],
  ] as const;

  it('shares the commission, recovers by the tenure band and reverses to the cent', async () => {
    await must(app, b.as.manager, CREATE, {
      i: {
        name: 'Shared USD',
        currency: 'USD',
        versions: [
          {
            validFrom: '2026-01-01',
            rules: [
              {
                id: 'usd-adv',
                name: 'USD advisor',
                ledger: 'ADVISOR',
                computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '10' },
                originatorShare: '25',
                clawback: {
                  type: 'TENURE',
                  bands: [
                    { fromMonth: 1, toMonth: 6, percent: '100' },
                    { fromMonth: 7, toMonth: 12, percent: '50' },
                  ],
                },
              },
            ],
          },
        ],
      },
    });
    const who: Record<string, string> = {
      originator: b.subAgentId,
      closer60: b.advisorId,
      closer40: b.managerId,
      overlay: b.franchiseAdvisorId,
    };
    const sold = await book({
      premium: { amount: '12000.00', currency: 'USD' },
      originatorId: who.originator,
      splits: [
        { userId: who.closer60, share: '60' },
        { userId: who.closer40, share: '40' },
        { userId: who.overlay, share: '10', overlay: true },
      ],
    });
    const cancelled = await move(CANCEL, sold, '2026-08-20');
    await move(REACTIVATE, cancelled, '2026-09-01');
    const found = await byManager(sold.id);
    for (const [key, role, earned, recovered] of EXPECTED) {
      const mine = (kind: string) =>
        amountsOf(
          found,
          (l) => l.recipient.id === who[key] && l.kind === kind && l.explanation.role === role,
        );
      expect([key, mine('ACCRUAL'), mine('CLAWBACK'), mine('CLAWBACK_REVERSAL')]).toEqual([
        key,
        [earned],
        [recovered],
        [recovered.slice(1)],
      ]);
    }
    expect(
      found.find((l) => l.explanation.role === 'ORIGINATOR' && l.kind === 'ACCRUAL')?.explanation.formula,
    ).toBe('12,000.00 × 10% = 1,200.00 × 25% originator share (USD advisor, v1) = 300.00');
    const total = found.reduce((sum, l) => sum.plus(l.amount.amount), new Dec(0));
    expect(total.toFixed(2)).toBe('1290.00'); // earned, recovered and given back: the net is what was earned
  });
});
