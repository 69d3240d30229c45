import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCsv } from '../../../functions/modules/reports/render-csv.js';
import { renderPdf } from '../../../functions/modules/reports/render-pdf.js';
import type { ReportDocument } from '../../../functions/modules/reports/report-document.js';
import { ReportFormatter } from '../../../functions/modules/reports/report-format.js';
import { MESSAGE_KEYS, messageText, translator } from '../../../functions/modules/reports/report-messages.js';
import { REPORT_LANGUAGES } from '../../../functions/modules/reports/reports.model.js';
import { pdfText } from '../../support/invoices.js';

const doc = (rows: number): ReportDocument => ({
  title: 'Klienti',
  subtitle: ['Období: 2026-01'],
  summary: [],
  tables: [
    {
      title: null,
      columns: [
        { key: 'name', label: 'Jméno', type: 'text', width: 2 },
        { key: 'note', label: 'Poznámka', type: 'text', width: 2 },
        { key: 'amount', label: 'Částka', type: 'money' },
      ],
      rows: Array.from({ length: rows }, (_, i) => ({
        name: `Řízení ${i + 1}`,
        note: i === 0 ? 'says "hi", then\nleaves' : '=SUM(A1)',
        amount: { amount: '1234.50', currency: 'CZK' },
      })),
      totals: [{ __label: 'Celkem', amount: { amount: String(1234.5 * rows), currency: 'CZK' } }],
    },
  ],
});

describe('report files', () => {
  it('writes CSV per RFC 4180: CRLF, quoted quotes and line breaks, formulas neutralised, money exact with its currency', () => {
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(renderCsv(doc(2)));
    expect(text.split('\r\n')).toEqual([
      '\uFEFFJméno,Poznámka,Částka,Částka (currency)',
      'Řízení 1,"says ""hi"", then\nleaves",1234.50,CZK',
      "Řízení 2,'=SUM(A1),1234.50,CZK",
      '',
    ]);
  });

  it('breaks a long table over pages, repeating its header, with the tenant and "page n of m" on every page', async () => {
    const t = translator('cs');
    const bytes = await renderPdf(doc(120), {
      tenantName: 'Brokeři Łódź',
      formatter: new ReportFormatter('cs'),
      t,
      generated: t('generated', { date: '30. 11. 2026' }),
    });
    if (process.env.REPORT_PDF_OUT) writeFileSync(process.env.REPORT_PDF_OUT, bytes);
    const pages = (await pdfText(bytes)).split(/Strana \d+ z \d+/).filter((p) => p.trim());
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const text = await pdfText(bytes);
    const last = pages.length;
    for (let n = 1; n <= last; n++) expect(text).toContain(`Strana ${n} z ${last}`);
    for (const page of pages) {
      expect(page).toContain('Brokeři Łódź');
      expect(page).toContain('Jméno Poznámka Částka');
    }
    expect(text).toContain('Řízení 120');
    expect(text).toContain('148 140,00 Kč');
  });

  it('has every message in every language, and formats plurals by the language’s rules', () => {
    for (const language of REPORT_LANGUAGES)
      for (const key of MESSAGE_KEYS) expect(messageText(language, key), `${language} ${key}`).toMatch(/\S/);
    expect(translator('cs')('rows', { count: 3 })).toBe('3 řádky');
    expect(translator('cs')('rows', { count: 5 })).toBe('5 řádků');
    expect(translator('ru')('rows', { count: 21 })).toBe('21 строка');
    expect(translator('pl')('rows', { count: 22 })).toBe('22 wiersze');
  });

  it('formats money and decimals exactly through Intl in each locale', () => {
    const m = { amount: '12345678901234.56', currency: 'EUR' };
    expect(new ReportFormatter('en').cell(m, 'money')).toBe('€12,345,678,901,234.56');
    expect(
      new ReportFormatter('cs').cell({ amount: '1234.5', currency: 'CZK' }, 'money').replace(/\s/g, ' '),
    ).toBe('1 234,50 Kč');
    expect(new ReportFormatter('it').cell('2026-01-10', 'date')).toBe('10 gen 2026');
    // A decimal column (leads per day) keeps its exact two places, in the locale's separator.
    expect(new ReportFormatter('cs').cell('1.33', 'decimal')).toBe('1,33');
    expect(new ReportFormatter('en').cell('1234.5', 'decimal')).toBe('1,234.50');
  });
});
