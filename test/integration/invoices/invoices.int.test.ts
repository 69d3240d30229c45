import { beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../functions/shared/clock.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { type InvoiceHarness, invoiceHarness } from '../../support/invoices.js';

const clock = new FixedClock(new Date('2026-03-10T09:00:00Z'));
const app = createTestApp(clock);
let b: Brokerage;
let h: InvoiceHarness;

function present<T>(value: T | null | undefined): T {
  if (value === null || value === undefined) throw new Error('expected a value');
  return value;
}

async function client(overrides: Record<string, unknown> = {}): Promise<string> {
  const c = await h.services.clients.records.createClient(b.as.advisor, personInput(overrides));
  return c.id;
}

async function draft(clientId: string, amount: string, dueDate = '2026-03-31'): Promise<string> {
  const invoice = await h.services.invoices.invoices.createInvoice(b.as.advisor, {
    clientId,
    currency: 'EUR',
    lines: [{ description: 'Broker fee', unitPrice: amount }],
    dueDate,
  });
  return invoice.id;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Invoices Brokerage');
  h = invoiceHarness(app, clock);
});

describe('invoice numbering', () => {
  it('numbers 50 concurrent issues 1..50 with no gap and no duplicate', async () => {
    const clientId = await client({ email: 'many@example.com' });
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => draft(clientId, `${100 + i}.00`)));
    const issued = await Promise.all(
      ids.map((id) => h.services.invoices.invoices.issueInvoice(b.as.backoffice, { id })),
    );
    const numbers = issued.map((i) => i.number).sort();
    expect(numbers).toEqual(Array.from({ length: 50 }, (_, i) => `2026-${String(i + 1).padStart(6, '0')}`));
    expect(new Set(issued.map((i) => i.reference)).size).toBe(50);
    expect(h.store.objects.size).toBe(50);
    expect(h.mailer.sent.filter((m) => m.to === 'many@example.com')).toHaveLength(50);
    // 50 writers contend for one counter item: on a loaded 2-core machine this takes ~30 s.
  }, 90_000);

  it('refuses to issue an invoice twice', async () => {
    const id = await draft(await client(), '10.00');
    await h.services.invoices.invoices.issueInvoice(b.as.backoffice, { id });
    await expect(h.services.invoices.invoices.issueInvoice(b.as.backoffice, { id })).rejects.toMatchObject({
      code: 'RULE_VIOLATION',
    });
  });

  it('keeps partners away from invoices', async () => {
    await expect(h.services.invoices.invoices.getInvoice(b.as.partner, 'x')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });
});

describe('instalment plans', () => {
  it('generates one invoice per instalment once, however often it runs', async () => {
    const clientId = await client();
    const written = await app.exec<{ writePolicy: { id: string } }>(
      b.as.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      { i: mtplInput(b, clientId, { premium: { amount: '1000.00', currency: 'EUR' } }) },
    );
    const policyId = written.data?.writePolicy.id as string;
    const first = await h.services.invoices.invoices.generateInstalmentInvoices(b.as.backoffice, {
      policyId,
      issue: true,
    });
    const again = await h.services.invoices.invoices.generateInstalmentInvoices(b.as.backoffice, {
      policyId,
    });
    expect(first).toHaveLength(4);
    expect(again).toHaveLength(0);
    expect(first.map((i) => i.total.amount)).toEqual(['250.00', '250.00', '250.00', '250.00']);
    expect(first.every((i) => i.policyId === policyId && i.productLineId === b.mtplId && i.number)).toBe(
      true,
    );
  });
});

describe('payments and the bank statement', () => {
  it('imports matched, partial, over- and unmatched rows, and a re-import changes nothing', async () => {
    const jana = await client({ externalId: 'EXT-JANA' });
    const full = await h.services.invoices.invoices.issueInvoice(b.as.backoffice, {
      id: await draft(jana, '300.00'),
    });
    const part = await h.services.invoices.invoices.issueInvoice(b.as.backoffice, {
      id: await draft(jana, '500.00'),
    });
    const over = await h.services.invoices.invoices.issueInvoice(b.as.backoffice, {
      id: await draft(jana, '200.00'),
    });
    const byClient = await h.services.invoices.invoices.issueInvoice(b.as.backoffice, {
      id: await draft(jana, '77.70'),
    });
    const csv = [
      'date,amount,currency,reference,clientRef,payer',
      `2026-03-11,300.00,EUR,${full.number},,Jana`,
      `2026-03-11,120.50,EUR,VS ${part.reference},,Jana`,
      `2026-03-12,250.00,EUR,${over.reference},,Jana`,
      '2026-03-12,77.70,EUR,,EXT-JANA,Jana',
      '2026-03-12,999.00,EUR,UNKNOWN-1,,Somebody',
    ].join('\n');
    const result = await h.services.invoices.payments.importBankStatement(b.as.backoffice, { csv });
    expect(result.rows.map((r) => r.outcome)).toEqual([
      'MATCHED',
      'PARTIAL',
      'OVERPAID',
      'MATCHED',
      'UNMATCHED',
    ]);
    expect(result.rows[3]?.invoiceId).toBe(byClient.id);

    const again = await h.services.invoices.payments.importBankStatement(b.as.backoffice, { csv });
    expect(again.rows.map((r) => r.outcome)).toEqual(Array(5).fill('DUPLICATE'));

    const reload = (id: string) => h.services.invoices.invoices.getInvoice(b.as.backoffice, id);
    expect(await reload(full.id)).toMatchObject({ status: 'PAID', outstanding: { amount: '0.00' } });
    expect(await reload(part.id)).toMatchObject({
      status: 'PARTIALLY_PAID',
      outstanding: { amount: '379.50' },
    });
    expect(await reload(over.id)).toMatchObject({ status: 'PAID', outstanding: { amount: '0.00' } });

    const payments = await h.services.invoices.payments.paymentsOfInvoice(b.as.backoffice, over.id);
    expect(payments[0]).toMatchObject({
      amount: { amount: '250.00' },
      applied: { amount: '200.00' },
      credited: { amount: '50.00' },
      policyId: null,
      period: '2026-03',
      late: false,
    });

    const card = present(await h.services.clients.reads.clientCard(b.as.advisor, jana));
    const debtor = h.services.invoices.receivables.debtorSummary(card.invoices, card.credits);
    expect(debtor).toMatchObject({
      status: 'CURRENT',
      outstanding: { amount: '379.50' },
      credit: { amount: '50.00' },
    });
    expect(card.openInvoices.map((i) => i.id)).toEqual([part.id]);

    const queue = await h.services.invoices.payments.unmatchedPayments(b.as.backoffice, {
      limit: 10,
      cursor: null,
    });
    const row = queue.items.find((r) => r.reference === 'UNKNOWN-1');
    expect(row).toMatchObject({ reason: 'NO_MATCH', amount: { amount: '999.00', currency: 'EUR' } });
  });

  it('resolves a queued row onto an invoice and takes it off the queue', async () => {
    const c = await client();
    const inv = await h.services.invoices.invoices.issueInvoice(b.as.backoffice, {
      id: await draft(c, '42.00'),
    });
    const csv = 'date,amount,currency,reference\n2026-03-12,42.00,EUR,nothing-like-it';
    const imported = await h.services.invoices.payments.importBankStatement(b.as.backoffice, { csv });
    const unmatchedId = `bank-${imported.importId}-1`;
    await h.services.invoices.payments.resolveUnmatchedPayment(b.as.backoffice, {
      unmatchedId,
      invoiceId: inv.id,
    });
    expect((await h.services.invoices.invoices.getInvoice(b.as.backoffice, inv.id))?.status).toBe('PAID');
    const queue = await h.services.invoices.payments.unmatchedPayments(b.as.backoffice, {
      limit: 100,
      cursor: null,
    });
    expect(queue.items.some((r) => r.id === unmatchedId)).toBe(false);
  });

  it('reverses a payment: the invoice reopens and the reversal is a negative payment', async () => {
    const c = await client();
    const inv = await h.services.invoices.invoices.issueInvoice(b.as.backoffice, {
      id: await draft(c, '80.00'),
    });
    const paid = await h.services.invoices.payments.registerPayment(b.as.backoffice, {
      invoiceId: inv.id,
      amount: '100.00',
      currency: 'EUR',
      paidDate: '2026-03-12',
    });
    const reversal = await h.services.invoices.payments.reversePayment(b.as.backoffice, {
      invoiceId: inv.id,
      paymentId: paid.id,
      reason: 'Bank returned the payment',
    });
    expect(reversal).toMatchObject({
      amount: { amount: '-100.00' },
      applied: { amount: '-80.00' },
      credited: { amount: '-20.00' },
    });
    expect(await h.services.invoices.invoices.getInvoice(b.as.backoffice, inv.id)).toMatchObject({
      status: 'ISSUED',
      outstanding: { amount: '80.00' },
    });
    await expect(
      h.services.invoices.payments.reversePayment(b.as.backoffice, {
        invoiceId: inv.id,
        paymentId: paid.id,
        reason: 'again',
      }),
    ).rejects.toMatchObject({ code: 'RULE_VIOLATION' });
    const card = present(await h.services.clients.reads.clientCard(b.as.advisor, c));
    expect(h.services.invoices.receivables.debtorSummary(card.invoices, card.credits).credit).toEqual({
      amount: '0.00',
      currency: 'EUR',
    });
  });

  it('lists payments made in a period by index', async () => {
    const page = await h.services.invoices.receivables.payments(
      b.as.backoffice,
      { period: '2026-03' },
      { limit: 100, cursor: null },
    );
    expect(page.items.length).toBeGreaterThanOrEqual(5);
    expect(page.items.every((p) => p.period === '2026-03')).toBe(true);
    const mine = await h.services.invoices.receivables.payments(
      b.as.advisor,
      { period: '2026-03' },
      { limit: 100, cursor: null },
    );
    expect(mine.items.every((p) => p.advisorId === b.advisorId)).toBe(true);
  });
});
