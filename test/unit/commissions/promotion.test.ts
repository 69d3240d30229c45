import { describe, expect, it } from 'vitest';
import {
  computeCommissionLines,
  nextMonthStart,
  promotionFor,
  promotionNote,
  type Scheme,
  SchemeSchema,
} from '../../../functions/modules/commissions/engine/index.js';
import { advisorScheme, policy, written } from './engine-fixtures.js';

const scheme: Scheme = SchemeSchema.parse({
  id: 's1',
  name: 'Promotions',
  currency: 'EUR',
  versions: [
    {
      version: 1,
      validFrom: '2026-01-01',
      validTo: '2026-07-01',
      rules: [],
      promotions: [
        {
          id: 'j-s',
          name: 'Junior to Senior',
          fromRateGroupId: 'JUNIOR',
          toRateGroupId: 'SENIOR',
          minPersonalPremium: '50000.00',
        },
      ],
    },
  ],
});

const at = (date: string, written: string, rateGroupId: string | null = 'JUNIOR', currency = 'EUR') =>
  promotionFor([scheme], { date, currency, rateGroupId, written });

describe('promotionFor', () => {
  it('promotes from the first day of the next month when the month reaches the threshold exactly', () => {
    expect(at('2026-02-20', '50000.00')).toEqual({
      schemeId: 's1',
      ruleId: 'j-s',
      fromRateGroupId: 'JUNIOR',
      toRateGroupId: 'SENIOR',
      from: '2026-03-01',
      period: '2026-02',
      written: '50000.00',
      threshold: '50000.00',
      currency: 'EUR',
    });
  });

  it('does not promote a cent below the threshold, another group, another currency or outside the version', () => {
    expect(at('2026-02-20', '49999.99')).toBeNull();
    expect(at('2026-02-20', '60000.00', 'SENIOR')).toBeNull();
    expect(at('2026-02-20', '60000.00', null)).toBeNull();
    expect(at('2026-02-20', '60000.00', 'JUNIOR', 'CZK')).toBeNull();
    expect(at('2026-07-01', '60000.00')).toBeNull();
  });

  it('rolls December over into January of the next year', () => {
    expect(nextMonthStart('2026-12')).toBe('2027-01-01');
    expect(nextMonthStart('2026-09')).toBe('2026-10-01');
  });

  it('refuses two rules promoting from one group and a rule promoting to its own group', () => {
    const promo = (id: string, to: string) => ({
      id,
      name: id,
      fromRateGroupId: 'JUNIOR',
      toRateGroupId: to,
      minPersonalPremium: '1',
    });
    const r = SchemeSchema.safeParse({
      ...scheme,
      versions: [{ ...scheme.versions[0], promotions: [promo('a', 'SENIOR'), promo('b', 'JUNIOR')] }],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual([
      'versions.0.promotions.1.toRateGroupId',
      'versions.0.promotions.1.fromRateGroupId',
    ]);
  });

  it('writes the promotion note with exact amounts', () => {
    expect(
      promotionNote({
        rateGroupPromotion: {
          rateGroupName: 'SENIOR',
          from: '2026-03-01',
          period: '2026-02',
          written: '52000',
          threshold: '50000',
          currency: 'EUR',
        },
      }),
    ).toBe('rate group SENIOR since 2026-03 (promoted: 52,000.00 EUR written in 2026-02 ≥ 50,000.00)');
    expect(promotionNote({})).toBeNull();
  });
});

describe('promotion notes on lines', () => {
  const promoted = {
    rateGroupName: 'Senior',
    from: '2024-07-01',
    period: '2024-06',
    written: '52000.00',
    threshold: '50000.00',
    currency: 'EUR',
  };
  const note = '; rate group Senior since 2024-07 (promoted: 52,000.00 EUR written in 2024-06 ≥ 50,000.00)';

  it('cites the promotion on a differential override by rate group, and not on a level that ignores groups', () => {
    const p = policy({
      hierarchy: [
        { level: 0, userId: 'u-seller', active: true, rateGroupId: 'junior' },
        { level: 1, userId: 'u-up', active: true, rateGroupId: 'senior', rateGroupPromotion: promoted },
      ],
    });
    const differential = computeCommissionLines({
      event: written(p),
      schemes: [advisorScheme([{ type: 'DIFFERENTIAL', rates: [{ rateGroupId: 'senior', rate: '20' }] }])],
    }).find((l) => l.recipient.id === 'u-up');
    expect(differential?.explanation.formula).toBe(
      `2,000.00 × (20% − 15%) (Advisor, v1, override level 1) = 100.00${note}`,
    );
    const flat = computeCommissionLines({
      event: written(p),
      schemes: [advisorScheme([{ type: 'PERCENT', rate: '2' }])],
    }).find((l) => l.recipient.id === 'u-up');
    expect(flat?.explanation.formula).toBe('2,000.00 × 2% (Advisor, v1, override level 1) = 40.00');
  });
});
