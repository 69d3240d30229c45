import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import {
  type PayoutFileInput,
  pain001Xml,
  payoutCsv,
  sepaText,
} from '../../../functions/modules/settlement/pain001.js';

const XSD = readFileSync(new URL('../../fixtures/iso20022/pain.001.001.03.xsd', import.meta.url), 'utf8');
const validate = (xml: string) =>
  validateXML({
    xml: [{ fileName: 'payout.xml', contents: xml }],
    schema: [{ fileName: 'pain.001.001.03.xsd', contents: XSD }],
  });

const input: PayoutFileInput = {
  messageId: 'PAYOUT-2026-03-ADVISOR',
  createdAt: '2026-04-01T08:00:00.000Z',
  executionDate: '2026-04-05',
  debtor: { name: 'Demo Brokerage s.r.o.', iban: 'CZ6508000000192000145399', bic: null },
  remittance: 'Commission 2026-03',
  total: { amount: '1000.50', currency: 'EUR' },
  payments: [
    {
      payoutId: '2026-03.ADVISOR',
      recipient: { kind: 'USER', id: 'u1' },
      name: 'Marek Manažer & syn',
      iban: 'DE89370400440532013000',
      bic: 'COBADEFFXXX',
      amount: { amount: '1000.00', currency: 'EUR' },
      earned: { amount: '1000.00', currency: 'EUR' },
      carriedIn: null,
      endToEndId: 'CP202603A00001',
      lineIds: ['l1'],
    },
    {
      payoutId: '2026-03.ADVISOR',
      recipient: { kind: 'PARTNER', id: 'p1' },
      name: '=cmd',
      iban: 'AT611904300234573201',
      bic: null,
      amount: { amount: '0.50', currency: 'EUR' },
      earned: { amount: '0.50', currency: 'EUR' },
      carriedIn: null,
      endToEndId: 'CP202603A00002',
      lineIds: ['l2'],
    },
  ],
};

describe('pain.001.001.03 payout files', () => {
  it('validates against the schema, with the control sum of its transfers', async () => {
    const xml = pain001Xml(input);
    expect(await validate(xml)).toMatchObject({ valid: true, errors: [] });
    expect(xml).toContain('<CtrlSum>1000.50</CtrlSum>');
    expect(xml).toContain('<Nm>Marek Manazer syn</Nm>');
  });

  it('is refused by the schema when an element is out of order or a BIC is malformed', async () => {
    const swapped = pain001Xml(input)
      .replace('<ChrgBr>SLEV</ChrgBr>', '')
      .replace('<PmtMtd>TRF</PmtMtd>', '<PmtMtd>TRF</PmtMtd><ChrgBr>SLEV</ChrgBr>');
    expect((await validate(swapped)).valid).toBe(false);
    const badBic = pain001Xml({ ...input, payments: input.payments.map((p) => ({ ...p, bic: 'cobadeff' })) });
    expect((await validate(badBic)).valid).toBe(false);
  });

  it('writes text in the SEPA character set and neutralises formula cells in the CSV', async () => {
    expect(sepaText('Žluťoučký kůň <a@b>', 140)).toBe('Zlutoucky kun a b');
    const csv = await payoutCsv(input);
    expect(csv).toContain("'=cmd");
    expect(csv.trim().split('\n')).toHaveLength(3);
  });
});
