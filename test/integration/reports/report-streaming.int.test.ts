import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createReportsModule,
  type ReportJob,
  type ReportLists,
} from '../../../functions/modules/reports/index.js';
import { reportDirectory, reportLists } from '../../../functions/modules/reports-wiring.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { ForbiddenError } from '../../../functions/shared/errors.js';
import { Dec } from '../../../functions/shared/money.js';
import { keys } from '../../../functions/shared/table-design.js';
import { loadExcelJs } from '../../../functions/shared/tabular-file.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';
import { ledgerLine, ledgerLineItem } from '../../support/commission-lines.js';
import { changeOf } from '../../support/invoices.js';

/**
 * Streamed list reports over DynamoDB Local: a few hundred ledger lines read in small pages, each
 * page written into the XLSX or CSV as it arrives and the file into the object store's streaming
 * put; read back with ExcelJS and csv-parse.
 */
const app = createTestApp();
const BUCKET = 'test-reports';
const PERIOD = '2026-03';
const LINES = 250;
const PAGE = 40;
let b: Brokerage;
let expected: Array<{ amount: string; currency: string }>;
const CLIENTS = ['Řízení', 'Łódź', 'Щербаков'];

function reportsModule(lists: ReportLists = reportLists(app.services)) {
  return createReportsModule({
    db: app.db,
    clock: systemClock,
    lists,
    directory: reportDirectory(app.services.repositories.org),
    bucket: { store: app.objects, bucket: BUCKET },
    pageRows: PAGE,
  });
}

/** Requests a job as `as`, delivers its INSERT as the bus would, and reads the job back. */
async function build(
  as: Brokerage['as'][keyof Brokerage['as']],
  input: Record<string, unknown>,
  module = reportsModule(),
): Promise<ReportJob> {
  const queued = await app.services.reports.jobs.requestReport(as, input);
  await module.jobs.onChange(
    await changeOf(app, as.tenantId, keys.reportJob(as.tenantId, queued.id), 'INSERT'),
  );
  return module.jobs.getJob(as, queued.id);
}

function fileOf(job: ReportJob): Uint8Array {
  const body = app.objects.objects.get(`${BUCKET}/${job.objectKey}`)?.body;
  if (!body || typeof body === 'string') throw new Error(`no file at ${job.objectKey}`);
  return body;
}

/** The first sheet of a job's XLSX, read back by ExcelJS's in-memory reader. */
async function sheetOf(job: ReportJob) {
  const Excel = await loadExcelJs();
  const book = new Excel.Workbook();
  await book.xlsx.load(Buffer.from(fileOf(job)) as never);
  const sheet = book.worksheets[0];
  if (!sheet) throw new Error('no sheet');
  return sheet;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Streaming Brokerage');
  const spread = {
    period: PERIOD,
    advisorIds: [b.advisorId, b.subAgentId],
    insurerIds: [b.insurerId, b.otherInsurerId],
    currencies: ['CZK', 'EUR'],
  };
  const lines = Array.from({ length: LINES }, (_, n) => ledgerLine(n, spread));
  // One line explains itself with a comma, quotes and a line break: CSV must quote it.
  const odd = lines[7];
  if (odd) odd.reason = 'agreed with "Řízení", Łódź\nsecond line';
  await app.db.batchWrite(lines.map((l) => ledgerLineItem(b.tenantId, l)));
  for (const lastName of CLIENTS)
    await app.services.clients.records.createClient(
      b.as.advisor,
      personInput({ firstName: 'Iva', lastName }),
    );
  expected = lines.map((l) => ({ amount: l.amount, currency: l.currency }));
});

describe('streamed list reports', () => {
  it('streams 250 commission lines in pages of 40 into an XLSX that reads back typed, frozen, filtered and totalled', async () => {
    const job = await build(b.as.admin, {
      type: 'COMMISSION_LINES',
      format: 'XLSX',
      period: PERIOD,
      locale: 'en',
    });
    expect(job).toMatchObject({ status: 'READY', progress: 100, rows: LINES, error: null });
    const sheet = await sheetOf(job);
    expect(sheet.name).toBe('Commission lines');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe(`A1:H${LINES + 1}`);
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([
      'Period',
      'Recipient',
      'Kind',
      'Policy no.',
      'Insurer',
      'Rule',
      'Explanation',
      'Amount',
    ]);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    // Header, 250 data rows, one totals row per currency.
    expect(sheet.rowCount).toBe(1 + LINES + 2);
    const amounts = [];
    for (let r = 2; r <= LINES + 1; r++) {
      const amount = sheet.getRow(r).getCell(8);
      expect(typeof amount.value).toBe('number');
      amounts.push(amount.value);
    }
    expect(amounts).toEqual(expect.arrayContaining(expected.slice(0, 5).map((e) => Number(e.amount))));
    const row2 = sheet.getRow(2);
    expect(row2.getCell(8).numFmt).toMatch(/"(CZK|EUR)"/);
    expect(['Adam Advisor', 'Sara Subagent']).toContain(row2.getCell(2).value);
    expect(row2.getCell(5).value).not.toBe(b.insurerId);
    const sum = (currency: string) =>
      expected
        .filter((e) => e.currency === currency)
        .reduce((acc, e) => acc.plus(e.amount), new Dec(0))
        .toNumber();
    const totals = [sheet.getRow(LINES + 2), sheet.getRow(LINES + 3)];
    expect(totals.map((t) => [t.getCell(1).value, t.getCell(8).value])).toEqual([
      ['Total', sum('CZK')],
      ['Total', sum('EUR')],
    ]);
    expect(totals[0]?.getCell(8).numFmt).toContain('"CZK"');
    expect(totals[0]?.font?.bold).toBe(true);
  });

  it('streams the clients list with dates as dates and names in every script', async () => {
    const job = await build(b.as.advisor, { type: 'CLIENTS', format: 'XLSX', locale: 'en' });
    expect(job).toMatchObject({ status: 'READY', rows: CLIENTS.length });
    const sheet = await sheetOf(job);
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const created = sheet.getRow(2).getCell(header.indexOf('Created') + 1);
    expect(sheet.rowCount).toBe(1 + CLIENTS.length);
    expect(created?.value).toBeInstanceOf(Date);
    expect(created?.numFmt).toBe('yyyy-mm-dd');
    const names = [2, 3, 4].map((r) => sheet.getRow(r).getCell(1).value);
    expect(names).toEqual(expect.arrayContaining(CLIENTS.map((n) => `${n} Iva`)));
  });

  it('streams the lines as RFC 4180 UTF-8 CSV with exact amounts, names and a quoted multi-line field', async () => {
    const job = await build(b.as.admin, {
      type: 'COMMISSION_LINES',
      format: 'CSV',
      period: PERIOD,
      locale: 'en',
    });
    expect(job).toMatchObject({ status: 'READY', rows: LINES });
    const bytes = fileOf(job);
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes).slice(1);
    expect(text.split('\r\n')[0]).toBe(
      'Period,Recipient,Kind,Policy no.,Insurer,Rule,Explanation,Amount,Amount (currency)',
    );
    expect(text).toContain('— agreed with ""Řízení"", Łódź\nsecond line",');
    const records = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(LINES);
    expect(
      records.map((r) => ({ amount: r.Amount, currency: r['Amount (currency)'] })).sort(byAmount),
    ).toEqual([...expected].sort(byAmount));
    expect(
      records.filter((r) => r.Explanation?.endsWith('agreed with "Řízení", Łódź\nsecond line')),
    ).toHaveLength(1);
    expect(new Set(records.map((r) => r.Recipient))).toEqual(new Set(['Adam Advisor', 'Sara Subagent']));
  });

  it('FAILS a job whose list refuses a page midway and stores no file', async () => {
    const lists = reportLists(app.services);
    let pages = 0;
    const refusing: ReportLists = {
      ...lists,
      commissionLines: async (p, filter, page) => {
        if (++pages === 3) throw new ForbiddenError('The requester lost the right midway');
        return lists.commissionLines(p, filter, page);
      },
    };
    const before = app.objects.objects.size;
    const job = await build(
      b.as.admin,
      { type: 'COMMISSION_LINES', format: 'XLSX', period: PERIOD },
      reportsModule(refusing),
    );
    expect(job).toMatchObject({ status: 'FAILED', objectKey: null });
    expect(job.error).toContain('lost the right');
    expect(app.objects.objects.size).toBe(before);
  });
});

function byAmount(a: { amount?: string; currency?: string }, b: { amount?: string; currency?: string }) {
  return `${a.currency}${a.amount}`.localeCompare(`${b.currency}${b.amount}`);
}
