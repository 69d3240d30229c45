import { beforeAll, describe, expect, it } from 'vitest';
import type { Invoice, UnmatchedPayment } from '../../../functions/modules/invoices/invoices.model.js';
import { PaymentsRepository } from '../../../functions/modules/invoices/payments.repository.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { toItem } from '../../../functions/shared/items.js';
import { migrateUnmatchedPayments } from '../../../functions/shared/shard-migration.js';
import { shardOf } from '../../../functions/shared/sharded-keys.js';
import { EntityType, keys, UNMATCHED_PAYMENT_SHARDS } from '../../../functions/shared/table-design.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { changeOf, type InvoiceHarness, invoiceHarness } from '../../support/invoices.js';

/**
 * Premium payments an insurer reports (`premium.paid`, stored by the webhooks module as an
 * InsurerPremiumPayment item) reach the invoices module through the change bus: each is applied to
 * the policy's invoices once, or waits in the resolution queue.
 */
const clock = new FixedClock(new Date('2026-02-01T09:00:00Z'));
const app = createTestApp(clock);
let b: Brokerage;
let h: InvoiceHarness;
let policyId: string;
let policyNumber: string;
let instalments: Invoice[];
let eventCount = 0;

/** Stores a premium payment as the webhooks module does and returns its INSERT change. */
async function insurerPaid(amount: string, paidDate: string, reference: string | null = null) {
  eventCount++;
  const eventId = `evt_paid_${eventCount}`;
  const key = keys.insurerPremiumPayment(b.tenantId, policyId, paidDate, eventId);
  await app.db.put(
    toItem(key, EntityType.InsurerPremiumPayment, b.tenantId, {
      policyId,
      policyNumber,
      amount: { amount, currency: 'CZK' },
      paidDate,
      reference,
      insurerId: b.insurerId,
      eventId,
    }),
  );
  return changeOf(app, b.tenantId, key, 'INSERT');
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Insurer Payments Brokerage');
  h = invoiceHarness(app, clock);
  const client = await h.services.clients.records.createClient(b.as.advisor, personInput());
  const written = await app.exec<{ writePolicy: { id: string; policyNumber: string } }>(
    b.as.advisor,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id policyNumber } }',
    {
      i: mtplInput(b, client.id, {
        premium: { amount: '12000.00', currency: 'CZK' },
        termStart: '2026-03-01',
        termEnd: '2027-02-28',
        writtenDate: '2026-01-20',
      }),
    },
  );
  const policy = written.data?.writePolicy;
  if (!policy) throw new Error(`no policy: ${JSON.stringify(written.errors)}`);
  policyId = policy.id;
  policyNumber = policy.policyNumber;
  instalments = await h.services.invoices.invoices.generateInstalmentInvoices(b.as.backoffice, {
    policyId,
    issue: true,
  });
});

describe('insurer-reported premium payments', () => {
  it("settles the policy's earliest open instalment of exactly that amount, as an INSURER payment", async () => {
    expect(instalments.map((i) => i.total.amount)).toEqual(['3000.00', '3000.00', '3000.00', '3000.00']);
    const change = await insurerPaid('3000.00', '2026-02-20');
    const settled = await h.services.invoices.payments.onInsurerPayment(change);
    expect(settled).toMatchObject({ outcome: 'MATCHED', invoiceId: instalments[0]?.id });
    const payments = await h.services.invoices.payments.paymentsOfInvoice(
      b.as.backoffice,
      instalments[0]?.id ?? '',
    );
    expect(payments).toEqual([
      expect.objectContaining({
        source: 'INSURER',
        policyId,
        amount: { amount: '3000.00', currency: 'CZK' },
        applied: { amount: '3000.00', currency: 'CZK' },
        paidDate: '2026-02-20',
        period: '2026-02',
        late: false,
      }),
    ]);
    expect(
      (await h.services.invoices.invoices.getInvoice(b.as.backoffice, instalments[0]?.id ?? ''))?.status,
    ).toBe('PAID');

    const next = await h.services.invoices.payments.onInsurerPayment(
      await insurerPaid('3000.00', '2026-05-20'),
    );
    expect(next).toMatchObject({ outcome: 'MATCHED', invoiceId: instalments[1]?.id });
  });

  it('applies nothing twice when the same change is replayed', async () => {
    const change = await insurerPaid('3000.00', '2026-08-20');
    expect(await h.services.invoices.payments.onInsurerPayment(change)).toMatchObject({ outcome: 'MATCHED' });
    const paidInvoice = instalments[2]?.id ?? '';
    const before = await h.services.invoices.invoices.getInvoice(b.as.backoffice, paidInvoice);
    for (let i = 0; i < 3; i++) {
      expect(await h.services.invoices.payments.onInsurerPayment(change)).toMatchObject({
        outcome: 'DUPLICATE',
        invoiceId: paidInvoice,
      });
    }
    expect(await h.services.invoices.invoices.getInvoice(b.as.backoffice, paidInvoice)).toEqual(before);
    expect(await h.services.invoices.payments.paymentsOfInvoice(b.as.backoffice, paidInvoice)).toHaveLength(
      1,
    );
  });

  it('prefers the invoice its reference names, and queues an amount no open invoice has', async () => {
    const last = instalments[3];
    if (!last?.reference) throw new Error('no reference');
    const partial = await h.services.invoices.payments.onInsurerPayment(
      await insurerPaid('1000.00', '2026-11-10', `VS ${last.reference}`),
    );
    expect(partial).toMatchObject({ outcome: 'PARTIAL', invoiceId: last.id });

    const stray = await insurerPaid('777.00', '2026-11-11');
    expect(await h.services.invoices.payments.onInsurerPayment(stray)).toMatchObject({
      outcome: 'UNMATCHED',
      reason: 'NO_MATCH',
    });
    expect(await h.services.invoices.payments.onInsurerPayment(stray)).toMatchObject({
      outcome: 'DUPLICATE',
    });
    const queue = await h.services.invoices.payments.unmatchedPayments(b.as.backoffice, {
      limit: 10,
      cursor: null,
    });
    const queued = queue.items.find((q) => q.amount.amount === '777.00');
    expect(queued).toMatchObject({ source: 'INSURER', payer: `insurer, policy ${policyNumber}` });

    const resolved = await h.services.invoices.payments.resolveUnmatchedPayment(b.as.backoffice, {
      unmatchedId: queued?.id,
      invoiceId: last.id,
    });
    expect(resolved).toMatchObject({ source: 'INSURER', amount: { amount: '777.00' } });
    expect(await h.services.invoices.invoices.getInvoice(b.as.backoffice, last.id)).toMatchObject({
      outstanding: { amount: '1223.00' },
    });
  });

  it('ignores changes of other entity types', async () => {
    const invoiceChange = await changeOf(
      app,
      b.tenantId,
      keys.invoice(b.tenantId, instalments[0]?.clientId ?? '', instalments[0]?.id ?? ''),
    );
    expect(await h.services.invoices.payments.onInsurerPayment(invoiceChange)).toBeNull();
  });
});

describe('the resolution queue over 16 partitions', () => {
  let other: Brokerage;
  const repo = new PaymentsRepository(app.db);
  const row = (id: string, amount = '10.00'): UnmatchedPayment => ({
    id,
    source: 'INSURER',
    importId: 'insurer',
    row: 0,
    paidDate: '2026-12-01',
    amount: { amount, currency: 'CZK' },
    reference: null,
    payer: null,
    reason: 'NO_MATCH',
    at: '2026-12-01T09:00:00.000Z',
  });
  const queueOf = async (tenant: Brokerage) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const page = await h.services.invoices.payments.unmatchedPayments(tenant.as.backoffice, {
        limit: 3,
        cursor,
      });
      ids.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
      if (!cursor) return ids;
    }
    throw new Error('no last page');
  };

  beforeAll(async () => {
    other = await createBrokerage(app, 'Other Queue Brokerage');
  });

  it('spreads rows over the shards by id and lists them in id order across pages, rows added between pages included', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `q-${String(i * 2 + 10)}`);
    for (const id of ids) expect(await repo.queueUnmatched(other.tenantId, row(id))).toBe(true);
    await repo.queueUnmatched(b.tenantId, row('q-99-other-tenant'));
    expect(new Set(ids.map((id) => shardOf(id, UNMATCHED_PAYMENT_SHARDS))).size).toBeGreaterThan(4);
    expect(keys.unmatchedPayment(other.tenantId, 'q-10').pk).toMatch(/#PAYMENT#UNMATCHED#S\d+$/);

    const first = await h.services.invoices.payments.unmatchedPayments(other.as.backoffice, {
      limit: 4,
      cursor: null,
    });
    expect(first.items.map((r) => r.id)).toEqual(ids.slice(0, 4));
    // Added after page 1: one sorts after its last row (shows later, in order); one before it shows
    // later only if its shard's position is behind it — either way nothing is skipped or repeated.
    await repo.queueUnmatched(other.tenantId, row('q-15'));
    await repo.queueUnmatched(other.tenantId, row('q-11'));
    const rest: string[] = [];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await h.services.invoices.payments.unmatchedPayments(other.as.backoffice, {
        limit: 4,
        cursor,
      });
      rest.push(...page.items.map((r) => r.id));
      cursor = page.nextCursor;
    }
    expect(rest.filter((id) => id !== 'q-11')).toEqual([...ids.slice(4), 'q-15'].sort());
    const all = [...first.items.map((r) => r.id), ...rest];
    expect(new Set(all).size).toBe(all.length);
    expect(await queueOf(other)).toEqual([...ids, 'q-11', 'q-15'].sort());
    expect(await queueOf(b)).not.toContain('q-10');
    expect(await queueOf(other)).not.toContain('q-99-other-tenant');
  });

  it('reads, resolves and refuses a second resolution of a row by id in its shard; another tenant cannot reach it', async () => {
    await repo.queueUnmatched(other.tenantId, row('q-res', '5.00'));
    expect(await repo.queueUnmatched(other.tenantId, row('q-res', '5.00'))).toBe(false);
    expect(await h.services.invoices.payments.queuedPayment(other.tenantId, 'q-res')).toMatchObject({
      amount: { amount: '5.00' },
    });
    expect(await h.services.invoices.payments.queuedPayment(b.tenantId, 'q-res')).toBeUndefined();
    await app.db.transact([h.services.invoices.payments.leaveQueueOp(other.tenantId, 'q-res')]);
    await expect(
      app.db.transact([h.services.invoices.payments.leaveQueueOp(other.tenantId, 'q-res')]),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await queueOf(other)).not.toContain('q-res');
  });

  it('moves rows of the old single partition to their shards once; a row queued again meanwhile keeps one copy', async () => {
    const t = other.tenantId;
    const base = keys.unmatchedPayments(t).base;
    const old = ['m-1', 'm-2', 'm-3', 'm-4', 'm-5'];
    for (const id of old)
      await app.db.put(toItem({ pk: base, sk: id }, EntityType.UnmatchedPayment, t, row(id, '7.00')));
    await repo.queueUnmatched(t, row('m-5', '7.00'));
    await app.db.put(
      toItem(
        { pk: keys.unmatchedPayments(b.tenantId).base, sk: 'm-b' },
        EntityType.UnmatchedPayment,
        b.tenantId,
        row('m-b'),
      ),
    );
    expect(await queueOf(other)).not.toContain('m-1');

    expect(await migrateUnmatchedPayments(app.db, t)).toEqual({ moved: 4, alreadyMoved: 1 });
    expect(await migrateUnmatchedPayments(app.db, t)).toEqual({ moved: 0, alreadyMoved: 0 });
    expect(await app.db.queryAll({ partition: base })).toEqual([]);
    expect((await queueOf(other)).filter((id) => id.startsWith('m-'))).toEqual(old);
    expect(await h.services.invoices.payments.queuedPayment(t, 'm-3')).toMatchObject({ id: 'm-3' });
    expect(await queueOf(b)).not.toContain('m-b');
    expect(await app.db.queryAll({ partition: keys.unmatchedPayments(b.tenantId).base })).toHaveLength(1);
  });
});
