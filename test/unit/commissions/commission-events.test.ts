import { describe, expect, it } from 'vitest';
import {
  classifyPolicyChange,
  policyEventId,
} from '../../../functions/modules/commissions/commission-events.js';
import {
  accrualBucket,
  nextPeriod,
  periodTotalShare,
  statementNumberKey,
} from '../../../functions/modules/commissions/commissions.model.js';
import type { CommissionLine } from '../../../functions/modules/commissions/engine/index.js';
import { fromMinor, toMinor } from '../../../functions/modules/commissions/minor-units.js';
import type { Policy } from '../../../functions/modules/policies/policies.model.js';

/** A stored policy as the stream's images carry it; tests override what they are about. */
function stored(overrides: Partial<Policy> = {}): Policy {
  return {
    id: 'p1',
    clientId: 'c1',
    holderName: 'Jana Nováková',
    insurerId: 'ins',
    productLineId: 'pl',
    productLineCode: 'MTPL',
    policyNumber: 'MT-1',
    insuredObjects: [],
    premium: { amount: '1200.00', currency: 'EUR' },
    frequency: 'ANNUAL',
    instalments: [],
    writtenDate: '2026-03-10',
    termStart: '2026-04-01',
    termEnd: '2027-04-01',
    status: 'ACTIVE',
    cancellation: null,
    businessType: 'NEW',
    previousPolicyId: null,
    renewedByPolicyId: null,
    renewalYear: 1,
    sellerId: 'u1',
    originatorId: 'u1',
    servicingAdvisorId: 'u1',
    referringPartnerId: null,
    branchId: 'b1',
    branchKind: 'OWN',
    regionId: 'r1',
    hierarchy: [],
    externalId: null,
    source: 'MANUAL',
    statusHistory: [],
    endorsements: [],
    version: 1,
    createdAt: '2026-03-10T09:00:00.000Z',
    updatedAt: '2026-03-10T09:00:00.000Z',
    ...overrides,
  };
}

describe('classifyPolicyChange', () => {
  it('treats a policy written in force, or an accepted offer, as new business on its written date', () => {
    expect(classifyPolicyChange(undefined, stored())).toEqual({ type: 'POLICY_WRITTEN', date: '2026-03-10' });
    expect(classifyPolicyChange(undefined, stored({ status: 'OFFER' }))).toBeNull();
    expect(classifyPolicyChange(stored({ status: 'OFFER' }), stored({ version: 2 }))).toMatchObject({
      type: 'POLICY_WRITTEN',
    });
  });

  it('turns a premium change in force into an endorsement dated by the endorsement', () => {
    const after = stored({
      version: 2,
      premium: { amount: '900.00', currency: 'EUR' },
      endorsements: [{ effectiveDate: '2026-06-01' } as Policy['endorsements'][number]],
    });
    expect(classifyPolicyChange(stored(), after)).toEqual({
      type: 'ENDORSED',
      date: '2026-06-01',
      previousPremium: '1200.00',
      newPremium: '900.00',
    });
  });

  it('claws back on cancellation or lapse and reverses on reactivation', () => {
    const cancelled = stored({
      version: 2,
      status: 'CANCELLED',
      cancellation: { date: '2026-08-20', reason: 'x' },
    });
    expect(classifyPolicyChange(stored(), cancelled)).toEqual({ type: 'CANCELLED', date: '2026-08-20' });
    const lapsed = stored({
      version: 2,
      status: 'LAPSED',
      statusHistory: [{ from: 'ACTIVE', to: 'LAPSED', date: '2026-09-01', reason: null, by: 'u', at: '' }],
    });
    expect(classifyPolicyChange(stored(), lapsed)).toEqual({ type: 'CANCELLED', date: '2026-09-01' });
    const back = stored({
      version: 3,
      status: 'REACTIVATED',
      statusHistory: [
        { from: 'CANCELLED', to: 'REACTIVATED', date: '2026-10-02', reason: null, by: 'u', at: '' },
      ],
    });
    expect(classifyPolicyChange(cancelled, back)).toEqual({ type: 'REACTIVATED', date: '2026-10-02' });
  });

  it('ignores writes that do not move money (a renewal closing the old term, a note-only change)', () => {
    expect(classifyPolicyChange(stored(), stored({ version: 2, status: 'RENEWED' }))).toBeNull();
    expect(classifyPolicyChange(stored(), stored({ version: 2, servicingAdvisorId: 'u2' }))).toBeNull();
  });

  it('derives the event id from the policy version, so a redelivered write is the same event', () => {
    expect(policyEventId(stored({ version: 4 }))).toBe('policy:p1:v4');
  });
});

describe('ledger helpers', () => {
  it('keeps accrual counters in exact integer minor units, also for 0.1 + 0.2 and zero-digit currencies', () => {
    expect(toMinor('0.30', 'EUR')).toBe(30);
    expect(toMinor('-1145.45', 'CZK')).toBe(-114545);
    expect(toMinor('1500', 'JPY')).toBe(1500);
    expect(fromMinor(toMinor('0.10', 'EUR') + toMinor('0.20', 'EUR'), 'EUR')).toBe('0.30');
    expect(fromMinor(-5, 'EUR')).toBe('-0.05');
    expect(() => toMinor('0.005', 'EUR')).toThrow(/not rounded/);
  });

  it('files clawbacks and reversals apart from accruals, and adjustments on their own', () => {
    expect(
      ['ACCRUAL', 'DELTA', 'TIER_CORRECTION'].map((k) => accrualBucket(k as CommissionLine['kind'])),
    ).toEqual(['accrued', 'accrued', 'accrued']);
    expect(accrualBucket('CLAWBACK')).toBe('clawedBack');
    expect(accrualBucket('CLAWBACK_REVERSAL')).toBe('clawedBack');
    expect(accrualBucket('ADJUSTMENT')).toBe('adjusted');
  });

  it('counts only the rule recipient’s PERIOD_TOTAL lines towards the period volume', () => {
    const line = (kind: string, role: string, volume: string | null) =>
      ({
        kind,
        explanation: { role, tier: volume === null ? null : { volume } },
      }) as unknown as CommissionLine;
    expect(periodTotalShare(line('ACCRUAL', 'PRIMARY', 'PERIOD_TOTAL'))).toEqual({ volume: true });
    expect(periodTotalShare(line('TIER_CORRECTION', 'PRIMARY', 'PERIOD_TOTAL'))).toEqual({ volume: false });
    expect(periodTotalShare(line('ACCRUAL', 'OVERRIDE', null))).toBeNull();
    expect(periodTotalShare(line('ACCRUAL', 'PRIMARY', 'PER_LINE'))).toBeNull();
  });

  it('rolls periods over the year end', () => {
    expect(nextPeriod('2026-12')).toBe('2027-01');
    expect(nextPeriod('2026-09')).toBe('2026-10');
  });

  it('normalises statement policy numbers: trim, case, inner spaces, leading zeros', () => {
    expect(statementNumberKey('  00123 45 ')).toBe('12345');
    expect(statementNumberKey('mt-2026-0001')).toBe('MT-2026-0001');
    expect(statementNumberKey('000')).toBe('0');
  });
});
