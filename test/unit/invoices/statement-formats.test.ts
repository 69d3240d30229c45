import { describe, expect, it } from 'vitest';
import {
  creditorReference,
  findCreditorReference,
  findVariableSymbol,
  isCreditorReference,
} from '../../../functions/modules/invoices/statements/references.js';
import {
  detectStatementFormat,
  readStatement,
} from '../../../functions/modules/invoices/statements/statement-formats.js';
import { camt053, mt940 } from '../../support/bank-statements.js';

describe('ISO 11649 creditor references', () => {
  it('accepts the standard example and refuses a changed check digit', () => {
    expect(isCreditorReference('RF18 5390 0754 7034')).toBe(true);
    expect(isCreditorReference('RF18000000000539007547034')).toBe(true);
    expect(isCreditorReference('RF19 5390 0754 7034')).toBe(false);
    expect(isCreditorReference('RF18')).toBe(false);
  });

  it('builds check digits that verify, for letters too', () => {
    expect(creditorReference('539007547034')).toBe('RF18539007547034');
    expect(isCreditorReference(creditorReference('INV2026X17'))).toBe(true);
  });

  it('finds the body of a valid reference in free text, grouped or compact', () => {
    expect(findCreditorReference('Invoice RF18 5390 0754 7034 thanks')).toBe('539007547034');
    expect(findCreditorReference('ref RF18539007547034/x')).toBe('539007547034');
    expect(findCreditorReference('RF19 5390 0754 7034')).toBeNull();
    expect(findCreditorReference(null)).toBeNull();
  });
});

describe('Czech variable symbol', () => {
  it.each([
    ['VS 2026000002', '2026000002'],
    ['VS:0000123', '123'],
    ['/VS2026000002/SS/KS0308', '2026000002'],
    ['platba VS/77', '77'],
  ])('reads %s', (text, vs) => {
    expect(findVariableSymbol(text)).toBe(vs);
  });

  it('ignores VS inside a word and numbers longer than 10 digits', () => {
    expect(findVariableSymbol('DEVS 123')).toBeNull();
    expect(findVariableSymbol('VS 12345678901')).toBeNull();
  });
});

describe('statement formats', () => {
  const entries = [
    {
      date: '2026-03-12',
      amount: '100.00',
      creditorRef: 'RF18 5390 0754 7034',
      payer: 'Jana Nová',
      payerIban: 'AT611904300234573201',
    },
    { date: '2026-03-12', amount: '45.00', debit: true, remittance: 'rent' },
    {
      date: '2026-03-13',
      amount: '120.50',
      endToEndId: '/VS2026000002/SS/KS0308',
      customerRef: '2026000002',
    },
  ];

  it('detects each format from its text', () => {
    expect(detectStatementFormat(camt053(entries))).toBe('CAMT053');
    expect(detectStatementFormat(mt940(entries))).toBe('MT940');
    expect(detectStatementFormat(':20:REF\n:25:ACC')).toBe('MT940');
    expect(detectStatementFormat('date,amount,currency,reference\n')).toBe('CSV');
  });

  it('reads the credits of a camt.053 with exact amounts and their references', async () => {
    expect((await readStatement(camt053(entries), 'CAMT053', 'input.content')).records).toEqual([
      {
        date: '2026-03-12',
        amount: '100.00',
        currency: 'EUR',
        reference: 'RF18 5390 0754 7034',
        payer: 'Jana Nová',
        payeriban: 'AT611904300234573201',
        creditorref: '539007547034',
      },
      {
        date: '2026-03-13',
        amount: '120.50',
        currency: 'EUR',
        reference: '/VS2026000002/SS/KS0308',
        payer: 'Payer',
        payeriban: 'CZ6508000000192000145399',
        vs: '2026000002',
      },
    ]);
  });

  it('reads the credits of an MT940 with exact amounts and their references', async () => {
    expect((await readStatement(mt940(entries), 'MT940', 'input.content')).records).toEqual([
      {
        date: '2026-03-12',
        amount: '100.00',
        currency: 'EUR',
        reference: 'RF18 5390 0754 7034 /NAME/Jana Nová /IBAN/AT611904300234573201',
        payer: 'Jana Nová',
        payeriban: 'AT611904300234573201',
        creditorref: '539007547034',
      },
      { date: '2026-03-13', amount: '120.50', currency: 'EUR', reference: 'Payment', vs: '2026000002' },
    ]);
  });

  it('keeps three-decimal amounts exact where a float reader would round them', async () => {
    const rows = await readStatement(
      mt940([{ date: '2026-03-12', amount: '10.125' }]).replace('10,13', '10,125'),
      'MT940',
      'x',
    );
    expect(rows.records[0]?.amount).toBe('10.125');
  });

  it('identifies a statement by the bank’s ids, so a re-export with a new creation time is the same statement', async () => {
    const first = await readStatement(camt053(entries), 'CAMT053', 'x');
    const reexported = camt053(entries).replace(
      /<CreDtTm>[^<]*<\/CreDtTm>/g,
      '<CreDtTm>2026-12-01T07:00:00</CreDtTm>',
    );
    expect(first.identity).toBe('CAMT053|CZ6508000000192000145399|STMT-1|1');
    expect((await readStatement(reexported, 'CAMT053', 'x')).identity).toBe(first.identity);
    expect((await readStatement(mt940(entries), 'MT940', 'x')).identity).toBe(
      'MT940|CZ6508000000192000145399|STMT1|00012/001',
    );
    expect((await readStatement('date,amount\n', 'CSV', 'x')).identity).toBeNull();
  });

  it('refuses text that is not the format named, with the field path', async () => {
    await expect(readStatement(mt940(entries), 'CAMT053', 'input.content')).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'input.content' }],
    });
    await expect(
      readStatement('<Document><Other/></Document>', 'CAMT053', 'input.content'),
    ).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(readStatement(':20:X\n:61:bad', 'MT940', 'input.csv')).rejects.toMatchObject({
      fieldErrors: [{ path: 'input.csv' }],
    });
  });
});
