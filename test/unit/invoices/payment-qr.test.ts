import { describe, expect, it } from 'vitest';
import { epcPayload, paymentQrPayload, spdPayload } from '../../../functions/modules/invoices/payment-qr.js';
import { isIban } from '../../../functions/modules/org/org.model.js';

const order = {
  iban: 'CZ6508000000192000145399',
  bic: 'GIBACZPX',
  beneficiary: 'Pojišťovací makléřství Řízení s.r.o.',
  reference: '2026000042',
  message: 'Faktura 2026-000042',
};

describe('payment QR payloads', () => {
  it('writes the EPC069-12 SEPA credit transfer lines for a euro invoice', () => {
    const payload = epcPayload({
      ...order,
      iban: 'DE89370400440532013000',
      bic: 'COBADEFFXXX',
      amount: { amount: '1314.99', currency: 'EUR' },
    });
    expect(payload.split('\n')).toEqual([
      'BCD',
      '002',
      '1',
      'SCT',
      'COBADEFFXXX',
      'Pojišťovací makléřství Řízení s.r.o.',
      'DE89370400440532013000',
      'EUR1314.99',
      '',
      '',
      '2026000042',
      'Faktura 2026-000042',
    ]);
  });

  it('writes the Czech SPD 1.0 string with account, amount, currency, variable symbol and message for a CZK invoice', () => {
    expect(
      spdPayload({
        ...order,
        amount: { amount: '1215.00', currency: 'CZK' },
        message: 'Faktura *2026-000042',
      }),
    ).toBe(
      'SPD*1.0*ACC:CZ6508000000192000145399+GIBACZPX*AM:1215.00*CC:CZK*X-VS:2026000042*MSG:Faktura 2026-000042',
    );
  });

  it('picks EPC for euros, SPD for crowns and none for other currencies', () => {
    expect(paymentQrPayload({ ...order, amount: { amount: '1.00', currency: 'EUR' } })).toMatch(/^BCD\n/);
    expect(paymentQrPayload({ ...order, amount: { amount: '1.00', currency: 'CZK' } })).toMatch(
      /^SPD\*1\.0\*/,
    );
    expect(paymentQrPayload({ ...order, amount: { amount: '1.00', currency: 'PLN' } })).toBeNull();
  });

  it('accepts IBANs whose check digits hold and refuses a mistyped one', () => {
    expect(isIban('CZ6508000000192000145399')).toBe(true);
    expect(isIban('DE89370400440532013000')).toBe(true);
    expect(isIban('DE89370400440532013001')).toBe(false);
    expect(isIban('not an iban')).toBe(false);
  });
});
