import { describe, expect, it } from 'vitest';
import { keys } from '../../../functions/shared/table-design.js';
import { deliver, issuedEvent, reportOf } from './webhook-support.js';
import { app, b, insurerId, secret, setUpSignedInsurer } from './webhooks-harness.js';

// Premium payments in batches (issue 18, webhook ingestion): a delivery of payments for policies no
// other event of it touches is read and written a batch at a time, and still applies each event once.
setUpSignedInsurer();

const paid = (id: string, policyNumber: string, day: number) => ({
  id,
  type: 'premium.paid',
  data: {
    policyNumber,
    amount: { amount: `${100 + day}.00`, currency: 'EUR' },
    paidDate: `2026-12-${String(1 + (day % 28)).padStart(2, '0')}`,
  },
});

const requestsSoFar = () => Object.values(app.db.stats.requests).reduce((sum, n) => sum + n, 0);

describe('premium payments in batches', () => {
  it('records 120 payments with a few batched requests, refuses an unknown policy and applies a repeated id once', async () => {
    const issued = [issuedEvent(), issuedEvent(), issuedEvent()];
    expect(reportOf(await deliver(app, insurerId, secret, { events: issued })).accepted).toBe(3);
    const numbers = issued.map((e) => e.data.policyNumber);
    const events = Array.from({ length: 120 }, (_, i) => paid(`evt_batch_${i}`, numbers[i % 3] as string, i));
    events.push(paid('evt_batch_unknown', 'NO-SUCH-POLICY', 1), paid('evt_batch_7', numbers[1] as string, 7));

    const before = requestsSoFar();
    const report = reportOf(await deliver(app, insurerId, secret, { events }, { id: 'msg_premium_batch' }));
    const requests = requestsSoFar() - before;

    expect(report).toMatchObject({ accepted: 120, duplicates: 1, rejected: 1 });
    expect(report.events[120]).toMatchObject({
      eventId: 'evt_batch_unknown',
      status: 'rejected',
      errors: [{ path: 'data.policyNumber', message: 'names no policy of this insurer' }],
    });
    expect(report.events[121]).toMatchObject({ eventId: 'evt_batch_7', status: 'duplicate' });
    expect(report.events.slice(0, 120).every((e) => e.status === 'accepted' && e.policyId)).toBe(true);
    // One at a time this was four requests an event (~490); batched it is the delivery's own few,
    // two BatchGets for the numbers, a BatchGet and a transaction per 50 events, and the repeat's path.
    expect(requests).toBeLessThan(25);

    const policyIds = [...new Set(report.events.slice(0, 120).map((e) => e.policyId as string))];
    const stored = await Promise.all(
      policyIds.map((id) => app.db.queryAll({ partition: keys.insurerPremiumPayments(b.tenantId, id) })),
    );
    expect(stored.flat()).toHaveLength(120);
  });

  it('answers the same payments under a new webhook id as duplicates and stores nothing more', async () => {
    const issued = issuedEvent();
    expect(reportOf(await deliver(app, insurerId, secret, issued)).accepted).toBe(1);
    const events = Array.from({ length: 60 }, (_, i) => paid(`evt_again_${i}`, issued.data.policyNumber, i));
    const first = reportOf(await deliver(app, insurerId, secret, { events }, { id: 'msg_again_1' }));
    const second = reportOf(await deliver(app, insurerId, secret, { events }, { id: 'msg_again_2' }));
    expect(first).toMatchObject({ accepted: 60, duplicates: 0 });
    expect(second).toMatchObject({ accepted: 0, duplicates: 60, rejected: 0 });
    expect(second.events.map((e) => e.policyId)).toEqual(first.events.map((e) => e.policyId));
    const policyId = first.events[0]?.policyId as string;
    const stored = await app.db.queryAll({ partition: keys.insurerPremiumPayments(b.tenantId, policyId) });
    expect(stored).toHaveLength(60);
  });
});
