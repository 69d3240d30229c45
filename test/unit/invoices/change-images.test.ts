import { describe, expect, it } from 'vitest';
import { importJobImage } from '../../../functions/modules/imports/change-images.js';
import { insurerPaymentImage, invoiceImage } from '../../../functions/modules/invoices/change-images.js';
import { ChangeImageError } from '../../../functions/shared/change-image.js';

describe('bus images of the debtors and imports consumers', () => {
  it('reads an invoice image and keeps the fields dunning acts on', () => {
    const image = {
      pk: 'T#t#CLIENT#c1',
      sk: 'INVOICE#i1',
      id: 'i1',
      clientId: 'c1',
      status: 'OVERDUE',
      other: 1,
    };
    expect(invoiceImage(image)).toMatchObject({ id: 'i1', clientId: 'c1', status: 'OVERDUE' });
  });

  it('names the field at fault of an invoice image with an unknown status or no client', () => {
    expect(() => invoiceImage({ id: 'i1', clientId: 'c1', status: 'LOST' })).toThrow(/status/);
    expect(() => invoiceImage({ id: 'i1', status: 'OVERDUE' })).toThrow(ChangeImageError);
    expect(() => invoiceImage({ id: 'i1', status: 'OVERDUE' })).toThrow(/clientId/);
  });

  it('reads an insurer premium payment and refuses one whose amount is not a decimal string', () => {
    const paid = {
      policyId: 'p1',
      policyNumber: 'PL-1',
      amount: { amount: '120.50', currency: 'EUR' },
      paidDate: '2026-11-02',
      reference: null,
    };
    expect(insurerPaymentImage(paid).amount).toEqual({ amount: '120.50', currency: 'EUR' });
    expect(() => insurerPaymentImage({ ...paid, amount: { amount: 120.5, currency: 'EUR' } })).toThrow(
      /amount\.amount/,
    );
    expect(() => insurerPaymentImage({ ...paid, paidDate: '02.11.2026' })).toThrow(/paidDate/);
  });

  it('reads the job id of an import job image, and refuses an image without one', () => {
    expect(importJobImage({ id: 'job-1', status: 'RUNNING' })).toEqual({ id: 'job-1', status: 'RUNNING' });
    expect(() => importJobImage({ status: 'RUNNING' })).toThrow(/ImportJob image cannot be read: id/);
  });
});
