import { describe, expect, it } from 'vitest';
import { paymentImage, policyImage } from '../../../functions/modules/commissions/change-images.js';
import { ChangeImageError } from '../../../functions/shared/change-image.js';

/** A policy item as the stream delivers it: the fields settlement reads, plus keys and others. */
const image = (): Record<string, unknown> => ({
  pk: 'T#t1#CLIENT#c1',
  sk: 'POLICY#p1',
  type: 'Policy',
  id: 'p1',
  clientId: 'c1',
  insurerId: 'i1',
  productLineId: 'pl1',
  productLineCode: 'MTPL',
  policyNumber: 'MTPL-1',
  premium: { amount: '1200.00', currency: 'EUR' },
  writtenDate: '2026-03-01',
  termStart: '2026-03-01',
  termEnd: '2027-02-28',
  status: 'ACTIVE',
  cancellation: null,
  businessType: 'NEW',
  renewalYear: 1,
  sellerId: 'u1',
  originatorId: null,
  servicingAdvisorId: 'u1',
  referringPartnerId: null,
  branchId: 'b1',
  branchKind: 'OWN',
  regionId: 'r1',
  hierarchy: [{ level: 0, userId: 'u1', active: true, rateGroupId: null, name: 'Adam' }],
  statusHistory: [{ date: '2026-03-01', status: 'ACTIVE' }],
  endorsements: [],
  version: 1,
  updatedAt: '2026-03-01T10:00:00.000Z',
});

describe('change images at the ledger consumer edge', () => {
  it('reads a stored policy image and keeps the attributes it does not name', () => {
    const policy = policyImage(image());
    expect(policy.premium).toEqual({ amount: '1200.00', currency: 'EUR' });
    expect(policy.hierarchy[0]).toMatchObject({ userId: 'u1', name: 'Adam' });
    expect((policy as unknown as Record<string, unknown>).pk).toBe('T#t1#CLIENT#c1');
  });

  it('refuses a policy image without a premium or with a malformed date, naming the fields', () => {
    const { premium: _, ...withoutPremium } = image();
    expect(() => policyImage(withoutPremium)).toThrow(ChangeImageError);
    expect(() => policyImage(withoutPremium)).toThrow(/premium/);
    expect(() => policyImage({ ...image(), termEnd: '28.2.2027' })).toThrow(
      /termEnd: must be a YYYY-MM-DD date/,
    );
    expect(() => policyImage({ ...image(), premium: { amount: 1200, currency: 'EUR' } })).toThrow(
      /premium\.amount/,
    );
  });

  it('reads a payment image and refuses one whose applied amount is missing', () => {
    const payment = {
      id: 'pay1',
      policyId: 'p1',
      applied: { amount: '100.00', currency: 'EUR' },
      paidDate: '2026-03-02',
    };
    expect(paymentImage(payment)).toMatchObject({ id: 'pay1', applied: { amount: '100.00' } });
    expect(() => paymentImage({ ...payment, applied: undefined })).toThrow(
      /Payment image cannot be read: applied/,
    );
  });
});
