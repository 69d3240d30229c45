import type { Context, ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../functions/modules/services.js';
import { systemPrincipal } from '../../../functions/shared/auth/principal.js';
import type { TableChangeEvent } from '../../../functions/shared/change-event.js';
import { FixedClock, isoDateInZone } from '../../../functions/shared/clock.js';
import { addDays } from '../../../functions/shared/dates.js';
import { invoiceAdapters } from '../../../functions/shared/invoice-adapters.js';
import { getRuntime } from '../../../functions/shared/runtime.js';
import { lambdaContext } from '../../../infra/local/http-adapter.js';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.js';
import { mtplInput } from '../../support/brokerage.js';
import { pdfText } from '../../support/invoices.js';
import { signedHeaders } from '../webhooks/webhook-support.js';

/**
 * Dunning end to end on the local stack: invoices issued over GraphQL (PDF in local S3, e-mail in
 * the SES emulator), the catalog's overdue schedule run day by day on a simulated clock, its writes
 * reaching the debtors consumer through the stream poller and the change bus, e-mails and SMS read
 * back from the local mail and SMS records. Only the clock is injected: the overdue and debtors
 * handlers are the catalog's own, built over services that read a FixedClock.
 */
type Handler<E> = (event: E, context: Context) => Promise<unknown>;
type MailRecord = {
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
  attachments: Array<{ filename?: string; contentType: string; content: string }>;
};
type InvoiceView = {
  id: string;
  number: string;
  status: string;
  daysOverdue: number;
  dunningStep: string | null;
  version: number;
  pdfUrl: string | null;
  dunningSteps: Array<{ stepId: string; action: string; outcome: string; daysOverdue: number }>;
};

const clock = new FixedClock(new Date());
const delivered: TableChangeEvent[] = [];
let debtors: Handler<TableChangeEvent> | undefined;
let overdue: Handler<ScheduledEvent> | undefined;
let stack: LocalStack;
let swept: Services;
let tokens: Record<string, string>;
let dueDate: string;

/** `days` after the due date at a UTC time (08:00 UTC is 09:00/10:00 in Prague; 21:30 UTC is night). */
const dayAfterDue = (days: number, utc = '08:00') => new Date(`${addDays(dueDate, days)}T${utc}:00Z`);

async function gql<T>(role: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await fetch(stack.dev.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[role]}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

async function mails(): Promise<MailRecord[]> {
  return ((await (await fetch(stack.dev.mailJsonUrl)).json()) as { emails: MailRecord[] }).emails;
}

async function texts(): Promise<Array<{ to: string; message: string }>> {
  return (
    (await (await fetch(stack.dev.smsJsonUrl)).json()) as { sms: Array<{ to: string; message: string }> }
  ).sms;
}

const mailsTo = async (to: string) => (await mails()).filter((m) => m.destination.to.includes(to));
const textsTo = async (to: string) => (await texts()).filter((s) => s.to === to);

/** One simulated day: the scheduler fires the overdue sweep, then every change it wrote is delivered. */
async function runDay(at: Date): Promise<void> {
  clock.set(at);
  await stack.changes.runSchedule('overdue');
  await stack.changes.idle();
}

const INVOICE_FIELDS =
  'id number status daysOverdue dunningStep version pdfUrl dunningSteps { stepId action outcome daysOverdue }';

/**
 * The invoice as the API shows it, with `daysOverdue` as the sweep wrote it: the graphql function runs
 * on the real calendar (where the invoice is not due yet), the sweep and dunning on the simulated one.
 */
async function invoice(id: string): Promise<InvoiceView> {
  const data = await gql<{ invoice: InvoiceView }>(
    'backoffice',
    `query($id: ID!) { invoice(id: $id) { ${INVOICE_FIELDS} } }`,
    { id },
  );
  expect(data.invoice.daysOverdue).toBe(0);
  const stored = await swept.invoices.invoices.getInvoice(systemPrincipal('demo-brokerage'), id);
  return { ...data.invoice, daysOverdue: stored?.daysOverdue ?? -1 };
}

async function clientWithInvoice(name: string, email: string, phone: string, amount: string) {
  const { createClient } = await gql<{ createClient: { id: string } }>(
    'advisor',
    'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
    {
      i: {
        kind: 'PERSON',
        firstName: name,
        lastName: 'Dlužník',
        email,
        phone,
        segment: 'INDIVIDUAL',
        acquisitionType: 'ADVISOR',
        consents: [{ channel: 'SMS', granted: true, how: 'signed form' }],
      },
    },
  );
  const { createInvoice } = await gql<{ createInvoice: { id: string } }>(
    'advisor',
    'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id } }',
    {
      i: {
        clientId: createClient.id,
        currency: 'EUR',
        lines: [{ description: 'Broker fee', unitPrice: amount }],
        dueDate,
      },
    },
  );
  const { issueInvoice } = await gql<{ issueInvoice: InvoiceView }>(
    'backoffice',
    `mutation($i: IssueInvoiceInput!) { issueInvoice(input: $i) { ${INVOICE_FIELDS} } }`,
    { i: { id: createInvoice.id } },
  );
  return { clientId: createClient.id, invoice: issueInvoice };
}

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    dataDir: null,
    seed: true,
    log: () => undefined,
    handlers: {
      overdue: (event: ScheduledEvent, context: Context) => overdue?.(event, context),
      debtors: (event: TableChangeEvent, context: Context) => {
        delivered.push(event);
        return debtors?.(event, context);
      },
    },
  });
  tokens = stack.dev.tokens['demo-brokerage'] ?? {};
  // The catalog's handlers, imported once the stack has set the environment (as a cold start reads it).
  const runtime = getRuntime();
  const services = createServices(runtime.db, clock, { invoices: invoiceAdapters(runtime) });
  swept = services;
  overdue = (await import('../../../functions/overdue/handler.js')).overdueHandler(services.invoices);
  debtors = (await import('../../../functions/debtors/handler.js')).debtorsHandler(services.invoices);
  // Due in three weeks of the real calendar, so issuing (on the graphql function's real clock) is on time.
  dueDate = addDays(isoDateInZone(new Date(), 'Europe/Prague'), 21);
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

describe('dunning on the local stack over simulated days', () => {
  const paying = { email: 'pavla.platici@example.com', phone: '+420601900001' };
  const owing = { email: 'oto.neplatic@example.com', phone: '+420601900002' };
  let paid: { clientId: string; invoice: InvoiceView };
  let unpaid: { clientId: string; invoice: InvoiceView };

  it('issues over GraphQL: the PDF behind the signed link and the e-mailed attachment show the total', async () => {
    paid = await clientWithInvoice('Pavla', paying.email, paying.phone, '300.00');
    unpaid = await clientWithInvoice('Oto', owing.email, owing.phone, '1234.50');
    await stack.changes.idle();
    expect(unpaid.invoice).toMatchObject({ status: 'ISSUED', daysOverdue: 0, dunningSteps: [] });

    const url = unpaid.invoice.pdfUrl;
    if (!url) throw new Error('no pdf link');
    const download = await fetch(url);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    const fromS3 = await pdfText(new Uint8Array(await download.arrayBuffer()));
    expect(fromS3.split('\n')).toContain('Celkem: 1 234,50 €');
    expect(fromS3).toContain(`Variabilní symbol: ${unpaid.invoice.number.replace('-', '')}`);

    const [mail, ...others] = await mailsTo(owing.email);
    expect(others).toEqual([]);
    expect(mail?.subject).toContain(`invoice ${unpaid.invoice.number}`);
    const attachment = mail?.attachments[0];
    expect(attachment).toMatchObject({
      filename: `${unpaid.invoice.number}.pdf`,
      contentType: 'application/pdf',
    });
    const fromMail = await pdfText(new Uint8Array(Buffer.from(attachment?.content ?? '', 'base64')));
    expect(fromMail).toBe(fromS3);
  });

  it('marks both overdue the day after the due date and sends nothing before the first step', async () => {
    await runDay(dayAfterDue(1));
    expect(await invoice(unpaid.invoice.id)).toMatchObject({
      status: 'OVERDUE',
      daysOverdue: 1,
      dunningSteps: [],
    });
    expect(await mailsTo(owing.email)).toHaveLength(1);
  });

  it('sends the reminder e-mail at 3 days, once, however many days pass before the next step', async () => {
    await runDay(dayAfterDue(3));
    await runDay(dayAfterDue(4));
    for (const [who, view] of [
      [paying, paid],
      [owing, unpaid],
    ] as const) {
      const reminders = (await mailsTo(who.email)).filter((m) => m.subject.includes('payment reminder'));
      expect(reminders).toHaveLength(1);
      expect(reminders[0]?.body.text).toContain(`invoice ${view.invoice.number}`);
      expect(await invoice(view.invoice.id)).toMatchObject({
        daysOverdue: 4,
        dunningStep: 'reminder',
        dunningSteps: [{ stepId: 'reminder', action: 'EMAIL', outcome: 'SENT', daysOverdue: 3 }],
      });
    }
    expect(await texts()).toEqual([]);
  });

  it('holds the SMS step during quiet hours and sends it once the next morning', async () => {
    await runDay(dayAfterDue(10, '21:30'));
    expect(await texts()).toEqual([]);
    expect((await invoice(unpaid.invoice.id)).dunningSteps.map((s) => s.stepId)).toEqual(['reminder']);

    await runDay(dayAfterDue(11));
    const sms = await textsTo(owing.phone);
    expect(sms).toHaveLength(1);
    expect(sms[0]?.message).toContain(`${unpaid.invoice.number}`);
    expect(sms[0]?.message).toContain('11 days overdue');
    expect(await textsTo(paying.phone)).toHaveLength(1);
    expect((await invoice(paid.invoice.id)).dunningStep).toBe('sms');
  });

  it('stops escalating an invoice the moment a payment settles it', async () => {
    const { registerPayment } = await gql<{ registerPayment: { applied: { amount: string } } }>(
      'backoffice',
      'mutation($i: RegisterPaymentInput!) { registerPayment(input: $i) { applied { amount } } }',
      {
        i: { invoiceId: paid.invoice.id, amount: '300.00', currency: 'EUR', paidDate: addDays(dueDate, 12) },
      },
    );
    expect(registerPayment.applied.amount).toBe('300.00');
    await stack.changes.idle();

    for (const day of [20, 30, 31, 45]) await runDay(dayAfterDue(day));

    expect(await invoice(paid.invoice.id)).toMatchObject({ status: 'PAID', dunningStep: 'sms' });
    expect((await invoice(paid.invoice.id)).dunningSteps.map((s) => s.stepId)).toEqual(['reminder', 'sms']);
    expect((await mailsTo(paying.email)).map((m) => m.subject.split(':')[1]?.trim())).toEqual([
      `invoice ${paid.invoice.number}`,
      `payment reminder for invoice ${paid.invoice.number}`,
    ]);
    expect(await textsTo(paying.phone)).toHaveLength(1);
  });

  it('at 30 days gives the collector a task with the formal letter and mails the letter, once', async () => {
    const view = await invoice(unpaid.invoice.id);
    expect(view).toMatchObject({ status: 'OVERDUE', daysOverdue: 45, dunningStep: 'collector' });
    expect(view.dunningSteps.map((s) => [s.stepId, s.outcome, s.daysOverdue])).toEqual([
      ['collector', 'SENT', 30],
      ['reminder', 'SENT', 3],
      ['sms', 'SENT', 11],
    ]);
    const notices = (await mailsTo(owing.email)).filter((m) => m.subject.includes('formal notice'));
    expect(notices).toHaveLength(1);

    const { collectorTasks } = await gql<{
      collectorTasks: {
        edges: Array<{ node: { invoiceId: string; amount: { amount: string }; letterUrl: string } }>;
      };
    }>(
      'backoffice',
      '{ collectorTasks(first: 10) { edges { node { invoiceId amount { amount } letterUrl } } } }',
    );
    // The seed's own overdue invoices reach the collector too; of this test's invoices, only the unpaid one does.
    const ours = collectorTasks.edges.filter((e) =>
      [unpaid.invoice.id, paid.invoice.id].includes(e.node.invoiceId),
    );
    expect(ours.map((e) => e.node.invoiceId)).toEqual([unpaid.invoice.id]);
    const task = ours[0]?.node;
    expect(task?.amount.amount).toBe('1234.50');
    const letter = await pdfText(new Uint8Array(await (await fetch(task?.letterUrl ?? '')).arrayBuffer()));
    expect(letter).toContain('Předžalobní výzva k úhradě');
    expect(letter.replace(/\n/g, ' ')).toContain(`Faktura ${unpaid.invoice.number}`);
    expect(letter.replace(/\n/g, ' ')).toContain('je 30 dní po splatnosti. Částka 1 234,50 €');
    const mailed = await pdfText(
      new Uint8Array(Buffer.from(notices[0]?.attachments[0]?.content ?? '', 'base64')),
    );
    expect(mailed).toBe(letter);

    // The advisor's task list has the follow-up, once, however often the step was evaluated.
    const followUps = await swept.tasks.reads.listTasks(
      systemPrincipal('demo-brokerage'),
      { clientId: unpaid.clientId },
      { limit: 100, cursor: null },
    );
    expect(
      followUps.items
        .filter((t) => t.typeCode === 'PAYMENT_FOLLOW_UP')
        .map((t) => [t.id, t.priority, t.status]),
    ).toEqual([[`dunning.${unpaid.invoice.id}.collector`, 'HIGH', 'OPEN']]);
  });

  it("shows the debtor's status, the amount overdue and the current step on the client card", async () => {
    const { clientCard } = await gql<{
      clientCard: {
        debtor: { status: string; amountOverdue: { amount: string } | null; currentStep: string | null };
      };
    }>(
      'advisor',
      'query($id: ID!) { clientCard(id: $id) { debtor { status amountOverdue { amount } currentStep } } }',
      { id: unpaid.clientId },
    );
    expect(clientCard.debtor).toEqual({
      status: 'OVERDUE',
      amountOverdue: { amount: '1234.50' },
      currentStep: 'collector',
    });
  });

  it('sends nothing new and writes nothing when every delivered change is replayed', async () => {
    expect(stack.changes.failures()).toEqual([]);
    // The signed link changes with every read; everything else must not.
    const state = async (id: string) => ({ ...(await invoice(id)), pdfUrl: null });
    const before = {
      mails: (await mails()).length,
      texts: (await texts()).length,
      paid: await state(paid.invoice.id),
      unpaid: await state(unpaid.invoice.id),
    };
    const replay = delivered.filter((e) => e.detail.entityType === 'Invoice');
    expect(replay.length).toBeGreaterThan(20);
    for (const event of replay) await debtors?.(event, lambdaContext('debtors', 60));
    await stack.changes.idle();
    expect((await mails()).length).toBe(before.mails);
    expect((await texts()).length).toBe(before.texts);
    expect(await state(paid.invoice.id)).toEqual(before.paid);
    expect(await state(unpaid.invoice.id)).toEqual(before.unpaid);
  });
});

describe('an insurer-reported premium payment, end to end on the local stack', () => {
  it('settles the first instalment invoice from a signed premium.paid delivery, once', async () => {
    const insurer = stack.dev.insurers.find((i) => i.tenant === 'demo-brokerage' && i.name === 'Kooperativa');
    if (!insurer) throw new Error('no seeded insurer');
    const { productLines } = await gql<{
      productLines: { edges: Array<{ node: { id: string; code: string } }> };
    }>('advisor', '{ productLines { edges { node { id code } } } }');
    const mtpl = productLines.edges.find((e) => e.node.code === 'MTPL')?.node.id;
    const { createClient } = await gql<{ createClient: { id: string } }>(
      'advisor',
      'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
      {
        i: {
          kind: 'PERSON',
          firstName: 'Ivan',
          lastName: 'Pojištěný',
          segment: 'INDIVIDUAL',
          acquisitionType: 'ADVISOR',
        },
      },
    );
    const today = isoDateInZone(new Date(), 'Europe/Prague');
    const policyNumber = `KOOP-E2E-${Date.now()}`;
    const { writePolicy } = await gql<{ writePolicy: { id: string } }>(
      'advisor',
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      {
        i: mtplInput({ insurerId: insurer.id, mtplId: mtpl ?? '' }, createClient.id, {
          policyNumber,
          premium: { amount: '1000.00', currency: 'EUR' },
          writtenDate: today,
          termStart: addDays(today, 30),
          termEnd: addDays(today, 394),
        }),
      },
    );
    const { generateInstalmentInvoices: plan } = await gql<{
      generateInstalmentInvoices: Array<{ id: string; dueDate: string; status: string }>;
    }>(
      'backoffice',
      'mutation($i: GenerateInstalmentInvoicesInput!) { generateInstalmentInvoices(input: $i) { id dueDate status } }',
      { i: { policyId: writePolicy.id, issue: true } },
    );
    expect(plan.map((i) => i.status)).toEqual(['ISSUED', 'ISSUED', 'ISSUED', 'ISSUED']);
    await stack.changes.idle();

    const body = JSON.stringify({
      id: `evt_paid_${Date.now()}`,
      type: 'premium.paid',
      data: { policyNumber, amount: { amount: '250.00', currency: 'EUR' }, paidDate: today },
    });
    const response = await fetch(insurer.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders(insurer.secret, body) },
      body,
    });
    expect(response.status).toBe(200);
    await stack.changes.idle();

    const status = async (id: string) =>
      (
        await gql<{
          invoice: { status: string; payments: Array<{ source: string; amount: { amount: string } }> };
        }>(
          'backoffice',
          'query($id: ID!) { invoice(id: $id) { status payments { source amount { amount } } } }',
          { id },
        )
      ).invoice;
    const first = plan[0]?.id ?? '';
    expect(await status(first)).toEqual({
      status: 'PAID',
      payments: [{ source: 'INSURER', amount: { amount: '250.00' } }],
    });
    expect((await status(plan[1]?.id ?? '')).status).toBe('ISSUED');

    const reported = delivered.filter((e) => e.detail.entityType === 'InsurerPremiumPayment');
    expect(reported).toHaveLength(1);
    for (const event of [...reported, ...reported]) await debtors?.(event, lambdaContext('debtors', 60));
    expect((await status(first)).payments).toHaveLength(1);
    expect((await status(plan[1]?.id ?? '')).status).toBe('ISSUED');
  });
});
