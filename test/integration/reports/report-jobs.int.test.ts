import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../../functions/modules/policies/index.js';
import {
  createReportsModule,
  type ReportJob,
  type ReportLists,
} from '../../../functions/modules/reports/index.js';
import { reportDirectory, reportLists } from '../../../functions/modules/reports-wiring.js';
import { FixedClock, systemClock } from '../../../functions/shared/clock.js';
import { keys } from '../../../functions/shared/table-design.js';
import { loadExcelJs } from '../../../functions/shared/tabular-file.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';
import { changeOf, pdfText } from '../../support/invoices.js';
import {
  CREATE_SCHEME,
  mtplSchemeInput,
  must,
  policyChange,
  writeMtplPolicy,
} from '../commissions/commission-fixtures.js';
import { referredPolicyWithLines } from './report-fixtures.js';

/**
 * Report jobs over DynamoDB Local: requested through GraphQL, built by the reports module as the
 * reports function does on the job's INSERT, read back through GraphQL with a signed link.
 */
const app = createTestApp();
const BUCKET = 'test-reports';
let b: Brokerage;

const REQUEST = `mutation($i: RequestReportInput!) { requestReport(input: $i) { id status progress rows } }`;
const JOB = `query($id: ID!) { reportJob(id: $id) { id type format status progress rows url expiresAt fileName error locale } }`;

type JobView = Pick<ReportJob, 'id' | 'status' | 'progress' | 'rows' | 'fileName' | 'error' | 'locale'> & {
  url: string | null;
  expiresAt: string | null;
};

/** The reports module as the reports function builds it, over lists that record the job between pages. */
function reportsModule(options: { pageRows?: number; clock?: FixedClock; seen?: JobView[] } = {}) {
  const lists = reportLists(app.services);
  const watched: ReportLists = options.seen
    ? (Object.fromEntries(
        Object.entries(lists).map(([name, list]) => [
          name,
          async (p: never, a: never, c: never, d?: never) => {
            const seen = options.seen as JobView[];
            const jobs = await app.services.reports.jobs.listJobs(p, { limit: 1, cursor: null });
            if (jobs.items[0]) seen.push(jobs.items[0] as unknown as JobView);
            return (list as (...args: unknown[]) => unknown)(p, a, c, d);
          },
        ]),
      ) as unknown as ReportLists)
    : lists;
  return createReportsModule({
    db: app.db,
    clock: options.clock ?? systemClock,
    lists: watched,
    directory: reportDirectory(app.services.repositories.org),
    bucket: { store: app.objects, bucket: BUCKET },
    pageRows: options.pageRows,
  });
}

async function request(as: Brokerage['as'][keyof Brokerage['as']], input: Record<string, unknown>) {
  const r = await app.exec<{ requestReport: JobView }>(as, REQUEST, { i: input });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.requestReport;
}

/** Delivers the job's INSERT as the bus would, then reads it back through GraphQL. */
async function build(
  as: Brokerage['as'][keyof Brokerage['as']],
  input: Record<string, unknown>,
  module = reportsModule(),
): Promise<JobView> {
  const queued = await request(as, input);
  expect(queued).toMatchObject({ status: 'QUEUED', progress: 0, rows: 0 });
  await module.jobs.onChange(
    await changeOf(app, as.tenantId, keys.reportJob(as.tenantId, queued.id), 'INSERT'),
  );
  return (await must<{ reportJob: JobView }>(app, as, JOB, { id: queued.id })).reportJob;
}

function fileOf(job: JobView): Uint8Array {
  const key = (job.url ?? '').replace(`memory://${BUCKET}/`, '').replace(/\?.*$/, '');
  const body = app.objects.objects.get(`${BUCKET}/${key}`)?.body;
  if (!body || typeof body === 'string') throw new Error(`no file at ${key}`);
  return body;
}

/** A job's XLSX file read back by a second library (ExcelJS). */
async function workbookOf(job: JobView) {
  const Excel = await loadExcelJs();
  const book = new Excel.Workbook();
  await book.xlsx.load(Buffer.from(fileOf(job)) as never);
  return book;
}

const NAMES = ['Řízení', 'Łódź', 'Šiauliai', 'Щербаков'];

/** A CSV file's records by header, after checking it starts with a UTF-8 byte-order mark. */
function csvRows(bytes: Uint8Array): Array<Record<string, string>> {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  expect(text.startsWith('\uFEFF')).toBe(true);
  return parse(text.slice(1), { columns: true }) as Array<Record<string, string>>;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Reports Brokerage');
  await must(app, b.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
  for (let i = 0; i < 3; i++) {
    const w = await writeMtplPolicy(app, b);
    const policy = (await app.services.repositories.policies.getPolicyOfClient(
      b.tenantId,
      w.clientId,
      w.id,
    )) as Policy;
    await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
  }
  for (const lastName of NAMES)
    await must(app, b.as.advisor, 'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }', {
      i: personInput({ firstName: 'Iva', lastName }),
    });
});

describe('report jobs', () => {
  it('builds the caller’s commission statement as a PDF, with progress seen between pages and its totals printed', async () => {
    const seen: JobView[] = [];
    const job = await build(
      b.as.advisor,
      { type: 'COMMISSION_STATEMENT', format: 'PDF', period: '2026-01', locale: 'en' },
      reportsModule({ pageRows: 1, seen }),
    );
    expect(job).toMatchObject({
      status: 'READY',
      progress: 100,
      rows: 3,
      error: null,
      fileName: 'commission-statement-2026-01.pdf',
    });
    // Three lines read one per page: the job was RUNNING with rising progress in between.
    const running = seen.filter((s) => s.status === 'RUNNING').map((s) => s.progress);
    expect(running.length).toBeGreaterThanOrEqual(3);
    expect(running.every((p) => p > 0 && p < 100)).toBe(true);
    expect(running).toEqual([...running].sort((x, y) => x - y));
    expect(running.at(-1)).toBeGreaterThan(running[0] as number);

    if (process.env.REPORT_PDF_OUT)
      (await import('node:fs')).writeFileSync(process.env.REPORT_PDF_OUT, fileOf(job));
    const text = await pdfText(fileOf(job));
    expect(text).toContain('Reports Brokerage');
    expect(text).toContain('Commission statement');
    expect(text).toContain('Recipient: Adam Advisor');
    expect(text).toContain('Page 1 of 1');
    // 3 policies × 40 % of 15 % of CZK 12,000.00 = 3 × 720.00.
    expect(text).toContain('Statement total: CZK 2,160.00');
    expect(text.match(/CZK 720\.00/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('links a READY job for 15 minutes by default, refuses links over 7 days, and stops linking once the file has expired', async () => {
    const job = await build(b.as.advisor, { type: 'COMMISSION_STATEMENT', format: 'CSV', period: '2026-01' });
    expect(job.url).toMatch(/expires=900$/);
    const ttl = Date.parse(job.expiresAt as string) - Date.now();
    expect(ttl).toBeGreaterThan(890_000);
    expect(ttl).toBeLessThanOrEqual(900_000);

    const tooLong = await app.exec(b.as.advisor, REQUEST, {
      i: { type: 'CLIENTS', format: 'CSV', linkSeconds: 7 * 24 * 3600 + 1 },
    });
    expect(errorCode(tooLong)).toBe('BAD_USER_INPUT');

    const later = new FixedClock(new Date(Date.now() + 31 * 86_400_000));
    const stored = await reportsModule({ clock: later }).jobs.getJob(b.as.advisor, job.id);
    expect(await reportsModule({ clock: later }).jobs.link(stored)).toEqual({ url: null, expiresAt: null });
  });

  it('writes XLSX with numbers as numbers, dates as dates, currency formats, a frozen header and an autofilter', async () => {
    const job = await build(b.as.admin, { type: 'POLICIES', format: 'XLSX', locale: 'en' });
    expect(job).toMatchObject({ status: 'READY', rows: 3 });
    const book = await workbookOf(job);
    const sheet = book.worksheets[0];
    if (!sheet) throw new Error('no sheet');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBeTruthy();
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toContain('Premium');
    const premium = sheet.getRow(2).getCell(header.indexOf('Premium') + 1);
    expect(premium.value).toBe(12000);
    expect(premium.numFmt).toContain('"CZK"');
    const written = sheet.getRow(2).getCell(header.indexOf('Written') + 1);
    expect(written.value).toBeInstanceOf(Date);
    expect((written.value as Date).toISOString().slice(0, 10)).toBe('2026-01-10');
    expect(sheet.getRow(2).getCell(header.indexOf('Insurer') + 1).value).not.toBe(b.insurerId);
    // The totals row under the data sums the premiums exactly.
    expect(sheet.getRow(5).getCell(header.indexOf('Premium') + 1).value).toBe(36000);
  });

  it('writes CSV as RFC 4180 UTF-8 with people and branches by name', async () => {
    const job = await build(b.as.advisor, { type: 'CLIENTS', format: 'CSV', locale: 'en' });
    expect(new TextDecoder().decode(fileOf(job))).toContain('\r\n');
    const rows = csvRows(fileOf(job));
    expect(rows.map((r) => r.Name)).toEqual(expect.arrayContaining(NAMES.map((n) => `${n} Iva`)));
    expect(new Set(rows.map((r) => r.Advisor))).toEqual(new Set(['Adam Advisor']));
    expect(new Set(rows.map((r) => r.Branch))).toEqual(new Set(['Prague']));
  });

  it.each([
    ['en', 'Clients'],
    ['pl', 'Klienci'],
    ['lt', 'Klientai'],
    ['it', 'Clienti'],
    ['ru', 'Клиенты'],
    ['cs', 'Klienti'],
  ])('renders a %s PDF whose text reads back with every letter', async (locale, title) => {
    const job = await build(b.as.advisor, { type: 'CLIENTS', format: 'PDF', locale });
    expect(job).toMatchObject({ status: 'READY', locale });
    const text = await pdfText(fileOf(job));
    expect(text).toContain(title);
    for (const name of NAMES) expect(text).toContain(`${name} Iva`);
  });

  it('sums the receivable per insurer by name for a tenant-wide reconciler', async () => {
    const job = await build(b.as.admin, {
      type: 'RECEIVABLE',
      format: 'CSV',
      period: '2026-01',
      locale: 'en',
    });
    const rows = csvRows(fileOf(job));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ Lines: '3', Amount: '5400.00', 'Amount (currency)': 'CZK' });
    expect(rows[0]?.Insurer).toMatch(/\w/);
    expect(rows[0]?.Insurer).not.toBe(b.insurerId);
  });

  it.each([
    'COMMISSION_LINES',
    'CLIENTS',
    'POLICIES',
    'INVOICES',
    'PAYMENTS',
    'DEBTORS',
    'RECEIVABLE',
    'COMMISSION_STATEMENT',
  ])('brings a %s report to READY', async (type) => {
    const job = await build(b.as.admin, { type, format: 'XLSX', period: '2026-01' });
    expect(job).toMatchObject({ status: 'READY', progress: 100, error: null });
  });

  it('keeps a job to its requester, refuses a list the role may not read, and FAILS a statement beyond reach', async () => {
    const mine = await request(b.as.advisor, { type: 'CLIENTS', format: 'CSV' });
    const other = await app.exec(b.as.subAgent, JOB, { id: mine.id });
    expect(errorCode(other)).toBe('NOT_FOUND');

    const receivable = await app.exec(b.as.advisor, REQUEST, {
      i: { type: 'RECEIVABLE', format: 'CSV', period: '2026-01' },
    });
    expect(errorCode(receivable)).toBe('FORBIDDEN');
    const partnerInvoices = await app.exec(b.as.partner, REQUEST, {
      i: { type: 'INVOICES', format: 'CSV', period: '2026-01' },
    });
    expect(errorCode(partnerInvoices)).toBe('FORBIDDEN');

    const beyond = await build(b.as.subAgent, {
      type: 'COMMISSION_STATEMENT',
      format: 'PDF',
      period: '2026-01',
      filter: { recipient: { kind: 'USER', id: b.advisorId } },
    });
    expect(beyond).toMatchObject({ status: 'FAILED', url: null });
    expect(beyond.error).toBeTruthy();
  });

  it('covers a from–to range of months instead of one period', async () => {
    const job = await build(b.as.advisor, {
      type: 'COMMISSION_STATEMENT',
      format: 'PDF',
      from: '2025-12',
      to: '2026-02',
      locale: 'en',
    });
    expect(job).toMatchObject({
      status: 'READY',
      rows: 3,
      fileName: 'commission-statement-2025-12_2026-02.pdf',
    });
    const text = await pdfText(fileOf(job));
    expect(text).toContain('Period: 2025-12 – 2026-02');
    expect(text).toContain('Statement total: CZK 2,160.00');
    // A range that misses the lines' month lists none of them.
    const before = await build(b.as.admin, {
      type: 'RECEIVABLE',
      format: 'CSV',
      from: '2025-01',
      to: '2025-12',
    });
    expect(before).toMatchObject({ status: 'READY', rows: 0 });
  });

  it.each([
    [
      { period: '2026-01', from: '2026-01', to: '2026-02' },
      'input.period',
      'give either period or from and to, not both',
    ],
    [{ from: '2026-01' }, 'input.to', 'is required with from'],
    [{ to: '2026-01' }, 'input.from', 'is required with to'],
    [{ from: '2026-03', to: '2026-01' }, 'input.to', 'must not be before from'],
    [{ from: '2024-01', to: '2026-01' }, 'input.to', 'must be at most 24 months after from'],
  ])('refuses the range %j at %s', async (range, path, message) => {
    const r = await app.exec(b.as.admin, REQUEST, { i: { type: 'PAYMENTS', format: 'CSV', ...range } });
    expect(r.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', fieldErrors: [{ path, message }] });
  });

  it('prints statuses and kinds in the document’s language, never as raw codes', async () => {
    const cs = csvRows(fileOf(await build(b.as.advisor, { type: 'CLIENTS', format: 'CSV', locale: 'cs' })));
    expect(new Set(cs.map((r) => r.Druh))).toEqual(new Set(['Fyzická osoba']));
    expect(cs.map((r) => r.Stav).every((s) => ['Potenciální', 'Aktivní', 'Ztracený'].includes(s ?? ''))).toBe(
      true,
    );
    const ru = csvRows(fileOf(await build(b.as.admin, { type: 'POLICIES', format: 'CSV', locale: 'ru' })));
    expect(new Set(ru.map((r) => r['Статус']))).toEqual(new Set(['Действует']));
    expect(new Set(ru.map((r) => r['Тип продажи']))).toEqual(new Set(['Новая']));
  });

  it('sums profitability: commission income minus payouts, by insurer, product line, employee and business', async () => {
    const job = await build(b.as.admin, {
      type: 'PROFITABILITY',
      format: 'PDF',
      period: '2026-01',
      locale: 'en',
    });
    expect(job).toMatchObject({ status: 'READY', error: null });
    if (process.env.REPORT_PDF_OUT)
      (await import('node:fs')).writeFileSync(`${process.env.REPORT_PDF_OUT}.profit.pdf`, fileOf(job));
    const text = await pdfText(fileOf(job));
    // Per policy: income 15 % of CZK 12,000.00 = 1,800.00; payouts 40 % of it to the seller (720.00)
    // and a 2 % override to the manager (36.00). Three policies: 5,400.00 − 2,268.00 = 3,132.00.
    expect(text).toContain('Commission income: CZK 5,400.00');
    expect(text).toContain('Payouts: CZK 2,268.00');
    expect(text).toContain('Margin: CZK 3,132.00');
    for (const row of ['Kooperativa', 'Motor third-party liability', 'Adam Advisor', 'New'])
      expect(text).toContain(`${row} CZK 5,400.00 CZK 2,268.00 CZK 3,132.00`);
    const advisor = await app.exec(b.as.advisor, REQUEST, {
      i: { type: 'PROFITABILITY', format: 'CSV', period: '2026-01' },
    });
    expect(errorCode(advisor)).toBe('FORBIDDEN');
  });

  it('counts efficiency by advisor, branch, region, product line and insurer, with numeric cells', async () => {
    const job = await build(b.as.admin, {
      type: 'EFFICIENCY',
      format: 'XLSX',
      period: '2026-01',
      locale: 'en',
    });
    expect(job).toMatchObject({ status: 'READY', error: null, rows: 1 });
    const book = await workbookOf(job);
    expect(book.worksheets.map((w) => w.name)).toEqual([
      'By advisor',
      'By branch',
      'By region',
      'By product line',
      'By insurer',
    ]);
    const groups = book.worksheets.map((w) => w.getRow(2).getCell(1).value);
    expect(groups).toEqual([
      'Adam Advisor',
      'Prague',
      'Bohemia',
      'Motor third-party liability',
      'Kooperativa',
    ]);
    for (const sheet of book.worksheets) {
      // Three new-business MTPL deals written in January: premium 3 × 12,000, income 3 × 1,800, every
      // one concluded; their clients were created today, so none is a new client of January.
      expect((sheet.getRow(2).values as unknown[]).slice(2)).toEqual([0, 0, 36000, 5400, 1]);
      expect(sheet.getRow(2).getCell(6).numFmt).toBe('0.0%');
    }
  });

  it('needs a period for monthly types', async () => {
    const r = await app.exec(b.as.advisor, REQUEST, { i: { type: 'COMMISSION_STATEMENT', format: 'PDF' } });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
  });
});

describe('partner statements', () => {
  let pb: Brokerage;
  let clientId: string;

  beforeAll(async () => {
    pb = await createBrokerage(app, 'Partner Statement Brokerage');
    ({ clientId } = await referredPolicyWithLines(app, pb, { lastName: 'Щербаков' }));
  });

  it('shows a partner its referred clients by reference, their policies and its own lines, with no personal data', async () => {
    const job = await build(pb.as.partner, { type: 'PARTNER_STATEMENT', format: 'PDF', locale: 'en' });
    expect(job).toMatchObject({ status: 'READY', error: null, rows: 1 });
    if (process.env.REPORT_PDF_OUT)
      (await import('node:fs')).writeFileSync(`${process.env.REPORT_PDF_OUT}.partner.pdf`, fileOf(job));
    const text = await pdfText(fileOf(job));
    const ref = `C-${clientId.slice(-8).toUpperCase()}`;
    expect(text).toContain('Partner: Car Dealer Ltd');
    expect(text).toContain(`${ref} Active Motor third-party liability Active 15 Jan 2026 14 Jan 2027`);
    expect(text).toContain(`2026-01 Commission ${ref} Motor third-party liability CZK 600.00`);
    // 5 % of the CZK 12,000.00 premium: the partner's line, and nothing of the advisor's 6 %.
    expect(text).toContain('Statement total: CZK 600.00');
    expect(text).not.toContain('720.00');
    for (const personal of ['Щербаков', 'Jana', '12,000', clientId]) expect(text).not.toContain(personal);
  });

  it('lets tenant-wide staff who manage partners name the partner, and nobody else', async () => {
    const recipient = { kind: 'PARTNER', id: pb.partnerId };
    const staff = await build(pb.as.admin, {
      type: 'PARTNER_STATEMENT',
      format: 'CSV',
      filter: { recipient },
    });
    expect(staff).toMatchObject({ status: 'READY', rows: 1 });
    const refused = async (as: Brokerage['as'][keyof Brokerage['as']], filter: unknown) =>
      errorCode(await app.exec(as, REQUEST, { i: { type: 'PARTNER_STATEMENT', format: 'CSV', filter } }));
    expect(await refused(pb.as.admin, {})).toBe('FORBIDDEN');
    expect(await refused(pb.as.advisor, { recipient })).toBe('FORBIDDEN');
    expect(await refused(pb.as.partner, { recipient: { kind: 'PARTNER', id: b.partnerId } })).toBe(
      'FORBIDDEN',
    );
    expect(await refused(pb.as.admin, { recipient: { kind: 'USER', id: pb.advisorId } })).toBe(
      'BAD_USER_INPUT',
    );
  });
});
