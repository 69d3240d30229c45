import { describe, expect, it } from 'vitest';
import {
  type CommissionLine,
  computeCommissionLines,
  fullMonthsBetween,
  recoveryOf,
  termMonthsOf,
} from '../../../functions/modules/commissions/engine/index.js';
import { Dec } from '../../../functions/shared/money.js';
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

  // Issue 19: a term end is the last day covered. The README and the seed write an annual policy as
  // 2026-12-01 → 2027-11-30; cancelled on 2027-04-01 (4 months in force), 8 of 12 months remain.
  it('counts 2026-12-01 → 2027-11-30 as 12 months and recovers 8/12 when cancelled on 2027-04-01', () => {
    expect(termMonthsOf('2026-12-01', '2027-11-30')).toBe(12);
    const r = recoveryOf({ type: 'PRO_RATA_MONTHS' }, '2026-12-01', '2027-11-30', '2027-04-01');
    expect(r.fraction.toFixed()).toBe(new Dec(8).div(12).toFixed());
    expect(r.text).toBe('8/12 unearned months, cancelled after 4 full months in force');
  });

  it('still counts 12 months for a term written to the anniversary (2026-12-01 → 2027-12-01)', () => {
    expect(termMonthsOf('2026-12-01', '2027-12-01')).toBe(12);
  });

  it('counts terms starting on a month end: 31 Jan → 30 Jan is 12 months, 31 Jan → 27 Feb is 1', () => {
    expect(termMonthsOf('2027-01-31', '2028-01-30')).toBe(12);
    expect(termMonthsOf('2027-01-31', '2027-02-27')).toBe(1);
    expect(termMonthsOf('2027-01-31', '2027-03-30')).toBe(2);
    // A half-year term from the 31st: 31 Jan → 30 Jul.
    expect(termMonthsOf('2027-01-31', '2027-07-30')).toBe(6);
  });

  it('counts leap-year terms: 29 Feb 2028 → 28 Feb 2029 and 1 Mar 2027 → 29 Feb 2028 are 12 months', () => {
    expect(termMonthsOf('2028-02-29', '2029-02-28')).toBe(12);
    expect(termMonthsOf('2027-03-01', '2028-02-29')).toBe(12);
    expect(termMonthsOf('2028-02-01', '2028-02-29')).toBe(1);
    // Cancelled on 28 Feb 2029, the anniversary of a 29 Feb start in a common year: 12 months in force.
    expect(
      recoveryOf({ type: 'PRO_RATA_MONTHS' }, '2028-02-29', '2029-02-28', '2029-02-28').fraction.toFixed(),
    ).toBe('0');
    expect(
      recoveryOf({ type: 'PRO_RATA_MONTHS' }, '2028-02-29', '2029-02-28', '2028-08-29').fraction.toFixed(),
    ).toBe('0.5');
  });

  it('counts a mid-month cancellation’s started month as unearned: 15 Apr after a 1 Dec start leaves 8/12', () => {
    const r = recoveryOf({ type: 'PRO_RATA_MONTHS' }, '2026-12-01', '2027-11-30', '2027-04-15');
    expect(r.text).toBe('8/12 unearned months, cancelled after 4 full months in force');
    const day = recoveryOf({ type: 'PRO_RATA_MONTHS' }, '2026-12-01', '2027-11-30', '2027-03-31');
    expect(day.text).toBe('9/12 unearned months, cancelled after 3 full months in force');
  });

  it('places a tenure cancellation in the term month it falls in, with the inclusive term end', () => {
    const bands = {
      type: 'TENURE' as const,
      bands: [
        { fromMonth: 1, toMonth: 6, percent: '100' },
        { fromMonth: 7, toMonth: 12, percent: '50' },
      ],
    };
    expect(recoveryOf(bands, '2026-12-01', '2027-11-30', '2027-05-31').text).toBe(
      '100% recovered when cancelled in months 1–6 (month 6)',
    );
    expect(recoveryOf(bands, '2026-12-01', '2027-11-30', '2027-06-01').text).toBe(
      '50% recovered when cancelled in months 7–12 (month 7)',
    );
    expect(recoveryOf(bands, '2026-12-01', '2027-11-30', '2027-11-30').text).toBe(
      '50% recovered when cancelled in months 7–12 (month 12)',
    );
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
