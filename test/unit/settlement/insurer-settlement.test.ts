import { describe, expect, it } from 'vitest';
import {
  allocate,
  type InsurerSettlement,
  monthsUpTo,
  periodsNamedIn,
} from '../../../functions/modules/settlement/insurer-settlement.model.js';
import { codesOf, insurerSettlementEntry } from '../../../functions/modules/settlement/journal.js';
import { DEFAULT_CHART } from '../../../functions/modules/settlement/journal.model.js';

const czk = (amount: string) => ({ amount, currency: 'CZK' });

describe('the months a payment reference names', () => {
  it.each([
    ['Provize 02/2026', ['2026-02']],
    ['commission 2026-03 and 2026/01', ['2026-03', '2026-01']],
    ['PROV 3.2026 + 03-2026', ['2026-03']],
    ['VS 1234567890 RF18539007547034', []],
    ['smlouva 12/20261', []],
    ['2026-13 is no month', []],
  ])('reads %j as %j', (text, periods) => {
    expect(periodsNamedIn(text)).toEqual(periods);
  });
});

describe('splitting a receipt over open months', () => {
  it('settles months in order up to what each lacks and leaves the excess unallocated', () => {
    expect(
      allocate('2500.00', [
        { period: '2026-01', open: '0' },
        { period: '2026-02', open: '1800.00' },
        { period: '2026-03', open: '-50.00' },
        { period: '2026-04', open: '600.00' },
      ]),
    ).toEqual({
      allocations: [
        { period: '2026-02', amount: '1800' },
        { period: '2026-04', amount: '600' },
      ],
      unallocated: '100',
    });
  });

  it('leaves a shortfall open in the month (nothing unallocated)', () => {
    expect(allocate('1700.00', [{ period: '2026-02', open: '1800.00' }])).toEqual({
      allocations: [{ period: '2026-02', amount: '1700' }],
      unallocated: '0',
    });
  });

  it('counts months back across a year boundary, oldest first', () => {
    expect(monthsUpTo('2026-02', 4)).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });
});

describe('the journal entry of commission settled', () => {
  const settlement: InsurerSettlement = {
    id: 'bank-abc-1',
    insurerId: 'ins1',
    receivedDate: '2026-03-20',
    amount: czk('2000.00'),
    allocations: [
      {
        period: '2026-02',
        amount: czk('1200.00'),
        receivable: czk('1800.00'),
        settledBefore: czk('600.00'),
        openAfter: czk('0.00'),
      },
      {
        period: '2026-03',
        amount: czk('700.00'),
        receivable: czk('900.00'),
        settledBefore: czk('0.00'),
        openAfter: czk('200.00'),
      },
    ],
    unallocated: czk('100.00'),
    explanation: 'explained',
    matchedBy: 'IBAN',
    importId: 'abc',
    row: 1,
    reference: 'Provize',
    payer: null,
    payerIban: null,
    recordedBy: 'u1',
    recordedAt: '2026-03-21T08:00:00.000Z',
    version: 1,
  };

  it('debits the bank, credits the receivable per month and suspense for the excess, balanced, with source ids', () => {
    const entry = insurerSettlementEntry(codesOf(DEFAULT_CHART), settlement);
    expect(entry.lines).toEqual([
      { account: '221', role: 'BANK', debit: '2000.00', credit: '0.00', currency: 'CZK' },
      { account: '315', role: 'COMMISSION_RECEIVABLE', debit: '0.00', credit: '1200.00', currency: 'CZK' },
      { account: '315', role: 'COMMISSION_RECEIVABLE', debit: '0.00', credit: '700.00', currency: 'CZK' },
      { account: '395', role: 'COMMISSION_SUSPENSE', debit: '0.00', credit: '100.00', currency: 'CZK' },
    ]);
    expect(entry).toMatchObject({ id: 'settled-bank-abc-1', date: '2026-03-20', kind: 'COMMISSION_SETTLED' });
    expect(entry.source).toEqual({
      type: 'InsurerSettlement',
      id: 'bank-abc-1',
      refs: {
        insurerId: 'ins1',
        periods: ['2026-02', '2026-03'],
        openAfter: ['2026-02:0.00', '2026-03:200.00'],
        unallocated: '100.00',
        importId: 'abc',
        row: '1',
      },
    });
  });

  it('books no suspense line when everything settled a month', () => {
    const entry = insurerSettlementEntry(codesOf(DEFAULT_CHART), {
      ...settlement,
      amount: czk('1900.00'),
      unallocated: czk('0.00'),
    });
    expect(entry.lines.map((l) => l.role)).toEqual([
      'BANK',
      'COMMISSION_RECEIVABLE',
      'COMMISSION_RECEIVABLE',
    ]);
  });
});
