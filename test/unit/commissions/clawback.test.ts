import { describe, expect, it } from 'vitest';
import {
  type CommissionLine,
  computeCommissionLines,
  fullMonthsBetween,
  recoveryOf,
} from '../../../functions/modules/commissions/engine/index.js';
import { policy, scheme, sum, written } from './engine-fixtures.js';

const withRecovery = (clawback: unknown) =>
  scheme([
    {
      id: 'adv',
      name: 'Advisor',
      ledger: 'ADVISOR',
      clawback,
      computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '15' },
    },
  ]);

function cancel(lines: CommissionLine[], cancellationDate: string, eventId = 'evt-cancel', version = 2) {
  return {
    type: 'CANCELLED' as const,
    eventId,
    policy: policy({ version }),
    cancellationDate,
    policyLines: lines,
  };
}

describe('recovery rules', () => {
  it('counts full calendar months, treating a shorter month’s last day as reaching the day', () => {
    expect(fullMonthsBetween('2024-08-01', '2024-12-01')).toBe(4);
    expect(fullMonthsBetween('2024-08-01', '2024-11-30')).toBe(3);
    expect(fullMonthsBetween('2024-01-31', '2024-02-29')).toBe(1);
    expect(fullMonthsBetween('2024-08-01', '2024-07-01')).toBe(0);
  });

  // Source: Zepys, "How to handle refunds and clawbacks with agents"
  // (https://staging.zepys.com/learn/how-to-handle-refunds-and-clawbacks-with-agents): "if a customer
  // on a 12 month contract cancels after 6 months, you might claw back 50% of the commission".
  it('recovers 50% pro rata when a 12-month policy is cancelled after 6 full months (Zepys example)', () => {
    expect(
      recoveryOf({ type: 'PRO_RATA_MONTHS' }, '2024-08-01', '2025-08-01', '2025-02-01').fraction.toFixed(),
    ).toBe('0.5');
  });

  // Source: Core8 docs, "Clawbacks and early exit" (https://docs.core8.co/commission-plan-patterns/clawbacks-and-early-exit):
  // "Earned commission: $10,000 — early termination triggers 50% clawback — post a CLAWBACK of -5,000".
  // Here as a tenure band: 50% recovered when cancelled in months 7–12.
  it('recovers the tenure band’s percent: 10,000.00 earned, 50% band, clawback -5,000.00 (Core8 example)', () => {
    const earned = computeCommissionLines({
      event: written(policy({ premium: { amount: '66666.67', currency: 'EUR' } })),
      schemes: [
        withRecovery({
          type: 'TENURE',
          bands: [
            { fromMonth: 1, toMonth: 6, percent: '100' },
            { fromMonth: 7, toMonth: 12, percent: '50' },
          ],
        }),
      ],
    });
    expect(earned[0]?.amount).toBe('10000.00');
    const claw = computeCommissionLines({
      event: cancel(earned, '2025-03-15'),
      schemes: [
        withRecovery({
          type: 'TENURE',
          bands: [
            { fromMonth: 1, toMonth: 6, percent: '100' },
            { fromMonth: 7, toMonth: 12, percent: '50' },
          ],
        }),
      ],
    });
    expect(claw.map((l) => [l.kind, l.amount, l.relatedLineId])).toEqual([
      ['CLAWBACK', '-5000.00', earned[0]?.id],
    ]);
  });

  // Source: issue 4 ("100% in months 1–6 and 50% in 7–12"); cancelled 2024-10-10, 2 full months after
  // a 2024-08-01 start, so in month 3: 100% of 300.00 comes back.
  it('recovers everything when cancelled in month 3 under the issue’s 100% / 50% bands', () => {
    const s = withRecovery({
      type: 'TENURE',
      bands: [
        { fromMonth: 1, toMonth: 6, percent: '100' },
        { fromMonth: 7, toMonth: 12, percent: '50' },
      ],
    });
    const earned = computeCommissionLines({ event: written(policy()), schemes: [s] });
    const claw = computeCommissionLines({ event: cancel(earned, '2024-10-10'), schemes: [s] });
    expect(sum(claw)).toBe('-300.00');
    expect(claw[0]?.explanation.formula).toBe(
      '-(300.00 × 100% recovered when cancelled in months 1–6 (month 3)) (Advisor, v1) = -300.00',
    );
  });

  // Source: STYLE.md's own example test name, "claws back 2/3 of the advance when the policy lapses
  // after 4 of 12 months": 300.00 × 8/12 = 200.00.
  it('claws back 2/3 of the advance when the policy is cancelled after 4 of 12 months', () => {
    const s = withRecovery({ type: 'PRO_RATA_MONTHS' });
    const earned = computeCommissionLines({ event: written(policy()), schemes: [s] });
    const claw = computeCommissionLines({ event: cancel(earned, '2024-12-20'), schemes: [s] });
    expect(claw.map((l) => l.amount)).toEqual(['-200.00']);
    expect(claw[0]?.explanation.formula).toBe(
      '-(300.00 × 8/12 unearned months, cancelled after 4 full months in force) (Advisor, v1) = -200.00',
    );
  });

  it('claws back nothing for a rule without a recovery rule', () => {
    const s = withRecovery(undefined);
    const earned = computeCommissionLines({ event: written(policy()), schemes: [s] });
    expect(computeCommissionLines({ event: cancel(earned, '2024-09-01'), schemes: [s] })).toEqual([]);
  });
});

describe('reactivation', () => {
  const s = withRecovery({ type: 'PRO_RATA_MONTHS' });

  it('reverses the clawback to exactly zero and a second cancellation claws back once more, not twice', () => {
    const earned = computeCommissionLines({ event: written(policy()), schemes: [s] });
    const claw = computeCommissionLines({ event: cancel(earned, '2024-12-20'), schemes: [s] });
    const reversal = computeCommissionLines({
      event: {
        type: 'REACTIVATED',
        eventId: 'evt-react',
        policy: policy({ version: 3 }),
        policyLines: [...earned, ...claw],
      },
      schemes: [s],
    });
    expect(reversal.map((l) => [l.kind, l.amount, l.relatedLineId])).toEqual([
      ['CLAWBACK_REVERSAL', '200.00', claw[0]?.id],
    ]);
    expect(sum([...claw, ...reversal])).toBe('0.00');
    const ledger = [...earned, ...claw, ...reversal];
    const again = computeCommissionLines({
      event: cancel(ledger, '2025-02-01', 'evt-cancel-2', 4),
      schemes: [s],
    });
    expect(again.map((l) => l.amount)).toEqual(['-150.00']);
    const duplicate = computeCommissionLines({
      event: cancel([...ledger, ...again], '2025-02-01', 'evt-cancel-3', 5),
      schemes: [s],
    });
    expect(duplicate).toEqual([]);
  });

  it('ignores lines written after the cancellation, so replaying it later recovers the same lines', () => {
    const earned = computeCommissionLines({ event: written(policy()), schemes: [s] });
    const later = computeCommissionLines({
      event: {
        type: 'ENDORSED',
        eventId: 'evt-later',
        policy: policy({ version: 3 }),
        previousPremium: '2000.00',
        newPremium: '2600.00',
      },
      schemes: [s],
    });
    const first = computeCommissionLines({ event: cancel(earned, '2024-12-20'), schemes: [s] });
    const replayed = computeCommissionLines({
      event: cancel([...earned, ...later], '2024-12-20'),
      schemes: [s],
    });
    expect(replayed).toEqual(first);
  });
});
