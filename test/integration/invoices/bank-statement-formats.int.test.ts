import { beforeAll, describe, expect, it } from 'vitest';
import { creditorReference } from '../../../functions/modules/invoices/statements/references.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { camt053, mt940 } from '../../support/bank-statements.js';
import { type Brokerage, createBrokerage, fieldPaths, personInput } from '../../support/brokerage.js';
import { execWith, type InvoiceHarness, invoiceHarness, runImportJob } from '../../support/invoices.js';

const clock = new FixedClock(new Date('2026-03-10T09:00:00Z'));
const app = createTestApp(clock);
let b: Brokerage;
let h: InvoiceHarness;

/** An issued invoice of a new client for `amount` EUR: its id and payment reference (the number's digits). */
async function issued(amount: string): Promise<{ id: string; reference: string }> {
  const client = await h.services.clients.records.createClient(b.as.advisor, personInput());
  const draft = await h.services.invoices.invoices.createInvoice(b.as.advisor, {
    clientId: client.id,
    currency: 'EUR',
    lines: [{ description: 'Broker fee', unitPrice: amount }],
    dueDate: '2026-03-31',
  });
  const invoice = await h.services.invoices.invoices.issueInvoice(b.as.backoffice, { id: draft.id });
  return { id: invoice.id, reference: invoice.reference as string };
}

const IMPORT = `mutation($i: ImportBankStatementInput!) { importBankStatement(input: $i) {
  format matched unmatched duplicates rows { row outcome invoiceId reason } } }`;
type Imported = {
  importBankStatement: {
    format: string;
    matched: number;
    unmatched: number;
    duplicates: number;
    rows: Array<{ row: number; outcome: string; invoiceId: string | null; reason: string | null }>;
  };
};
const importStatement = (input: Record<string, unknown>) =>
  execWith<Imported>(app, h.services, b.as.backoffice, IMPORT, { i: input });

beforeAll(async () => {
  b = await createBrokerage(app, 'Statement Formats');
  h = invoiceHarness(app, clock);
});

describe('bank statements in the banks’ formats', () => {
  it('matches a camt.053 by RF creditor reference and variable symbol, leaves debits out, and re-imports as duplicates', async () => {
    const [byRf, byVs] = [await issued('100.00'), await issued('300.00')];
    const xml = camt053([
      { date: '2026-03-11', amount: '100.00', creditorRef: creditorReference(byRf.reference), payer: 'Jana' },
      { date: '2026-03-11', amount: '45.00', debit: true, remittance: 'office rent' },
      { date: '2026-03-12', amount: '120.50', endToEndId: `/VS${byVs.reference}/SS/KS0308` },
      { date: '2026-03-12', amount: '9.99', remittance: 'no idea', endToEndId: 'E2E-1' },
    ]);
    const first = await importStatement({ content: xml });
    expect(first.errors).toBeUndefined();
    expect(first.data?.importBankStatement).toMatchObject({ format: 'CAMT053', matched: 2, unmatched: 1 });
    expect(first.data?.importBankStatement.rows).toEqual([
      { row: 1, outcome: 'MATCHED', invoiceId: byRf.id, reason: null },
      { row: 2, outcome: 'PARTIAL', invoiceId: byVs.id, reason: null },
      { row: 3, outcome: 'UNMATCHED', invoiceId: null, reason: 'NO_MATCH' },
    ]);
    // The bank exports the statement again: a new creation time, and longer than any other String
    // argument may be (statement content has its own bound). Same statement ids: every row a duplicate.
    const reexported = xml
      .replace(/<CreDtTm>[^<]*<\/CreDtTm>/g, '<CreDtTm>2026-03-13T07:00:00</CreDtTm>')
      .replace('<BkToCstmrStmt>', `<!-- ${'x'.repeat(25_000)} --><BkToCstmrStmt>`);
    const again = await importStatement({ content: reexported, format: 'CAMT053' });
    expect(again.data?.importBankStatement).toMatchObject({ matched: 0, unmatched: 0, duplicates: 3 });
    const outstanding = await h.services.invoices.invoices.getInvoice(b.as.backoffice, byVs.id);
    expect(outstanding).toMatchObject({ status: 'PARTIALLY_PAID', outstanding: { amount: '179.50' } });
  });

  it('matches an MT940 by RF in :86:, VS in :86: and VS as the :61: customer reference, and re-imports as duplicates', async () => {
    const [byRf, byVsText, byVsRef] = [await issued('80.00'), await issued('60.00'), await issued('40.00')];
    const text = mt940([
      { date: '2026-03-12', amount: '80.00', creditorRef: creditorReference(byRf.reference), payer: 'Petr' },
      { date: '2026-03-12', amount: '60.00', remittance: `Platba faktury VS:${byVsText.reference}` },
      { date: '2026-03-13', amount: '15.00', debit: true, remittance: 'fees' },
      { date: '2026-03-13', amount: '40.00', customerRef: byVsRef.reference },
    ]);
    const first = await importStatement({ content: text });
    expect(first.errors).toBeUndefined();
    expect(first.data?.importBankStatement.format).toBe('MT940');
    expect(first.data?.importBankStatement.rows.map((r) => [r.outcome, r.invoiceId])).toEqual([
      ['MATCHED', byRf.id],
      ['MATCHED', byVsText.id],
      ['MATCHED', byVsRef.id],
    ]);
    const payments = await h.services.invoices.payments.paymentsOfInvoice(b.as.backoffice, byRf.id);
    expect(payments[0]).toMatchObject({
      amount: { amount: '80.00', currency: 'EUR' },
      paidDate: '2026-03-12',
    });
    const again = await importStatement({ content: text });
    expect(again.data?.importBankStatement.rows.map((r) => r.outcome)).toEqual(Array(3).fill('DUPLICATE'));
  });

  it('runs an MT940 statement as an import job with the same matching', async () => {
    const invoice = await issued('70.00');
    const text = mt940([{ date: '2026-03-14', amount: '70.00', remittance: `VS ${invoice.reference}` }], {
      id: 'JOB940',
    });
    const job = await app.services.imports.jobs.startBankStatementImport(b.as.backoffice, { content: text });
    expect(job.rowsTotal).toBe(1);
    const jobs = h.services.imports.jobs;
    await runImportJob(app, jobs, b.tenantId, job.id);
    expect(await jobs.getJob(b.as.backoffice, job.id)).toMatchObject({
      status: 'SUCCEEDED',
      counts: { MATCHED: 1 },
    });
    expect(await h.services.invoices.invoices.getInvoice(b.as.backoffice, invoice.id)).toMatchObject({
      status: 'PAID',
    });
  });

  it('refuses a statement that is not the format named, or given twice, with field paths and writes nothing', async () => {
    const wrong = await importStatement({
      content: mt940([{ date: '2026-03-12', amount: '1.00' }]),
      format: 'CAMT053',
    });
    expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(wrong)).toEqual(['input.content']);
    const both = await importStatement({ content: 'date,amount\n', csv: 'date,amount\n' });
    expect(fieldPaths(both)).toEqual(['input.content']);
    const none = await importStatement({ format: 'CSV' });
    expect(fieldPaths(none)).toEqual(['input.content']);
  });
});
