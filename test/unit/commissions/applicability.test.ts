import { describe, expect, it } from 'vitest';
import {
  computeCommissionLines,
  SchemeSchema,
  versionsOverlap,
} from '../../../functions/modules/commissions/engine/index.js';
import { policy, written } from './engine-fixtures.js';

const limited = (appliesTo: Record<string, unknown>) =>
  SchemeSchema.parse({
    id: 's-limited',
    name: 'Limited',
    currency: 'EUR',
    versions: [
      {
        version: 1,
        validFrom: '2024-01-01',
        appliesTo,
        rules: [
          {
            id: 'r',
            name: 'Receivable',
            ledger: 'RECEIVABLE',
            computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '10' },
          },
        ],
      },
    ],
  });

describe('scheme applicability', () => {
  it('pays only policies of the branches, insurers and product lines (by code) a version is limited to', () => {
    const s = limited({ branchIds: ['br-prague'], productLines: ['MTPL'] });
    const inPrague = computeCommissionLines({
      event: written(policy({ branchId: 'br-prague' })),
      schemes: [s],
    });
    expect(inPrague.map((l) => l.amount)).toEqual(['200.00']);
    expect(computeCommissionLines({ event: written(policy({ branchId: 'br-brno' })), schemes: [s] })).toEqual(
      [],
    );
    const otherLine = policy({ branchId: 'br-prague', productLineId: 'pl-casco', productLineCode: 'CASCO' });
    expect(computeCommissionLines({ event: written(otherLine), schemes: [s] })).toEqual([]);
    const s2 = limited({ insurerIds: ['ins-other'] });
    expect(computeCommissionLines({ event: written(policy()), schemes: [s2] })).toEqual([]);
  });

  it('finds overlaps only where dates and every dimension meet', () => {
    const v = (validFrom: string, validTo: string | undefined, appliesTo?: Record<string, string[]>) => ({
      validFrom,
      ...(validTo ? { validTo } : {}),
      ...(appliesTo ? { appliesTo } : {}),
    });
    expect(
      versionsOverlap(v('2026-01-01', undefined, { insurerIds: ['a'] }), v('2026-06-01', undefined)),
    ).toBe(true);
    expect(
      versionsOverlap(v('2026-01-01', '2026-06-01', { insurerIds: ['a'] }), v('2026-06-01', undefined)),
    ).toBe(false);
    expect(
      versionsOverlap(
        v('2026-01-01', undefined, { insurerIds: ['a'], productLines: ['MTPL'] }),
        v('2026-01-01', undefined, { insurerIds: ['a'], productLines: ['CASCO'] }),
      ),
    ).toBe(false);
    expect(
      versionsOverlap(
        v('2026-01-01', undefined, { branchIds: ['x'] }),
        v('2026-01-01', undefined, { insurerIds: ['a'] }),
      ),
    ).toBe(true);
  });
});
