import { describe, expect, it } from 'vitest';
import { computeCommissionLines, SchemeSchema } from '../../../functions/modules/commissions/engine/index.js';
import { advisorScheme, byRecipient, policy, written } from './engine-fixtures.js';

const advisor = (overrides: unknown[]) => advisorScheme(overrides);

// Seller (junior), Marta (manager, level 1), Jan (director, level 2), Eva (director, level 3).
const chain = (martaActive = true) => [
  { level: 0, userId: 'u-seller', name: 'Sam', active: true, rateGroupId: 'junior' },
  { level: 1, userId: 'u-marta', name: 'Marta', active: martaActive, rateGroupId: 'manager' },
  { level: 2, userId: 'u-jan', name: 'Jan', active: true, rateGroupId: 'director' },
  { level: 3, userId: 'u-eva', name: 'Eva', active: true, rateGroupId: 'director' },
];

const qualified = (rate: string, minPersonalPremium = '5000.00') => ({
  type: 'PERCENT',
  rate,
  qualification: { minPersonalPremium },
});

describe('override qualification', () => {
  // Constructed example: 2,000.00 premium; level 1 earns 2 %, level 2 earns 1 %, each requiring
  // 5,000.00 of personal premium in the month. Marta wrote 3,200.00 and is compressed past: Jan takes
  // level 1 (40.00), Eva, at exactly 5,000.00, qualifies and takes level 2 (20.00).
  it('compresses past an upline short of the minimum personal premium and says why', () => {
    const lines = computeCommissionLines({
      event: written(policy({ hierarchy: chain() })),
      schemes: [advisor([qualified('2'), qualified('1')])],
      personalPremium: { 'u-marta': '3200.00', 'u-jan': '6000', 'u-eva': '5000.00' },
    });
    expect(byRecipient(lines)).toEqual({
      'PRIMARY:u-seller': '300.00',
      'OVERRIDE:u-jan': '40.00',
      'OVERRIDE:u-eva': '20.00',
    });
    const jan = lines.find((l) => l.recipient.id === 'u-jan');
    expect([jan?.explanation.level, jan?.explanation.hierarchyLevel]).toEqual([1, 2]);
    expect(jan?.explanation.formula).toBe(
      'level 1: Marta skipped — 3,200.00 written, 5,000.00 required; 2,000.00 × 2% (Advisor, v1, override level 1) = 40.00',
    );
    expect(lines.find((l) => l.recipient.id === 'u-eva')?.explanation.formula).toBe(
      '2,000.00 × 1% (Advisor, v1, override level 2) = 20.00',
    );
  });

  it('compares exactly: one cent short does not qualify, an upline with no production wrote nothing', () => {
    const lines = computeCommissionLines({
      event: written(policy({ hierarchy: chain() })),
      schemes: [advisor([qualified('2')])],
      personalPremium: { 'u-marta': '4999.99', 'u-eva': '5000.01' },
    });
    expect(byRecipient(lines)).toEqual({ 'PRIMARY:u-seller': '300.00', 'OVERRIDE:u-eva': '40.00' });
    expect(lines.find((l) => l.recipient.id === 'u-eva')?.explanation.formula).toBe(
      'level 1: Marta skipped — 4,999.99 written, 5,000.00 required; level 1: Jan skipped — 0.00 written, 5,000.00 required; 2,000.00 × 2% (Advisor, v1, override level 1) = 40.00',
    );
  });

  it('pays nobody for a level when no upline qualifies', () => {
    const lines = computeCommissionLines({
      event: written(policy({ hierarchy: chain() })),
      schemes: [advisor([qualified('2')])],
    });
    expect(byRecipient(lines)).toEqual({ 'PRIMARY:u-seller': '300.00' });
  });

  it('skips inactive uplines with the reason, and pays them when requireActive is false', () => {
    const strict = computeCommissionLines({
      event: written(policy({ hierarchy: chain(false) })),
      schemes: [advisor([{ type: 'PERCENT', rate: '2', qualification: { requireActive: true } }])],
    });
    expect(byRecipient(strict)).toEqual({ 'PRIMARY:u-seller': '300.00', 'OVERRIDE:u-jan': '40.00' });
    expect(strict[1]?.explanation.formula).toMatch(/^level 1: Marta skipped — inactive; /);
    const lenient = computeCommissionLines({
      event: written(policy({ hierarchy: chain(false) })),
      schemes: [advisor([{ type: 'PERCENT', rate: '2', qualification: { requireActive: false } }])],
    });
    expect(byRecipient(lenient)).toEqual({ 'PRIMARY:u-seller': '300.00', 'OVERRIDE:u-marta': '40.00' });
  });

  it('requires a rate group, and a skipped upline does not raise the differential below', () => {
    const byGroup = computeCommissionLines({
      event: written(policy({ hierarchy: chain() })),
      schemes: [advisor([{ type: 'PERCENT', rate: '2', qualification: { rateGroups: ['director'] } }])],
    });
    expect(byRecipient(byGroup)).toEqual({ 'PRIMARY:u-seller': '300.00', 'OVERRIDE:u-jan': '40.00' });
    expect(byGroup[1]?.explanation.formula).toMatch(
      /^level 1: Marta skipped — rate group manager not in director; /,
    );
    // Contract rates junior 15 %, manager 20 %, director 25 %: Marta (short of premium) is skipped, so
    // Jan takes the whole spread 2,000 × (25 − 15)% = 200.00 and Eva has nothing left above him.
    const diff = {
      type: 'DIFFERENTIAL',
      rates: [
        { rateGroupId: 'manager', rate: '20' },
        { rateGroupId: 'director', rate: '25' },
      ],
      qualification: { minPersonalPremium: '1000' },
    };
    const spread = computeCommissionLines({
      event: written(policy({ hierarchy: chain() })),
      schemes: [advisor([diff, diff])],
      personalPremium: { 'u-marta': '999.99', 'u-jan': '1000', 'u-eva': '1000' },
    });
    expect(byRecipient(spread)).toEqual({ 'PRIMARY:u-seller': '300.00', 'OVERRIDE:u-jan': '200.00' });
  });

  it('judges both sides of an endorsement by the same standing, so a delta stays with one upline', () => {
    const lines = computeCommissionLines({
      event: {
        type: 'ENDORSED',
        eventId: 'evt-endorse',
        policy: policy({ hierarchy: chain(), premium: { amount: '3000.00', currency: 'EUR' } }),
        previousPremium: '2000.00',
        newPremium: '3000.00',
      },
      schemes: [advisor([qualified('2')])],
      personalPremium: { 'u-marta': '3200.00', 'u-jan': '5000' },
    });
    expect(byRecipient(lines)).toEqual({ 'PRIMARY:u-seller': '150.00', 'OVERRIDE:u-jan': '20.00' });
  });

  it('validates the qualification: a negative minimum is refused with its path', () => {
    const result = SchemeSchema.safeParse({
      id: 's',
      name: 'S',
      currency: 'EUR',
      versions: [
        {
          version: 1,
          validFrom: '2024-01-01',
          rules: [
            {
              id: 'adv',
              name: 'Advisor',
              ledger: 'ADVISOR',
              computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '15' },
              overrides: [qualified('2', '-1')],
            },
          ],
        },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([
      'versions',
      0,
      'rules',
      0,
      'overrides',
      0,
      'qualification',
      'minPersonalPremium',
    ]);
  });
});
