import { beforeAll, describe, expect, it } from 'vitest';
import { campaignTaskId } from '../../../functions/modules/campaigns/index.js';
import { composeReports } from '../../../functions/modules/reports-wiring.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { addDays } from '../../../functions/shared/dates.js';
import { createTenant, createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { pdfText } from '../../support/invoices.js';
import { must } from '../commissions/commission-fixtures.js';
import { reportHarness } from './report-fixtures.js';

/**
 * CAMPAIGN_FUNNEL report jobs over DynamoDB Local, built by the reports function's own composition
 * (its campaign funnel composed apart from the campaigns module): the numbers of the `campaignFunnel`
 * query, its reader check, in PDF and XLSX, in every document language.
 */
const app = createTestApp();
const { build, request, fileOf, workbookOf } = reportHarness(
  app,
  composeReports(app.db, systemClock, { store: app.objects, bucket: 'test-reports' }),
);
let b: Brokerage;
let campaignId: string;
const today = new Date().toISOString().slice(0, 10);
const NAME = 'Jarní pojištění Łódź';

const FUNNEL = `query($id: ID!) { campaignFunnel(id: $id) {
  total { members contacted interested offer sold }
  leads { during { leads perDay } } } }`;

beforeAll(async () => {
  b = await createBrokerage(app, 'Funnel Report Brokerage');
  const clients = [];
  for (const lastName of ['Novák', 'Dvořák', 'Černá', 'Щербаков']) {
    const created = await app.services.clients.records.createClient(
      b.admin,
      personInput({ ownerAdvisorId: b.advisorId, lastName, tags: ['funnel-report'] }),
    );
    clients.push(created.id);
  }
  const [sold, declined, unreached] = clients as [string, string, string, string];
  // The campaign runs yesterday to tomorrow: the four clients created today are its period's leads.
  const { campaigns } = app.services;
  const created = await campaigns.campaigns.createCampaign(b.admin, {
    name: NAME,
    periodFrom: addDays(today, -1),
    periodTo: addDays(today, 1),
    productLineIds: [b.mtplId],
    segment: { tags: ['funnel-report'] },
  });
  campaignId = created.id;
  await campaigns.campaigns.startCampaign(b.admin, { id: campaignId, expectedVersion: created.version });
  await campaigns.distribution.distribute(b.admin, { campaignId, advisorIds: [b.advisorId] });
  for (const [clientId, outcome] of [
    [sold, 'SUCCESSFUL'],
    [declined, 'DECLINED'],
    [unreached, 'NO_CONTACT'],
  ] as const) {
    const id = campaignTaskId(campaignId, clientId);
    const task = await app.services.tasks.reads.getTask(b.admin, id);
    await app.services.tasks.tasks.completeTask(b.admin, { id, expectedVersion: task?.version, outcome });
  }
  await must(app, b.as.advisor, 'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }', {
    i: mtplInput(b, sold, { writtenDate: today, termStart: today, termEnd: addDays(today, 364) }),
  });
});

describe('campaign funnel report', () => {
  it('prints the campaign, its period, the stages with their shares, the advisor and the leads per day in a PDF', async () => {
    const job = await build(b.as.manager, {
      type: 'CAMPAIGN_FUNNEL',
      format: 'PDF',
      locale: 'en',
      filter: { campaignId },
    });
    expect(job).toMatchObject({ status: 'READY', progress: 100, rows: 5, error: null });
    expect(job.fileName).toBe('campaign-funnel.pdf');
    if (process.env.REPORT_PDF_OUT)
      (await import('node:fs')).writeFileSync(`${process.env.REPORT_PDF_OUT}.funnel.pdf`, fileOf(job));
    const text = await pdfText(fileOf(job));
    const day = (iso: string) =>
      new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
    expect(text).toContain('Campaign funnel');
    expect(text).toContain(`Campaign: ${NAME}`);
    expect(text).toContain(`Campaign period: ${day(addDays(today, -1))} – ${day(addDays(today, 1))}`);
    // 4 members; 2 reached (SUCCESSFUL, DECLINED), 1 interested, who got a policy: offer and sale.
    for (const row of [
      'Members (targeted) 4 100%',
      'Contacted 2 50% 50%',
      'Interested 1 25% 50%',
      'Offer made 1 25% 100%',
      'Sold 1 25% 100%',
      'Adam Advisor 4 2 1 1 1 25%',
      'Total 4 2 1 1 1 25%',
      // The four clients were created today, within the 3-day period: 4 / 3 a day.
      `During the campaign ${day(addDays(today, -1))} ${day(addDays(today, 1))} 4 1.33`,
      `After the campaign ${day(addDays(today, 2))} ${day(addDays(today, 4))} 0 0.00`,
    ])
      expect(text).toContain(row);
  });

  it('writes the same numbers as the campaignFunnel query into XLSX as numeric cells', async () => {
    const job = await build(b.as.admin, {
      type: 'CAMPAIGN_FUNNEL',
      format: 'XLSX',
      locale: 'en',
      filter: { campaignId },
    });
    expect(job).toMatchObject({ status: 'READY', rows: 5, fileName: 'campaign-funnel.xlsx' });
    const book = await workbookOf(job);
    expect(book.worksheets.map((w) => w.name)).toEqual([
      'Funnel stages',
      'By advisor',
      'New clients per day',
    ]);
    const [stages, advisors, leads] = book.worksheets as [
      (typeof book.worksheets)[0],
      (typeof book.worksheets)[0],
      (typeof book.worksheets)[0],
    ];
    const values = (sheet: typeof stages, row: number) => (sheet.getRow(row).values as unknown[]).slice(1);

    const query = await must<{
      campaignFunnel: {
        total: Record<string, number>;
        leads: { during: { leads: number; perDay: string } };
      };
    }>(app, b.as.manager, FUNNEL, { id: campaignId });
    const { total } = query.campaignFunnel;
    expect(total).toEqual({ members: 4, contacted: 2, interested: 1, offer: 1, sold: 1 });
    const counts = [2, 3, 4, 5, 6].map((r) => stages.getRow(r).getCell(2).value);
    expect(counts).toEqual([total.members, total.contacted, total.interested, total.offer, total.sold]);
    expect(values(stages, 3)).toEqual(['Contacted', 2, 0.5, 0.5]);
    expect(stages.getRow(3).getCell(2).numFmt).toBe('0');
    expect(stages.getRow(3).getCell(3).numFmt).toBe('0.0%');

    expect(values(advisors, 2)).toEqual(['Adam Advisor', 4, 2, 1, 1, 1, 0.25]);
    expect(values(advisors, 3)).toEqual(['Total', 4, 2, 1, 1, 1, 0.25]);

    const during = leads.getRow(3);
    expect(during.getCell(2).value).toBeInstanceOf(Date);
    expect((during.getCell(2).value as Date).toISOString().slice(0, 10)).toBe(addDays(today, -1));
    expect(during.getCell(4).value).toBe(query.campaignFunnel.leads.during.leads);
    expect(during.getCell(5).value).toBe(Number(query.campaignFunnel.leads.during.perDay));
    expect(during.getCell(5).numFmt).toBe('0.00');
  });

  // English is the first tests'; each other language once, as CSV (the stages table): the PDF's
  // fonts are the renderer's, tested with every script there and above with Czech and Polish letters.
  it.each([
    ['pl', 'Etap', 'Sprzedane'],
    ['lt', 'Etapas', 'Parduota'],
    ['it', 'Fase', 'Venduti'],
    ['ru', 'Этап', 'Продано'],
    ['cs', 'Fáze', 'Prodáno'],
  ])('writes the %s stage labels with the same counts', async (locale, stage, sold) => {
    const job = await build(b.as.manager, {
      type: 'CAMPAIGN_FUNNEL',
      format: 'CSV',
      locale,
      filter: { campaignId },
    });
    expect(job).toMatchObject({ status: 'READY', locale, rows: 5 });
    const lines = new TextDecoder().decode(fileOf(job)).replace('\uFEFF', '').split('\r\n');
    expect(lines[0]?.split(',')[0]).toBe(stage);
    expect(lines[5]).toBe(`${sold},1,0.25,1`);
  });

  it('needs a campaign id and no months, and refuses callers who may not read campaign funnels', async () => {
    const missing = await request(b.as.manager, { type: 'CAMPAIGN_FUNNEL', format: 'PDF' });
    expect(missing.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'input.filter.campaignId', message: 'is required for CAMPAIGN_FUNNEL' }],
    });
    const withMonth = await request(b.as.manager, {
      type: 'CAMPAIGN_FUNNEL',
      format: 'PDF',
      period: '2026-01',
      filter: { campaignId },
    });
    expect(withMonth.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'input.period' }],
    });
    for (const as of [b.as.advisor, b.as.backoffice, b.as.partner]) {
      const refused = await request(as, { type: 'CAMPAIGN_FUNNEL', format: 'PDF', filter: { campaignId } });
      expect(errorCode(refused)).toBe('FORBIDDEN');
    }
  });

  it('FAILS a job for another tenant’s campaign as not found, with no file', async () => {
    const other = await createTenant(app, 'Other Funnel Brokerage');
    for (const id of [campaignId, 'no-such-campaign']) {
      const job = await build(other.admin, {
        type: 'CAMPAIGN_FUNNEL',
        format: 'PDF',
        filter: { campaignId: id },
      });
      expect(job).toMatchObject({ status: 'FAILED', url: null, fileName: null });
      expect(job.error).toMatch(/not found/i);
    }
    const direct = await app.exec(other.admin, FUNNEL, { id: campaignId });
    expect(errorCode(direct)).toBe('NOT_FOUND');
  });
});
