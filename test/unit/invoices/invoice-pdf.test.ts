import { describe, expect, it } from 'vitest';
import { renderDunningLetterPdf, renderInvoicePdf } from '../../../functions/modules/invoices/invoice-pdf.js';
import { type Invoice, lineTotal, sumMoney } from '../../../functions/modules/invoices/invoices.model.js';
import { pdfText } from '../../support/invoices.js';

const eur = (amount: string) => ({ amount, currency: 'EUR' });

const SUPPLIER = {
  registeredName: 'Pojišťovací makléřství Řízení s.r.o.',
  address: { street: 'Náměstí Míru 1', city: 'Praha 2', postalCode: '120 00', country: 'CZ' },
  companyId: '12345678',
  vatId: 'CZ12345678',
  bankAccount: { iban: 'CZ6508000000192000145399', bic: 'GIBACZPX', bankName: 'Česká spořitelna' },
  taxNote: 'Osvobozeno od DPH podle § 51 zákona o DPH.',
};

function invoice(overrides: Partial<Invoice> = {}): Invoice {
  const lines = [
    { description: 'Broker fee', quantity: '3', unitPrice: eur('33.33') },
    { description: 'Premium MTPL-2026-0001 1/4', quantity: '1', unitPrice: eur('1215.00') },
  ].map((l) => ({ ...l, total: lineTotal(l.quantity, l.unitPrice) }));
  const total = sumMoney(
    lines.map((l) => l.total),
    'EUR',
  );
  return {
    id: 'inv-1',
    clientId: 'c-1',
    clientName: 'Jan Král',
    policyId: null,
    instalmentDueDate: null,
    number: '2026-000042',
    reference: '2026000042',
    currency: 'EUR',
    lines,
    total,
    paid: eur('0.00'),
    outstanding: total,
    outstandingMinor: 131499,
    issueDate: '2026-03-01',
    dueDate: '2026-03-31',
    status: 'ISSUED',
    branchId: 'b-1',
    regionId: null,
    advisorId: null,
    productLineId: null,
    insurerId: null,
    pdfKey: null,
    mailedAt: null,
    daysOverdue: 0,
    overdueAsOf: null,
    dunningStep: null,
    note: null,
    version: 1,
    createdAt: '2026-03-01T08:00:00.000Z',
    updatedAt: '2026-03-01T08:00:00.000Z',
    ...overrides,
  };
}

describe('the invoice PDF, read back by a PDF text extractor', () => {
  it('prints supplier, client address, a table, totals, tax note, bank account and reference with Czech letters intact (cs-CZ)', async () => {
    const bytes = await renderInvoicePdf(
      invoice(),
      { name: 'Demo Brokerage', locale: 'cs-CZ', supplier: SUPPLIER },
      {
        name: 'Jan Král',
        address: { street: 'Řízení 12', city: 'Brno', postalCode: '602 00', country: 'CZ' },
      },
    );
    if (process.env.INVOICE_PDF_OUT)
      (await import('node:fs')).writeFileSync(process.env.INVOICE_PDF_OUT, bytes);
    const text = await pdfText(bytes);
    const lines = text.split('\n');
    expect(lines).toContain('Pojišťovací makléřství Řízení s.r.o.');
    expect(lines).toContain('Faktura 2026-000042');
    expect(lines).toContain('Náměstí Míru 1');
    expect(lines).toContain('IČO: 12345678');
    expect(lines).toContain('DIČ: CZ12345678');
    expect(lines).toContain('Číslo: 2026-000042');
    expect(lines).toContain('Datum splatnosti: 31. 3. 2026');
    expect(lines).toContain('Variabilní symbol: 2026000042');
    expect(lines).toContain('Řízení 12');
    expect(lines).toContain('602 00 Brno');
    expect(lines).toContain('Popis Množství Cena za jednotku Částka');
    expect(lines).toContain('Broker fee 3 33,33 € 99,99 €');
    expect(lines).toContain('Premium MTPL-2026-0001 1/4 1 1 215,00 € 1 215,00 €');
    expect(lines).toContain('Celkem: 1 314,99 €');
    expect(lines).toContain('K úhradě: 1 314,99 €');
    expect(lines).toContain('Osvobozeno od DPH podle § 51 zákona o DPH.');
    expect(lines).toContain('CZ65 0800 0000 1920 0014 5399');
    expect(lines).toContain('QR platba');
    expect(text).not.toContain('Uhrazeno');
  });

  it('shows what was paid and what is still due after a partial payment (en)', async () => {
    const text = await pdfText(
      await renderInvoicePdf(invoice({ paid: eur('314.99'), outstanding: eur('1000.00') }), {
        name: 'Demo Brokerage',
        locale: 'en-GB',
      }),
    );
    const lines = text.split('\n');
    expect(lines).toContain('Total: €1,314.99');
    expect(lines).toContain('Paid: €314.99');
    expect(lines).toContain('Amount due: €1,000.00');
  });

  it('writes the formal letter with the invoice, its due date, the amount and the days overdue', async () => {
    const text = await pdfText(
      await renderDunningLetterPdf(
        invoice({ outstanding: eur('1314.99') }),
        { name: 'Demo Brokerage', locale: 'en-GB' },
        30,
        '2026-04-30',
      ),
    );
    expect(text).toContain('Formal notice of overdue payment');
    expect(text).toContain('Demo Brokerage');
    expect(text.replace(/\n/g, ' ')).toContain(
      'Invoice 2026-000042, due on 31 Mar 2026, is 30 days overdue. The amount of €1,314.99 remains unpaid.',
    );
  });

  it.each([
    ['pl-PL', 'Do zapłaty'],
    ['lt-LT', 'Mokėtina suma'],
    ['it-IT', 'Da pagare'],
    ['ru-RU', 'К оплате'],
  ])('labels the invoice in %s with its letters intact', async (locale, due) => {
    const text = await pdfText(
      await renderInvoicePdf(
        invoice(),
        { name: 'Demo Brokerage', locale, supplier: SUPPLIER },
        {
          name: 'Щербаков Łódź Šiauliai',
          address: null,
        },
      ),
    );
    expect(text).toContain(due);
    expect(text).toContain('Щербаков Łódź Šiauliai');
    expect(text).toContain('Pojišťovací makléřství Řízení s.r.o.');
  });
});
