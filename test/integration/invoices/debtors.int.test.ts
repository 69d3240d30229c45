import { beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../functions/shared/clock.js';
import type { MailMessage } from '../../../functions/shared/mailer.js';
import { MemoryMailer } from '../../../functions/shared/mailer.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';
import { type InvoiceHarness, invoiceChange, invoiceHarness } from '../../support/invoices.js';

/**
 * The debtors consumer against DynamoDB Local, fed bus details directly: a provider failure leaves
 * the step recorded and pending, the retry sends it once, concurrent and replayed deliveries send
 * nothing more, and a step without consent or a channel is recorded as skipped.
 */
const clock = new FixedClock(new Date('2026-05-20T08:00:00Z'));
const app = createTestApp(clock);
let b: Brokerage;

/** A mailer that fails its next `failures` sends, as SES does when throttled. */
class FlakyMailer extends MemoryMailer {
  failures = 0;
  override async send(message: MailMessage): Promise<{ messageId: string }> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('Throttling: Maximum sending rate exceeded');
    }
    return super.send(message);
  }
}

async function overdueInvoice(h: InvoiceHarness, client: Record<string, unknown>, daysOverdue: number) {
  const c = await h.services.clients.records.createClient(b.as.advisor, personInput(client));
  clock.set(new Date('2026-05-01T08:00:00Z'));
  const draft = await h.services.invoices.invoices.createInvoice(b.as.advisor, {
    clientId: c.id,
    currency: 'EUR',
    lines: [{ description: 'Broker fee', unitPrice: '80.00' }],
    dueDate: '2026-05-10',
  });
  const invoice = await h.services.invoices.invoices.issueInvoice(b.as.backoffice, { id: draft.id });
  clock.set(new Date(`2026-05-${String(10 + daysOverdue).padStart(2, '0')}T08:00:00Z`));
  await h.services.invoices.dunning.sweepTenant(b.tenantId);
  return { clientId: c.id, invoiceId: invoice.id };
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Debtors Brokerage');
});

describe('the debtors consumer', () => {
  it('leaves a step pending when the provider fails, and the retry sends it exactly once', async () => {
    const mailer = new FlakyMailer();
    const h = invoiceHarness(app, clock, { mailer });
    const { clientId, invoiceId } = await overdueInvoice(h, { email: 'flaky@example.com' }, 3);
    const issuedMails = mailer.sent.length;
    const change = await invoiceChange(app, b.tenantId, clientId, invoiceId);
    mailer.failures = 1;

    await expect(h.services.invoices.dunning.onChange(change)).rejects.toThrow('Maximum sending rate');
    expect(await h.services.invoices.dunning.dunningSteps(b.as.backoffice, invoiceId)).toMatchObject([
      { stepId: 'reminder', outcome: 'PENDING' },
    ]);

    await expect(h.services.invoices.dunning.onChange(change)).resolves.toEqual({
      taken: ['reminder'],
      waiting: null,
    });
    await h.services.invoices.dunning.onChange(change);
    const reminders = mailer.sent.slice(issuedMails);
    expect(reminders.map((m) => m.subject)).toEqual([expect.stringContaining('payment reminder')]);
    expect(await h.services.invoices.dunning.dunningSteps(b.as.backoffice, invoiceId)).toMatchObject([
      { stepId: 'reminder', outcome: 'SENT' },
    ]);
  });

  it('sends each step once when the same changes are delivered five times at once', async () => {
    const h = invoiceHarness(app, clock);
    const invoices = [];
    for (const n of [1, 2, 3]) invoices.push(await overdueInvoice(h, { email: `racing${n}@example.com` }, 4));
    const changes = await Promise.all(
      invoices.map((i) => invoiceChange(app, b.tenantId, i.clientId, i.invoiceId)),
    );
    const before = h.mailer.sent.length;
    const results = await Promise.all(
      changes.flatMap((change) =>
        Array.from({ length: 5 }, () => h.services.invoices.dunning.onChange(change)),
      ),
    );
    expect(results.flatMap((r) => r.taken)).toEqual(['reminder', 'reminder', 'reminder']);
    expect(
      h.mailer.sent
        .slice(before)
        .map((m) => m.to)
        .sort(),
    ).toEqual(['racing1@example.com', 'racing2@example.com', 'racing3@example.com']);
  });

  it('records SMS without consent and e-mail without an address as skipped, sending nothing', async () => {
    const h = invoiceHarness(app, clock);
    const { clientId, invoiceId } = await overdueInvoice(h, { phone: '+420601555000' }, 12);
    const change = await invoiceChange(app, b.tenantId, clientId, invoiceId);
    expect(await h.services.invoices.dunning.onChange(change)).toEqual({
      taken: ['reminder', 'sms'],
      waiting: null,
    });
    expect(await h.services.invoices.dunning.dunningSteps(b.as.backoffice, invoiceId)).toMatchObject([
      { stepId: 'reminder', outcome: 'SKIPPED', reason: 'NO_EMAIL' },
      { stepId: 'sms', outcome: 'SKIPPED', reason: 'NO_SMS_CONSENT' },
    ]);
    expect(h.sms.sent).toEqual([]);
  });

  it('follows the dunning policy the tenant edited: its steps, days and quiet hours', async () => {
    const h = invoiceHarness(app, clock);
    await h.services.invoices.dunning.setDunningPolicy(b.as.manager, {
      expectedVersion: 0,
      steps: [{ id: 'early-sms', afterDays: 1, action: 'SMS' }],
      quietHoursStart: '08:00',
      quietHoursEnd: '12:00',
    });
    const { clientId, invoiceId } = await overdueInvoice(
      h,
      { phone: '+420601555111', consents: [{ channel: 'SMS', granted: true, how: 'web form' }] },
      1,
    );
    // 08:00 UTC is 10:00 in Prague: inside this tenant's quiet hours.
    const change = await invoiceChange(app, b.tenantId, clientId, invoiceId);
    expect(await h.services.invoices.dunning.onChange(change)).toEqual({
      taken: [],
      waiting: 'early-sms: quiet hours',
    });
    clock.set(new Date('2026-05-11T11:00:00Z'));
    expect((await h.services.invoices.dunning.onChange(change)).taken).toEqual(['early-sms']);
    expect(h.sms.sent).toEqual([
      expect.objectContaining({ to: '+420601555111', tag: `${invoiceId}:early-sms` }),
    ]);
  });
});
