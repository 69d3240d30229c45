import { describe, expect, it } from 'vitest';
import { computeCommissionLines } from '../../../functions/modules/commissions/engine/index.js';
import { policy, scheme, written } from './engine-fixtures.js';

const onTarget = scheme([
  {
    id: 'first-year',
    name: 'First year',
    ledger: 'ADVISOR',
    match: { businessType: 'NEW' },
    computation: { type: 'PERCENT', base: { kind: 'TARGET_PREMIUM' }, rate: '50' },
  },
  {
    id: 'renewal',
    name: 'Renewal',
    ledger: 'ADVISOR',
    match: { businessType: 'RENEWAL' },
    computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '5' },
  },
]);

describe('target premium', () => {
  it('pays the first year on the target premium and renewals on the premium', () => {
    const life = policy({
      premium: { amount: '2400.00', currency: 'EUR' },
      targetPremium: { amount: '1800.00', currency: 'EUR' },
    });
    const first = computeCommissionLines({ event: written(life), schemes: [onTarget] });
    expect(first.map((l) => [l.explanation.ruleId, l.amount, l.explanation.formula])).toEqual([
      ['first-year', '900.00', '1,800.00 × 50% (First year, v1) = 900.00'],
    ]);
    const renewal = computeCommissionLines({
      event: written({ ...life, businessType: 'RENEWAL', renewalYear: 2 }),
      schemes: [onTarget],
    });
    expect(renewal.map((l) => [l.explanation.ruleId, l.amount])).toEqual([['renewal', '120.00']]);
  });

  it('leaves target-based commission unchanged by an endorsement, and uses the premium without a target', () => {
    const life = policy({
      premium: { amount: '3000.00', currency: 'EUR' },
      targetPremium: { amount: '1800.00', currency: 'EUR' },
    });
    const endorsed = computeCommissionLines({
      event: {
        type: 'ENDORSED',
        eventId: 'e2',
        policy: { ...life, version: 2 },
        previousPremium: '2400.00',
        newPremium: '3000.00',
      },
      schemes: [onTarget],
    });
    expect(endorsed).toEqual([]);
    const plain = computeCommissionLines({
      event: written(policy({ premium: { amount: '2000.00', currency: 'EUR' } })),
      schemes: [onTarget],
    });
    expect(plain.map((l) => l.amount)).toEqual(['1000.00']);
  });
});
