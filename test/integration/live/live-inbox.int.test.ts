import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type TableChangeDetail, toChangeEvent } from '../../../functions/shared/change-event.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { InboxLiveEvents, LiveInbox } from '../../../functions/shared/live-inbox.js';
import { keys } from '../../../functions/shared/table-design.js';
import { LOCAL_AWS } from '../../../infra/local/dynamodb.js';
import { lambdaContext } from '../../../infra/local/http-adapter.js';
import { createTenant, createTestApp } from '../../support/app.js';

/**
 * Live updates as the cloud carries them, against DynamoDB Local: the `live` bus subscriber (the
 * catalog's own handler) files changes into inboxes, and an inbox poller delivers them to a
 * subscription once and in order, and nothing from another tenant or recipient.
 */
const clock = new FixedClock(new Date('2026-05-20T08:00:00Z'));
const app = createTestApp(clock);
const inbox = new LiveInbox(app.db, clock);
let live: (event: unknown, context: unknown) => Promise<unknown>;
let tenantId: string;
let otherTenantId: string;
let sequence = 5_000_000_000_000_000_000n;

function accrualChange(tenant: string, recipient: string, period: string): TableChangeDetail {
  sequence += 1n;
  return {
    eventName: 'MODIFY',
    eventID: `evt-${sequence}`,
    entityType: 'CommissionAccrual',
    tenantId: tenant,
    keys: { ...keys.commissionAccrual(tenant, recipient, period, 'EUR') },
    newImage: { recipientKey: recipient, period, currency: 'EUR', accrued: '10.00' },
    oldImage: { recipientKey: recipient, period, currency: 'EUR', accrued: '0.00' },
    sequenceNumber: String(sequence),
  };
}

function busEvent(detail: TableChangeDetail) {
  return toChangeEvent(detail, {
    id: detail.eventID,
    time: clock.now().toISOString(),
    account: '000000000000',
    region: LOCAL_AWS.region,
  });
}

async function deliver(detail: TableChangeDetail): Promise<unknown> {
  return live(busEvent(detail), lambdaContext('live', 10));
}

/** A batch off the live queue, as Lambda's SQS source hands it over (bodies are the bus events). */
async function deliverBatch(details: TableChangeDetail[], extraBodies: string[] = []): Promise<unknown> {
  const bodies = [...details.map((d) => JSON.stringify(busEvent(d))), ...extraBodies];
  const Records = bodies.map((body, i) => ({ messageId: `m-${i}`, body }));
  return live({ Records }, lambdaContext('live', 10));
}

/** Reads `n` changes off a subscription, failing the test instead of hanging when fewer come. */
async function take(it: AsyncIterableIterator<TableChangeDetail>, n: number): Promise<string[]> {
  const got: string[] = [];
  for (let i = 0; i < n; i++) {
    const next = await Promise.race([
      it.next(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`only ${got.length} of ${n}`)), 3000),
      ),
    ]);
    got.push(String(next.value?.eventID));
  }
  return got;
}

beforeAll(async () => {
  tenantId = (await createTenant(app, 'Live Inbox Brokerage')).tenantId;
  otherTenantId = (await createTenant(app, 'Other Live Brokerage')).tenantId;
  // The handler module reads its environment at import, as a cold start does.
  Object.assign(process.env, {
    TABLE_NAME: inject('tableName'),
    AUTH_ISSUER: 'https://issuer.test',
    AUTH_AUDIENCE: 'live-test',
    AUTH_JWKS_JSON: JSON.stringify({ keys: [] }),
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    AWS_ACCESS_KEY_ID: LOCAL_AWS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.secretAccessKey,
  });
  const module = await import('../../../functions/live/handler.js');
  live = module.liveHandler(inbox) as never;
});

describe('live updates through inboxes', () => {
  it('delivers filed changes once and in order, and nothing of another tenant or recipient', async () => {
    const mine = 'USER:u-live-1';
    await deliver(accrualChange(tenantId, mine, '2026-04')); // before subscribing: not delivered
    const events = new InboxLiveEvents({ inbox, intervalMs: 20 });
    const subscription = events.subscribe(() => true, { tenantId, recipient: mine });
    const first = subscription.next();

    const wanted = [accrualChange(tenantId, mine, '2026-05'), accrualChange(tenantId, mine, '2026-06')];
    await deliver(accrualChange(otherTenantId, mine, '2026-05'));
    await deliver(accrualChange(tenantId, 'USER:someone-else', '2026-05'));
    for (const c of wanted) {
      expect(await deliver(c)).toEqual({ filed: true });
      // A redelivery by the bus rewrites the same item: still one event.
      await deliver(c);
    }
    const third = accrualChange(tenantId, mine, '2026-07');
    await deliver(third);

    const got = [await first, await subscription.next(), await subscription.next()].map(
      (r) => r.value?.eventID,
    );
    expect(got).toEqual([...wanted.map((c) => c.eventID), third.eventID]);
    const stored = await app.db.queryAll({ partition: keys.liveInbox(tenantId, mine) });
    expect(stored).toHaveLength(4);
    expect(stored.every((item) => item.ttl === clock.now().getTime() / 1000 + 3600)).toBe(true);
    const filed = stored.flatMap((item) => item.changes as Array<Record<string, unknown>>);
    expect(filed).toHaveLength(4);
    // Filed slim: the event, its sequence number and the image fields a subscription reads.
    expect(filed.every((c) => Object.keys(c).sort().join() === 'id,img,n,s,t')).toBe(true);
    await subscription.return?.();
  });

  it('files nothing for changes of other entity types', async () => {
    const c = { ...accrualChange(tenantId, 'USER:u-live-2', '2026-05'), entityType: 'Invoice' };
    expect(await deliver(c)).toEqual({ filed: false });
    expect(await app.db.queryAll({ partition: keys.liveInbox(tenantId, 'USER:u-live-2') })).toEqual([]);
  });

  it("files a batch's changes for one recipient as one item, delivers them in order, and a replayed or regrouped batch adds nothing", async () => {
    const mine = 'USER:u-live-3';
    const events = new InboxLiveEvents({ inbox, intervalMs: 20 });
    // The predicate `commissionAccrualChanged` subscribes with: the unpacked change carries its fields.
    const wants = (c: TableChangeDetail) =>
      c.tenantId === tenantId && c.entityType === 'CommissionAccrual' && c.newImage?.recipientKey === mine;
    const subscription = events.subscribe(wants, { tenantId, recipient: mine });
    const theirs = events.subscribe(() => true, { tenantId: otherTenantId, recipient: mine });
    await new Promise((r) => setTimeout(r, 50)); // both have read their starting position

    const wanted = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05'].map((p) =>
      accrualChange(tenantId, mine, p),
    );
    const otherTenant = accrualChange(otherTenantId, mine, '2026-05');
    const otherRecipient = accrualChange(tenantId, 'USER:u-live-4', '2026-05');
    const batch = [wanted[3], otherTenant, wanted[0], wanted[2], otherRecipient, wanted[1], wanted[4]].map(
      (c) => {
        if (!c) throw new Error('no change');
        return c;
      },
    );
    expect(await deliverBatch(batch, ['not json'])).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-7' }],
    });

    const partition = keys.liveInbox(tenantId, mine);
    const stored = await app.db.queryAll({ partition });
    expect(stored).toHaveLength(1);
    expect(((stored[0]?.changes ?? []) as Array<{ id: string }>).map((c) => c.id)).toEqual(
      wanted.map((c) => c.eventID),
    );
    expect(await take(subscription, 5)).toEqual(wanted.map((c) => c.eventID));
    // Tenant isolation: the other tenant's inbox of the same recipient holds only its own change.
    expect(await take(theirs, 1)).toEqual([otherTenant.eventID]);

    // The same batch again (a redelivery) rewrites the same item; a regrouped one files a change twice.
    await deliverBatch([...batch].reverse());
    expect(await app.db.queryAll({ partition })).toEqual(stored);
    const later = accrualChange(tenantId, mine, '2026-06');
    await deliverBatch([wanted[4] as TableChangeDetail, later]);
    expect(await app.db.queryAll({ partition })).toHaveLength(2);
    // The subscription hears only the new change: e2026-05 was delivered already.
    expect(await take(subscription, 1)).toEqual([later.eventID]);
    const nothingMore = await Promise.race([
      subscription.next().then(() => 'more'),
      new Promise((r) => setTimeout(() => r('none'), 200)),
    ]);
    expect(nothingMore).toBe('none');
    await subscription.return?.();
    await theirs.return?.();
  });
});
