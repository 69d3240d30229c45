import { describe, expect, it } from 'vitest';
import type { PolicyRecord } from '../../../functions/modules/commissions/commission-lookups.js';
import { computeCommissionLines } from '../../../functions/modules/commissions/engine/index.js';
import {
  comparedLines,
  differences,
  replayedLines,
} from '../../../functions/modules/commissions/recompute-history.js';
import { policy, scheme, written } from './engine-fixtures.js';

const at = (rate: string) =>
  scheme([
    {
      id: 'adv',
      name: 'Advisor',
      ledger: 'ADVISOR',
      computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate },
      clawback: { type: 'PRO_RATA_MONTHS' },
    },
  ]);

/** The stored policy behind the engine fixture: written at 2,000.00, endorsed to 3,000.00. */
function record(overrides: Partial<PolicyRecord> = {}): PolicyRecord {
  const facts = policy({ premium: { amount: '3000.00', currency: 'EUR' } });
  return {
    ...facts,
    clientId: 'c-1',
    policyNumber: 'LIFE-1',
    status: 'ACTIVE',
    cancellation: null,
    servicingAdvisorId: null,
    branchId: null,
    regionId: null,
    statusHistory: [{ from: null, to: 'ACTIVE', date: '2024-07-15', at: '2024-07-15T10:00:00Z' }],
    endorsements: [
      {
        effectiveDate: '2024-10-01',
        previousPremium: { amount: '2000.00', currency: 'EUR' },
        newPremium: { amount: '3000.00', currency: 'EUR' },
        at: '2024-10-01T10:00:00Z',
      },
    ],
    updatedAt: '2024-10-01T10:00:00Z',
    ...overrides,
  } as PolicyRecord;
}

describe('recompute: the history under today’s schemes', () => {
  it('replays the write and the endorsement: 15% of 2,000.00, then 15% of the 1,000.00 increase', () => {
    const lines = replayedLines(record(), null, [at('15')]);
    expect(lines.map((l) => [l.kind, l.amount])).toEqual([
      ['ACCRUAL', '300.00'],
      ['DELTA', '150.00'],
    ]);
  });

  it('replays a cancellation after the endorsement: 8/12 of what the history earned comes back', () => {
    const cancelled = record({
      status: 'CANCELLED',
      statusHistory: [
        { from: null, to: 'ACTIVE', date: '2024-07-15', at: '2024-07-15T10:00:00Z' },
        { from: 'ACTIVE', to: 'CANCELLED', date: '2024-12-01', at: '2024-12-01T10:00:00Z' },
      ],
    });
    const lines = replayedLines(cancelled, null, [at('15')]);
    expect(lines.filter((l) => l.kind === 'CLAWBACK').map((l) => l.amount)).toEqual(['-200.00', '-100.00']);
  });

  it('finds the difference per rule and recipient, leaving payment lines out of both sides', () => {
    const held = computeCommissionLines({
      event: written(policy({ premium: { amount: '2000.00', currency: 'EUR' } })),
      schemes: [at('10')],
    });
    const payment = {
      ...held[0],
      id: 'cl_pay',
      sourceEventId: 'payment:p1',
      amount: '50.00',
    } as (typeof held)[number];
    const expected = comparedLines(replayedLines(record(), null, [at('15')]));
    const found = differences(
      { id: 'pol-1', version: 2 },
      comparedLines([...held, payment]),
      expected,
      'state-a',
    );
    expect(found.map((d) => [d.expected, d.held, d.line.amount, d.line.kind])).toEqual([
      ['450.00', '200.00', '250.00', 'RECOMPUTE'],
    ]);
    const again = differences(
      { id: 'pol-1', version: 2 },
      comparedLines([...held, payment]),
      expected,
      'state-a',
    );
    expect(again[0]?.line.id).toBe(found[0]?.line.id);
    const otherState = differences({ id: 'pol-1', version: 2 }, comparedLines(held), expected, 'state-b');
    expect(otherState[0]?.line.id).not.toBe(found[0]?.line.id);
  });
});
