import { beforeAll, describe, expect, it } from 'vitest';
import { createScheduledReports, type ScheduledReports } from '../../../functions/modules/reports/index.js';
import { reportDirectory, reportLists, reportSchedule } from '../../../functions/modules/reports-wiring.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { type MailMessage, MemoryMailer } from '../../../functions/shared/mailer.js';
import { keys } from '../../../functions/shared/table-design.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage } from '../../support/brokerage.js';
import { changeOf, pdfText } from '../../support/invoices.js';
import { referredPolicyWithLines } from './report-fixtures.js';

/**
 * The statements schedule over DynamoDB Local: after a commission month is approved, each recipient
 * with lines gets one e-mail with a signed link to their statement, however often the schedule runs;
 * managers and partner users get last month's reports once. A provider failure is retried.
 */
const app = createTestApp();
const BUCKET = 'test-reports';
let b: Brokerage;
let partnerUserEmail: string;

/** A mailer whose first send to `failFor` fails, as a provider outage would. */
class FlakyMailer extends MemoryMailer {
  failures = 0;
  constructor(private readonly failFor: () => string) {
    super();
  }
  override async send(message: MailMessage) {
    if (message.to === this.failFor() && message.subject.includes('2026-01') && this.failures === 0) {
      this.failures++;
      throw new Error('SES is down');
    }
    return super.send(message);
  }
}

const mailer = new FlakyMailer(() => partnerUserEmail);

function schedule(): ScheduledReports {
  const org = app.services.repositories.org;
  return createScheduledReports({
    db: app.db,
    clock: systemClock,
    lists: reportLists(app.services),
    directory: reportDirectory(org),
    bucket: { store: app.objects, bucket: BUCKET },
    // Only this file's tenant: the shared table holds other files' tenants too.
    schedule: {
      ...reportSchedule(org, app.services.commissions.periods),
      listTenantIds: async () => [b.tenantId],
    },
    mail: { mailer, mailFrom: 'reports@broker.test' },
  });
}

function fileAt(url: string): Uint8Array {
  const key = url.replace(`memory://${BUCKET}/`, '').replace(/\?.*$/, '');
  const body = app.objects.objects.get(`${BUCKET}/${key}`)?.body;
  if (!body || typeof body === 'string') throw new Error(`no file at ${key}`);
  return body;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Statements Brokerage');
  await referredPolicyWithLines(app, b);
  partnerUserEmail = `dealer@${b.tenantId}.test`;
  await app.services.org.partnerPortal.createPartnerUser(b.as.manager, {
    partnerId: b.partnerId,
    name: 'Dana Dealer',
    email: partnerUserEmail,
  });
  await app.services.org.structure.createUser(b.admin, {
    name: 'Hana Headoffice',
    email: `hana@${b.tenantId}.test`,
    role: 'manager',
    scope: 'all',
    branchId: b.ownBranchId,
  });
  await app.services.commissions.periods.approve(b.admin, { period: '2026-01' });
});

describe('the statements schedule', () => {
  it('mails each recipient one link per approved month and per monthly report, even when it runs twice at once and twice more, and retries a failed send', async () => {
    const now = new Date();
    const [first, second] = await Promise.all([schedule().run(now), schedule().run(now)]);
    const retry = await schedule().run(now);
    // Advisor's statement, the partner user's statement and monthly report, the head-office
    // manager's efficiency report: the partner user's statement failed once at the provider and was
    // sent again (by the concurrent run, which found the record given back, or by the next one).
    expect(mailer.failures).toBe(1);
    expect([first, second, retry].reduce((n, r) => n + r.failed, 0)).toBe(1);
    expect([first, second, retry].reduce((n, r) => n + r.sent, 0)).toBe(4);
    expect(await schedule().run(now)).toMatchObject({ sent: 0, failed: 0, skipped: 0 });

    const to = (address: string) => mailer.sent.filter((m) => m.to === address);
    expect(mailer.sent).toHaveLength(4);
    expect(new Set(mailer.sent.map((m) => `${m.to} ${m.subject}`)).size).toBe(4);
    const [statement] = to(`adam@${b.tenantId}.test`);
    // The tenant's locale is cs-CZ: the e-mail and the PDF are Czech.
    expect(statement?.subject).toBe('Výpis provizí 2026-01 – Statements Brokerage');
    expect(statement?.text).toContain('Dobrý den, Adam Advisor,');
    expect(statement?.text).toContain('provizní období 2026-01 bylo schváleno');
    const url = statement?.text.match(/memory:\/\/\S+/)?.[0] ?? '';
    expect(url).toMatch(/expires=604800$/);
    if (process.env.REPORT_PDF_OUT)
      (await import('node:fs')).writeFileSync(`${process.env.REPORT_PDF_OUT}.scheduled.pdf`, fileAt(url));
    const text = await pdfText(fileAt(url));
    expect(text).toContain('Celkem za výpis');
    // 6 % of the CZK 12,000.00 premium.
    expect(text).toMatch(/720,00/);

    expect(
      to(partnerUserEmail)
        .map((m) => m.subject)
        .sort(),
    ).toEqual(
      [
        `Výpis partnera ${lastMonth(now)} – Statements Brokerage`,
        'Výpis partnera 2026-01 – Statements Brokerage',
      ].sort(),
    );
    expect(to(`hana@${b.tenantId}.test`).map((m) => m.subject)).toEqual([
      `Efektivita prodeje ${lastMonth(now)} – Statements Brokerage`,
    ]);
    // The branch manager cannot read whole commission months: no efficiency report.
    expect(to(`manager@${b.tenantId}.test`)).toEqual([]);

    // The statement is the advisor's own report job, readable through the API with a fresh link.
    const jobs = await app.services.reports.jobs.listJobs(b.as.advisor, { limit: 10, cursor: null });
    expect(jobs.items.map((j) => [j.reportType, j.period, j.status])).toEqual([
      ['COMMISSION_STATEMENT', '2026-01', 'READY'],
    ]);
    // Its INSERT reaches the reports function too, which leaves a scheduled job to its schedule.
    const insert = await changeOf(
      app,
      b.tenantId,
      keys.reportJob(b.tenantId, jobs.items[0]?.id ?? ''),
      'INSERT',
    );
    expect(await app.services.reports.jobs.onChange(insert)).toBeNull();
  });
});

/** The month before `at`'s month in Prague, `YYYY-MM`. */
function lastMonth(at: Date): string {
  const [y, m] = at.toLocaleDateString('en-CA', { timeZone: 'Europe/Prague' }).split('-').map(Number);
  const d = new Date(Date.UTC(y ?? 0, (m ?? 1) - 2, 1));
  return d.toISOString().slice(0, 7);
}
