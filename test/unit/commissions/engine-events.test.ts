import { describe, expect, it } from 'vitest';
import { computeCommissionLines } from '../../../functions/modules/commissions/engine/index.js';
import { mtplReceivable, policy, scheme, written } from './engine-fixtures.js';

describe('ENDORSED and PAYMENT_RECEIVED', () => {
  const s = scheme([mtplReceivable]);

  it('writes a positive delta when the premium rises and a negative one when it falls', () => {
    const up = computeCommissionLines({
      event: {
        type: 'ENDORSED',
        eventId: 'e1',
        policy: policy(),
        previousPremium: '2000.00',
        newPremium: '2400.00',
      },
      schemes: [s],
    });
    expect([up[0]?.kind, up[0]?.amount]).toEqual(['DELTA', '60.00']);
    expect(up[0]?.explanation.formula).toBe(
      '(2,400.00 × 15% = 360.00) − (2,000.00 × 15% = 300.00) (MTPL receivable, v1) = 60.00',
    );
    expect(up[0]?.explanation.previousBase).toBe('2000');
    const down = computeCommissionLines({
      event: {
        type: 'ENDORSED',
        eventId: 'e2',
        policy: policy(),
        previousPremium: '2400.00',
        newPremium: '1500.00',
      },
      schemes: [s],
    });
    expect(down[0]?.amount).toBe('-135.00');
  });

  // Constructed example: whole-amount per-line tiers 0–2,000 at 10% and 2,000+ at 12%. At 1,900.00 the
  // line earns 190.00; an endorsement to 2,100.00 moves the whole premium to 12% = 252.00, so the delta
  // is 62.00, not 200 × 12% = 24.00.
  it('recomputes a whole-amount tier on the new premium so the delta lifts the whole line', () => {
    const t = scheme([
      {
        id: 't',
        name: 'Tiered',
        ledger: 'ADVISOR',
        computation: {
          type: 'TIERED',
          base: { kind: 'WRITTEN_PREMIUM' },
          table: {
            mode: 'WHOLE_AMOUNT',
            volume: 'PER_LINE',
            boundary: 'LOWER_INCLUSIVE',
            tiers: [
              { from: '0', to: '2000', rate: '10' },
              { from: '2000', rate: '12' },
            ],
          },
        },
      },
    ]);
    const lines = computeCommissionLines({
      event: {
        type: 'ENDORSED',
        eventId: 'e1',
        policy: policy(),
        previousPremium: '1900.00',
        newPremium: '2100.00',
      },
      schemes: [t],
    });
    expect(lines[0]?.amount).toBe('62.00');
    expect(lines[0]?.explanation.tier).toMatchObject({ index: 1, rate: '12', mode: 'WHOLE_AMOUNT' });
  });

  it('earns paid-premium rules on payments only, and written-premium rules on writing only', () => {
    const both = scheme([
      mtplReceivable,
      {
        id: 'paid',
        name: 'On paid',
        ledger: 'ADVISOR',
        computation: { type: 'PERCENT', base: { kind: 'PAID_PREMIUM' }, rate: '10' },
      },
    ]);
    const onWrite = computeCommissionLines({ event: written(policy()), schemes: [both] });
    expect(onWrite.map((l) => l.explanation.ruleId)).toEqual(['rec-mtpl']);
    const onPay = computeCommissionLines({
      event: {
        type: 'PAYMENT_RECEIVED',
        eventId: 'pay-1',
        policy: policy(),
        amount: '500.00',
        paidDate: '2024-09-01',
      },
      schemes: [both],
    });
    expect(onPay.map((l) => [l.explanation.ruleId, l.kind, l.amount])).toEqual([
      ['paid', 'ACCRUAL', '50.00'],
    ]);
  });
});

describe('PERIOD_TOTAL tiers', () => {
  const periodScheme = (mode: 'MARGINAL' | 'WHOLE_AMOUNT') =>
    scheme([
      {
        id: 'vol',
        name: 'Volume',
        ledger: 'ADVISOR',
        computation: {
          type: 'TIERED',
          base: { kind: 'WRITTEN_PREMIUM' },
          table: {
            mode,
            volume: 'PERIOD_TOTAL',
            boundary: 'LOWER_INCLUSIVE',
            tiers: [
              { from: '0', to: '10000', rate: '5' },
              { from: '10000', rate: '7' },
            ],
          },
        },
      },
    ]);
  const recipient = { kind: 'USER' as const, id: 'u-seller' };

  // Constructed example: tiers 0–10,000 at 5% and 10,000+ at 7% on the advisor's monthly volume.
  // Earlier this month 8,000.00 earned 400.00. A 4,000.00 policy lifts the month to 12,000.00:
  // whole-amount, the line is 4,000 × 7% = 280.00 and the month must total 12,000 × 7% = 840.00, so a
  // correction of 840 − 400 − 280 = 160.00 lifts the earlier 8,000.00 from 5% to 7%.
  it('corrects the period\u2019s earlier lines when a whole-amount period tier is crossed', () => {
    const lines = computeCommissionLines({
      event: written(policy({ premium: { amount: '4000.00', currency: 'EUR' } })),
      schemes: [periodScheme('WHOLE_AMOUNT')],
      periodTotals: [{ schemeId: 'sch-1', ruleId: 'vol', recipient, volume: '8000', earned: '400.00' }],
    });
    expect(lines.map((l) => [l.kind, l.amount])).toEqual([
      ['ACCRUAL', '280.00'],
      ['TIER_CORRECTION', '160.00'],
    ]);
    expect(lines[1]?.explanation.formula).toBe(
      'period target 12,000.00 × 7% (tier 2) = 840.00 − earned 680.00 (Volume, v1) = 160.00',
    );
  });

  // Same constructed table, marginal: the line pays 2,000 × 5% + 2,000 × 7% = 240.00 and the month
  // totals 10,000 × 5% + 2,000 × 7% = 640.00 = 400 + 240, so no correction is needed.
  it('pays only the slices crossed under a marginal period tier, with no correction', () => {
    const lines = computeCommissionLines({
      event: written(policy({ premium: { amount: '4000.00', currency: 'EUR' } })),
      schemes: [periodScheme('MARGINAL')],
      periodTotals: [{ schemeId: 'sch-1', ruleId: 'vol', recipient, volume: '8000', earned: '400.00' }],
    });
    expect(lines.map((l) => [l.kind, l.amount])).toEqual([['ACCRUAL', '240.00']]);
    expect(lines[0]?.explanation.formula).toBe(
      'period volume 8,000.00 → 12,000.00: 2,000.00 × 5% + 2,000.00 × 7% (Volume, v1) = 240.00',
    );
  });
});
