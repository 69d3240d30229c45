import { describe, expect, it } from 'vitest';
import { createServices } from '../../../functions/modules/services.js';
import { WebhooksRepository } from '../../../functions/modules/webhooks/webhooks.repository.js';
import { composeWebhooks } from '../../../functions/modules/webhooks-wiring.js';
import { FixedClock, systemClock } from '../../../functions/shared/clock.js';
import type { StoredItem } from '../../../functions/shared/db.js';
import { keys } from '../../../functions/shared/table-design.js';
import { errorCode } from '../../support/app.js';
import { createBrokerage } from '../../support/brokerage.js';
import { deliver, issuedEvent, reportOf, signedHeaders } from './webhook-support.js';

import {
  app,
  archivedKeys,
  b,
  insurerId,
  policiesOf,
  secret,
  setUpSignedInsurer,
} from './webhooks-harness.js';

// Insurer webhooks over DynamoDB Local: idempotency, failures part-way and tenant isolation.
setUpSignedInsurer();

describe('idempotency', () => {
  it('answers 1,000 repeats of one delivery as the first, with one policy', async () => {
    const event = issuedEvent();
    const body = JSON.stringify(event);
    const headers = signedHeaders(secret, body, { id: 'msg_thousand' });
    const answers: string[] = [];
    for (let chunk = 0; chunk < 20; chunk++) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, () =>
          app.services.webhooks.deliveries.receive({ insurerId, headers, body }),
        ),
      );
      answers.push(...batch.map((r) => `${r.statusCode} ${r.body}`));
    }
    expect(answers).toHaveLength(1000);
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toMatch(/^200 /);
    const matching = (await policiesOf(insurerId)).filter((p) => p.policyNumber === event.data.policyNumber);
    expect(matching).toHaveLength(1);
  });

  it('remembers the answer to a 500-event delivery full of rejections (larger than an item as text)', async () => {
    const events = Array.from({ length: 500 }, (_, i) => ({
      id: `evt_bad_${i}_${'x'.repeat(85)}`,
      type: 'policy.issued',
      data: { note: 'y'.repeat(100) },
    }));
    const body = JSON.stringify({ events });
    const headers = signedHeaders(secret, body, { id: 'msg_all_rejected' });
    const first = await app.services.webhooks.deliveries.receive({ insurerId, headers, body });
    expect(reportOf(first).rejected).toBe(500);
    expect(first.body.length).toBeGreaterThan(400_000);
    const again = await app.services.webhooks.deliveries.receive({ insurerId, headers, body });
    expect(again).toEqual(first);
  });

  it('remembers a delivery id for 7 days through the TTL attribute', async () => {
    await deliver(app, insurerId, secret, issuedEvent(), { id: 'msg_ttl' });
    const item = await app.db.get(keys.webhookDedupe(b.tenantId, insurerId, 'msg_ttl'));
    const ttl = Number(item?.ttl);
    const hours = (ttl - Date.now() / 1000) / 3600;
    expect(hours).toBeGreaterThan(76);
    expect(hours).toBeLessThanOrEqual(7 * 24);
  });

  it('treats an event id seen in an earlier delivery as a duplicate that writes nothing', async () => {
    const event = issuedEvent();
    const first = reportOf(await deliver(app, insurerId, secret, { events: [event] }));
    const again = reportOf(await deliver(app, insurerId, secret, { events: [event] }));
    expect(first.events[0]?.status).toBe('accepted');
    expect(again.events[0]).toMatchObject({ status: 'duplicate', policyId: first.events[0]?.policyId });
    const cancel = {
      id: `${event.id}-c`,
      type: 'policy.cancelled',
      data: { policyNumber: event.data.policyNumber, date: '2026-12-20' },
    };
    const cancelled = reportOf(await deliver(app, insurerId, secret, cancel));
    const cancelledAgain = reportOf(await deliver(app, insurerId, secret, cancel));
    expect(cancelled.events[0]?.status).toBe('accepted');
    expect(cancelledAgain.events[0]?.status).toBe('duplicate');
    const policy = await app.services.policies.reads.getPolicy(b.admin, first.events[0]?.policyId ?? '');
    expect(policy?.statusHistory.map((s) => s.to)).toEqual(['ACTIVE', 'CANCELLED']);
  });
});

describe('failures part-way', () => {
  it('lets a retry take over a delivery whose first attempt died, once its lease ran out', async () => {
    const repo = new WebhooksRepository(app.db);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await repo.claimDelivery(b.tenantId, insurerId, 'msg_crashed', twoMinutesAgo, 60, 3600);
    const report = reportOf(await deliver(app, insurerId, secret, issuedEvent(), { id: 'msg_crashed' }));
    expect(report.accepted).toBe(1);
  });

  it('answers 503 without storing the answer while an event is held by a live attempt, and applies it after', async () => {
    const repo = new WebhooksRepository(app.db);
    const event = issuedEvent();
    const hold = (at: Date) =>
      repo.claimEvent(
        b.tenantId,
        insurerId,
        {
          eventId: event.id,
          type: event.type,
          state: 'PROCESSING',
          leaseUntil: new Date(at.getTime() + 60_000).toISOString(),
          policyId: null,
          note: null,
          webhookId: 'msg_other',
        },
        at,
      );
    await hold(new Date());
    const busy = await deliver(app, insurerId, secret, event, { id: 'msg_busy' });
    expect(busy.statusCode).toBe(503);
    expect(JSON.parse(busy.body)).toMatchObject({ status: 503, code: 'CONFLICT' });
    expect(await app.db.get(keys.webhookDedupe(b.tenantId, insurerId, 'msg_busy'))).toBeUndefined();

    // The holder died: its lease is in the past, so the insurer's retry applies the event.
    await app.db.put({
      ...(await app.db.get(keys.webhookEvent(b.tenantId, insurerId, event.id), { consistent: true })),
      ...keys.webhookEvent(b.tenantId, insurerId, event.id),
      leaseUntil: new Date(Date.now() - 1000).toISOString(),
    } as StoredItem);
    const retried = reportOf(await deliver(app, insurerId, secret, event, { id: 'msg_busy' }));
    expect(retried.events[0]).toMatchObject({ status: 'accepted' });
  });

  it('answers 503 when the time budget runs out before every event started, and the retry finishes the rest', async () => {
    const logged: string[] = [];
    const hurried = createServices(app.db, systemClock, {
      archive: { store: app.objects, bucket: 'test-archive' },
      webhookLog: (message) => logged.push(message),
      webhookTimeBudgetMs: -1,
    }).webhooks.deliveries;
    const first = issuedEvent();
    // One event applied by an earlier attempt, then an attempt that runs out of time at once.
    reportOf(await deliver(app, insurerId, secret, first));
    const events = [first, issuedEvent(), issuedEvent()];
    const body = JSON.stringify({ events });
    const headers = signedHeaders(secret, body, { id: 'msg_out_of_time' });
    const late = await hurried.receive({ insurerId, headers, body });
    expect(late.statusCode).toBe(503);
    expect(logged).toEqual(['webhook delivery out of time']);
    expect(await app.db.get(keys.webhookDedupe(b.tenantId, insurerId, 'msg_out_of_time'))).toBeUndefined();
    // Archived and listed, unanswered, so an admin could replay it even if the insurer never retried.
    const listed = await app.services.webhooks.deliveries.listDeliveries(b.admin, insurerId, {
      limit: 100,
      cursor: null,
    });
    const unanswered = listed.items.find((d) => d.webhookId === 'msg_out_of_time');
    expect(unanswered).toMatchObject({ statusCode: 0 });

    const retried = reportOf(await app.services.webhooks.deliveries.receive({ insurerId, headers, body }));
    expect(retried.events.map((e) => e.status)).toEqual(['duplicate', 'accepted', 'accepted']);
    // The log entry keeps its first receipt (its place in the list, its index sort key) and takes the answer.
    const logged2 = await app.services.webhooks.deliveries.listDeliveries(b.admin, insurerId, {
      limit: 100,
      cursor: null,
    });
    expect(logged2.items.filter((d) => d.webhookId === 'msg_out_of_time')).toEqual([
      { ...unanswered, statusCode: 200, accepted: 2, duplicates: 1, rejected: 0 },
    ]);
  });

  it('logs a refused delivery with its reason only, never its body', async () => {
    const logged: Array<[string, Record<string, unknown>]> = [];
    const services = createServices(app.db, systemClock, {
      archive: { store: app.objects, bucket: 'test-archive' },
      webhookLog: (message, fields) => logged.push([message, fields]),
    });
    const body = JSON.stringify(issuedEvent({}, { policyNumber: 'SECRET-NUMBER-42' }));
    const headers = signedHeaders(secret, body);
    const response = await services.webhooks.deliveries.receive({
      insurerId,
      headers,
      body: body.replace('42', '43'),
    });
    expect(response.statusCode).toBe(401);
    expect(logged).toEqual([['webhook refused', { insurerId, reason: 'NO_MATCHING_SIGNATURE' }]]);
  });
});

describe('per-tenant and per-insurer delivery limits', () => {
  it('refuses a delivery over its insurer’s limit with a 429 problem and Retry-After, stores nothing of it, and accepts its retry once the window refilled', async () => {
    const clock = new FixedClock(new Date());
    const logged: Array<[string, Record<string, unknown>]> = [];
    // The webhook function's composition, with its limits set small: one delivery a minute per insurer.
    const limited = composeWebhooks(app.db, clock, {
      archive: { store: app.objects, bucket: 'test-archive' },
      log: (message, fields) => logged.push([message, fields]),
      deliveryLimits: { tenantPerMinute: 10, insurerPerMinute: 1, maxKeys: 100 },
    }).deliveries;
    const send = (id: string, event: unknown) => {
      const body = JSON.stringify(event);
      return limited.receive({
        insurerId,
        headers: signedHeaders(secret, body, { id, at: clock.now() }),
        body,
      });
    };
    const [first, second] = [issuedEvent(), issuedEvent()];
    const accepted = await send('msg_limit_first', first);
    expect(reportOf(accepted).accepted).toBe(1);

    const refused = await send('msg_limit_second', second);
    expect(refused.statusCode).toBe(429);
    expect(refused.contentType).toBe('application/problem+json');
    expect(refused.headers).toEqual({ 'retry-after': '60' });
    expect(JSON.parse(refused.body)).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      retryAfterSeconds: 60,
    });
    expect(logged).toEqual([
      ['webhook refused', { insurerId, reason: 'RATE_LIMITED', retryAfterSeconds: 60 }],
    ]);
    // Nothing of the refused delivery: no archive, no claim, no log entry, no policy.
    expect(archivedKeys('msg_limit_second')).toEqual([]);
    expect(await app.db.get(keys.webhookDedupe(b.tenantId, insurerId, 'msg_limit_second'))).toBeUndefined();
    const repo = new WebhooksRepository(app.db);
    expect(await repo.getDelivery(b.tenantId, insurerId, 'msg_limit_second')).toBeUndefined();
    expect((await policiesOf(insurerId)).some((p) => p.policyNumber === second.data.policyNumber)).toBe(
      false,
    );

    // A repeat of the answered delivery gets its answer again, limit or not: it costs nothing.
    expect(await send('msg_limit_first', first)).toEqual(accepted);

    clock.set(new Date(clock.now().getTime() + 60_000));
    const retried = reportOf(await send('msg_limit_second', second));
    expect(retried.events[0]).toMatchObject({ status: 'accepted' });
    expect(archivedKeys('msg_limit_second')).toHaveLength(1);
    expect(
      (await policiesOf(insurerId)).filter((p) => p.policyNumber === second.data.policyNumber),
    ).toHaveLength(1);
  });
});

describe('tenant isolation', () => {
  it('keeps another brokerage’s insurer, secrets, deliveries and policies apart', async () => {
    const other = await createBrokerage(app, 'Other Webhook Brokerage');
    const theirs = await app.services.org.catalog.createInsurer(other.admin, { name: 'Their Insurer' });
    await app.services.webhooks.mappings.setMapping(other.admin, {
      insurerId: theirs.insurer.id,
      expectedVersion: 0,
      defaultAdvisorId: other.advisorId,
      rules: [],
    });
    // Their secret does not open our insurer's URL, nor ours theirs.
    expect((await deliver(app, insurerId, theirs.webhookSecret, issuedEvent())).statusCode).toBe(401);
    expect((await deliver(app, theirs.insurer.id, secret, issuedEvent())).statusCode).toBe(401);

    const event = issuedEvent();
    const report = reportOf(
      await deliver(app, theirs.insurer.id, theirs.webhookSecret, event, { id: 'msg_theirs' }),
    );
    expect(report.accepted).toBe(1);
    expect(archivedKeys('msg_theirs')[0]).toContain(`/webhooks/${other.tenantId}/${theirs.insurer.id}/`);
    // Our admin sees neither their insurer's deliveries nor their policy.
    const list = await app.exec(
      b.admin,
      `query($i: ID!) { webhookDeliveries(insurerId: $i) { edges { node { webhookId } } } }`,
      {
        i: theirs.insurer.id,
      },
    );
    expect(errorCode(list)).toBe('NOT_FOUND');
    expect(await app.services.policies.reads.getPolicy(b.admin, report.events[0]?.policyId ?? '')).toBeNull();
  });
});
