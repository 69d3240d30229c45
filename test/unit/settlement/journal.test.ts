import { describe, expect, it } from 'vitest';
import { bookingDate, codesOf, paymentEntry } from '../../../functions/modules/settlement/journal.js';
import { DEFAULT_CHART } from '../../../functions/modules/settlement/journal.model.js';

const codes = codesOf(DEFAULT_CHART);
const eur = (amount: string) => ({ amount, currency: 'EUR' });

describe('journal entries', () => {
  it('books an overpayment to the bank, the receivable and the client credit, balanced', () => {
    const entry = paymentEntry(codes, {
      id: 'p1',
      invoiceId: 'i1',
      clientId: 'c1',
      amount: eur('250.00'),
      applied: eur('200.00'),
      credited: eur('50.00'),
      paidDate: '2026-03-12',
    });
    expect(entry?.lines).toEqual([
      { account: '221', role: 'BANK', debit: '250.00', credit: '0.00', currency: 'EUR' },
      { account: '311', role: 'CLIENT_RECEIVABLES', debit: '0.00', credit: '200.00', currency: 'EUR' },
      { account: '324', role: 'CLIENT_CREDIT', debit: '0.00', credit: '50.00', currency: 'EUR' },
    ]);
    expect(entry?.source).toEqual({ type: 'Payment', id: 'p1', refs: { invoiceId: 'i1', clientId: 'c1' } });
  });

  it('reverses the sides of a reversal so every figure stays positive', () => {
    const entry = paymentEntry(codes, {
      id: 'p2',
      invoiceId: 'i1',
      clientId: 'c1',
      amount: eur('-100.00'),
      applied: eur('-100.00'),
      credited: eur('0.00'),
      paidDate: '2026-03-13',
    });
    expect(entry?.kind).toBe('PAYMENT_REVERSED');
    expect(entry?.lines).toEqual([
      { account: '221', role: 'BANK', debit: '0.00', credit: '100.00', currency: 'EUR' },
      { account: '311', role: 'CLIENT_RECEIVABLES', debit: '100.00', credit: '0.00', currency: 'EUR' },
    ]);
  });

  it('books a line within its commission month', () => {
    expect(bookingDate({ period: '2026-02', createdAt: '2026-02-14T10:00:00Z' })).toBe('2026-02-14');
    expect(bookingDate({ period: '2026-02', createdAt: '2026-11-30T10:00:00Z' })).toBe('2026-02-28');
    expect(bookingDate({ period: '2028-02', createdAt: '2026-11-30T10:00:00Z' })).toBe('2028-02-01');
  });
});
