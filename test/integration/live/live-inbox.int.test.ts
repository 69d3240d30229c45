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
let live: (event: ReturnType<typeof toChangeEvent>, context: unknown) => Promise<{ filed: boolean }>;
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

async function deliver(detail: TableChangeDetail): Promise<{ filed: boolean }> {
  const event = toChangeEvent(detail, {
    id: detail.eventID,
    time: clock.now().toISOString(),
    account: '000000000000',
    region: LOCAL_AWS.region,
  });
  return live(event, lambdaContext('live', 10));
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
    expect(stored.every((item) => (item.change as TableChangeDetail).oldImage === undefined)).toBe(true);
    await subscription.return?.();
  });

  it('files nothing for changes of other entity types', async () => {
    const c = { ...accrualChange(tenantId, 'USER:u-live-2', '2026-05'), entityType: 'Invoice' };
    expect(await deliver(c)).toEqual({ filed: false });
    expect(await app.db.queryAll({ partition: keys.liveInbox(tenantId, 'USER:u-live-2') })).toEqual([]);
  });
});
