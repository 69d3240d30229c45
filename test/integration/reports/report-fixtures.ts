import type { Policy } from '../../../functions/modules/policies/index.js';
import type { ReportsModule } from '../../../functions/modules/reports/index.js';
import { keys } from '../../../functions/shared/table-design.js';
import { loadExcelJs } from '../../../functions/shared/tabular-file.js';
import type { TestApp } from '../../support/app.js';
import { type Brokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { changeOf } from '../../support/invoices.js';
import { CREATE_SCHEME, must, policyChange } from '../commissions/commission-fixtures.js';

/**
 * A referral scheme (the partner 5 %, the advisor 6 % of the written premium) and one MTPL policy of
 * a client the brokerage's partner referred, booked by the commission consumer: the partner and the
 * advisor each get one line in 2026-01 (CZK 600.00 and CZK 720.00 of the CZK 12,000.00 premium).
 */
export async function referredPolicyWithLines(
  app: TestApp,
  b: Brokerage,
  client: Record<string, unknown> = {},
): Promise<{ clientId: string }> {
  const percent = (rate: string) => ({ type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate });
  await must(app, b.as.manager, CREATE_SCHEME, {
    i: {
      name: 'Referrals',
      currency: 'CZK',
      versions: [
        {
          validFrom: '2026-01-01',
          rules: [
            { id: 'referral', name: 'Referral fee', ledger: 'PARTNER', computation: percent('5') },
            { id: 'advisor', name: 'Advisor', ledger: 'ADVISOR', computation: percent('6') },
          ],
        },
      ],
    },
  });
  const created = await must<{ createClient: { id: string } }>(
    app,
    b.as.advisor,
    'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
    { i: personInput({ ...client, acquisitionType: 'PARTNER_REFERRAL', referringPartnerId: b.partnerId }) },
  );
  const clientId = created.createClient.id;
  const written = await must<{ writePolicy: { id: string } }>(
    app,
    b.as.advisor,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    { i: mtplInput(b, clientId) },
  );
  const policy = await app.services.repositories.policies.getPolicyOfClient(
    b.tenantId,
    clientId,
    written.writePolicy.id,
  );
  await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy as Policy));
  return { clientId };
}

type Caller = Brokerage['as'][keyof Brokerage['as']];
/** A report job as a test reads it back through GraphQL. */
export type ReportJobView = {
  id: string;
  status: string;
  progress: number;
  rows: number;
  fileName: string | null;
  error: string | null;
  locale: string;
  url: string | null;
};

const REQUEST_REPORT = `mutation($i: RequestReportInput!) { requestReport(input: $i) { id status progress rows } }`;
const REPORT_JOB = `query($id: ID!) { reportJob(id: $id) { id status progress rows url fileName error locale } }`;

/**
 * Report jobs as a test drives them: requested through GraphQL, built by `module` (the reports
 * function's composition) on the job's INSERT as the change bus delivers it, read back through
 * GraphQL, and their files read from the test bucket.
 */
export function reportHarness(app: TestApp, module: Pick<ReportsModule, 'jobs'>, bucket = 'test-reports') {
  const request = (as: Caller, input: Record<string, unknown>) =>
    app.exec<{ requestReport: ReportJobView }>(as, REQUEST_REPORT, { i: input });
  const fileOf = (job: ReportJobView): Uint8Array => {
    const key = (job.url ?? '').replace(`memory://${bucket}/`, '').replace(/\?.*$/, '');
    const body = app.objects.objects.get(`${bucket}/${key}`)?.body;
    if (!body || typeof body === 'string') throw new Error(`no file at ${key}`);
    return body;
  };
  return {
    request,
    fileOf,
    /** Requests, delivers the job's INSERT, and reads the job back. */
    async build(as: Caller, input: Record<string, unknown>): Promise<ReportJobView> {
      const queued = (await request(as, input)).data?.requestReport;
      if (!queued) throw new Error(`not queued: ${JSON.stringify(input)}`);
      await module.jobs.onChange(
        await changeOf(app, as.tenantId, keys.reportJob(as.tenantId, queued.id), 'INSERT'),
      );
      return (await must<{ reportJob: ReportJobView }>(app, as, REPORT_JOB, { id: queued.id })).reportJob;
    },
    /** A job's XLSX file read back by a second library (ExcelJS). */
    async workbookOf(job: ReportJobView) {
      const Excel = await loadExcelJs();
      const book = new Excel.Workbook();
      await book.xlsx.load(Buffer.from(fileOf(job)) as never);
      return book;
    },
  };
}
