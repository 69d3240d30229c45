import Decimal from 'decimal.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../functions/shared/clock.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';
import { execWith, type InvoiceHarness, invoiceHarness } from '../../support/invoices.js';

const clock = new FixedClock(new Date('2026-03-10T09:00:00Z'));
const app = createTestApp(clock);
let b: Brokerage;
let h: InvoiceHarness;

beforeAll(async () => {
  b = await createBrokerage(app, 'Concurrent Payments Brokerage');
  h = invoiceHarness(app, clock);
});

describe('registerPayment without a version, many at once on one invoice', () => {
  it('books all 40 concurrent payments (none answers CONFLICT) and the invoice totals are exact', async () => {
    const client = await h.services.clients.records.createClient(b.as.advisor, personInput());
    const draft = await h.services.invoices.invoices.createInvoice(b.as.advisor, {
      clientId: client.id,
      currency: 'EUR',
      lines: [{ description: 'Broker fee', unitPrice: '1000.00' }],
      dueDate: '2026-03-31',
    });
    const invoice = await h.services.invoices.invoices.issueInvoice(b.as.backoffice, { id: draft.id });
    const amounts = [
      '100.01',
      '99.99',
      '100.00',
      '100.00',
      '100.00',
      '100.00',
      '100.00',
      '100.00',
      '100.00',
      '150.00',
      ...Array.from({ length: 30 }, () => '0.10'),
    ];
    const results = await Promise.all(
      amounts.map((amount) =>
        execWith<{ registerPayment: { id: string } }>(
          app,
          h.services,
          b.as.backoffice,
          'mutation($i: RegisterPaymentInput!) { registerPayment(input: $i) { id } }',
          { i: { invoiceId: invoice.id, amount, currency: 'EUR', paidDate: '2026-03-12' } },
        ),
      ),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const after = await h.services.invoices.invoices.getInvoice(b.as.backoffice, invoice.id);
    expect(after).toMatchObject({
      status: 'PAID',
      paid: { amount: '1000.00' },
      outstanding: { amount: '0.00' },
    });
    const payments = await h.services.invoices.payments.paymentsOfInvoice(b.as.backoffice, invoice.id);
    expect(payments).toHaveLength(40);
    const credited = payments.reduce((sum, p) => sum.plus(p.credited.amount), new Decimal(0));
    expect(credited.toFixed(2)).toBe('53.00');
  }, 120_000);
});
