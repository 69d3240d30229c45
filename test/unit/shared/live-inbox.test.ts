import { describe, expect, it } from 'vitest';
import type { TableChangeDetail } from '../../../functions/shared/change-event.js';
import type { LiveTopic } from '../../../functions/shared/live-hub.js';
import {
  InboxLiveEvents,
  type InboxReader,
  LIVE_ENTITY_TYPES,
  LIVE_ITEM_MAX_CHANGES,
  LIVE_TTL_SECONDS,
  liveInboxItems,
} from '../../../functions/shared/live-inbox.js';
import { keys, liveSequenceKey } from '../../../functions/shared/table-design.js';
import { LIVE_FILTER } from '../../../infra/catalog.js';

/**
 * The cloud's live events without DynamoDB: the inbox item a change becomes, and the poller's
 * cursor (where it starts, how it moves, when it sleeps, how it stops) over an in-memory inbox.
 */
const topic: LiveTopic = { tenantId: 't1', recipient: 'USER:u1' };

function change(sequence: number, overrides: Partial<TableChangeDetail> = {}): TableChangeDetail {
  return {
    eventName: 'MODIFY',
    eventID: `e${sequence}`,
    entityType: 'CommissionAccrual',
    tenantId: 't1',
    keys: { pk: 'T#t1#ACCRUAL#USER:u1', sk: '2026-05#EUR' },
    newImage: { recipientKey: 'USER:u1', period: '2026-05', currency: 'EUR' },
    sequenceNumber: String(1000 + sequence),
    ...overrides,
  };
}

/** An inbox in memory that records every read and lets the test file changes between polls. */
class FakeInbox implements InboxReader {
  readonly entries: Array<{ position: string; changes: TableChangeDetail[] }> = [];
  readonly reads: Array<{ topic: LiveTopic; position: string }> = [];
  file(...changes: TableChangeDetail[]): void {
    this.entries.push({ position: liveSequenceKey(String(changes[0]?.sequenceNumber)), changes });
    this.entries.sort((a, b) => a.position.localeCompare(b.position));
  }
  async latest(): Promise<string> {
    return this.entries.at(-1)?.position ?? '';
  }
  async after(t: LiveTopic, position: string, limit: number) {
    this.reads.push({ topic: t, position });
    return this.entries.filter((e) => e.position > position).slice(0, limit);
  }
}

/** A sleep that resolves at once and counts, or runs `onSleep` first (to file changes "meanwhile"). */
function countingSleep(onSleep: (n: number) => void = () => undefined) {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      onSleep(sleeps.length);
    },
  };
}

describe('liveInboxItems', () => {
  const now = new Date('2026-05-20T08:00:00Z');

  it("files a recipient's changes of a batch as one item, in sequence order, keyed by the first sequence number, with a 1 h TTL", () => {
    const items = liveInboxItems(
      [change(9), change(7, { oldImage: { big: 'x'.repeat(100) } }), change(8)],
      now,
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      pk: keys.liveInbox('t1', 'USER:u1'),
      sk: `${'0'.repeat(36)}1007`,
      type: 'LiveEvent',
      ttl: now.getTime() / 1000 + LIVE_TTL_SECONDS,
      tenantId: 't1',
    });
    expect(items[0]?.changes?.map((c) => c.id)).toEqual(['e7', 'e8', 'e9']);
    // Only what a subscription reads, under short names: no keys, no old image, no image fields
    // beyond the type's own; the recipient is the item's.
    expect(items[0]?.recipient).toBe('USER:u1');
    expect(items[0]?.changes?.[0]).toEqual({
      n: 'MODIFY',
      id: 'e7',
      t: 'CommissionAccrual',
      s: '1007',
      img: { period: '2026-05', currency: 'EUR' },
    });
  });

  it('gives the same items for the same batch, in any order, and files a redelivered change once', () => {
    const batch = [change(1), change(2), change(3, { tenantId: 't2' })];
    const again = liveInboxItems([...batch].reverse().concat(change(2)), now);
    expect(again).toEqual(liveInboxItems(batch, now));
    expect(again.map((i) => [i.pk, i.changes?.length])).toEqual([
      [keys.liveInbox('t1', 'USER:u1'), 2],
      [keys.liveInbox('t2', 'USER:u1'), 1],
    ]);
  });

  it('keeps one inbox per tenant and recipient', () => {
    const other = { recipientKey: 'USER:u2', period: '2026-05', currency: 'EUR' };
    const items = liveInboxItems(
      [change(1), change(2, { newImage: other }), change(3, { tenantId: 't2' })],
      now,
    );
    expect(items.map((i) => i.pk).sort()).toEqual(
      [
        keys.liveInbox('t1', 'USER:u1'),
        keys.liveInbox('t1', 'USER:u2'),
        keys.liveInbox('t2', 'USER:u1'),
      ].sort(),
    );
  });

  it('splits a large batch into bounded items, each keyed by its own first change', () => {
    const many = Array.from({ length: LIVE_ITEM_MAX_CHANGES * 2 + 5 }, (_, i) => change(i + 1));
    const items = liveInboxItems(many, now);
    expect(items.map((i) => i.changes?.length)).toEqual([LIVE_ITEM_MAX_CHANGES, LIVE_ITEM_MAX_CHANGES, 5]);
    expect(items.map((i) => i.sk)).toEqual(
      [1, LIVE_ITEM_MAX_CHANGES + 1, 2 * LIVE_ITEM_MAX_CHANGES + 1].map((n) =>
        liveSequenceKey(String(1000 + n)),
      ),
    );
    expect(items.every((i) => JSON.stringify(i).length < 64 * 1024)).toBe(true);
  });

  it('files nothing for a change without a tenant, of another entity type, or without a recipient', () => {
    expect(liveInboxItems([change(1, { tenantId: undefined as never })], now)).toEqual([]);
    expect(liveInboxItems([change(1, { entityType: 'Invoice' })], now)).toEqual([]);
    expect(liveInboxItems([change(1, { newImage: { period: '2026-05' } })], now)).toEqual([]);
  });

  it('follows exactly the entity types the catalog routes to the live subscriber', () => {
    expect([...LIVE_FILTER.entityTypes].sort()).toEqual([...LIVE_ENTITY_TYPES].sort());
  });

  it('orders sequence numbers of different lengths numerically', () => {
    expect(liveSequenceKey('999') < liveSequenceKey('1000')).toBe(true);
    expect(() => liveSequenceKey('1'.repeat(41))).toThrow(RangeError);
    expect(() => liveSequenceKey('1#2')).toThrow(RangeError);
  });
});

describe('InboxLiveEvents', () => {
  it('starts after the newest change already in the inbox, then delivers each later one once, in order', async () => {
    const inbox = new FakeInbox();
    inbox.file(change(1));
    const { sleep, sleeps } = countingSleep((n) => {
      if (n === 1) inbox.file(change(3));
      if (n === 2) inbox.file(change(2)); // filed late but older: the cursor has passed it
      if (n === 3) inbox.file(change(4));
    });
    const events = new InboxLiveEvents({ inbox, sleep, intervalMs: 1000 });
    const it = events.subscribe(() => true, topic);
    expect((await it.next()).value?.eventID).toBe('e3');
    expect((await it.next()).value?.eventID).toBe('e4');
    expect(sleeps).toEqual([1000, 1000, 1000]);
    expect(inbox.reads.map((r) => r.position)).toEqual([
      liveSequenceKey('1001'),
      liveSequenceKey('1001'),
      liveSequenceKey('1003'),
      liveSequenceKey('1003'),
    ]);
    expect(inbox.reads.every((r) => r.topic === topic)).toBe(true);
    await it.return?.();
  });

  it('moves past changes the predicate rejects, so they are never read again', async () => {
    const inbox = new FakeInbox();
    let it: AsyncIterableIterator<TableChangeDetail> | undefined;
    const { sleep } = countingSleep((n) => {
      if (n === 1) {
        inbox.file(change(1, { newImage: { recipientKey: 'USER:u1', period: '2026-04' } }));
        inbox.file(change(2));
      }
      if (n === 2) inbox.file(change(3));
      if (n === 3) void it?.return?.();
    });
    it = new InboxLiveEvents({ inbox, sleep }).subscribe((c) => c.newImage?.period === '2026-05', topic);
    expect((await it.next()).value?.eventID).toBe('e2');
    expect((await it.next()).value?.eventID).toBe('e3');
    expect(await it.next()).toEqual({ value: undefined, done: true });
    expect(inbox.reads.map((r) => r.position)).toEqual(['', '', liveSequenceKey('1002')]);
  });

  it("delivers an item's changes in order, and a change filed again under another item once", async () => {
    const inbox = new FakeInbox();
    const { sleep } = countingSleep((n) => {
      if (n === 1) inbox.file(change(1), change(2), change(3));
      if (n === 2) inbox.file(change(2), change(4)); // a regrouped redelivery: e2 again, e4 new
    });
    const it = new InboxLiveEvents({ inbox, sleep }).subscribe(() => true, topic);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) seen.push(String((await it.next()).value?.eventID));
    expect(seen).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(inbox.reads.map((r) => r.position)).toEqual(['', '', liveSequenceKey('1001')]);
    await it.return?.();
  });

  it('reads a full page and then the next one without sleeping', async () => {
    const inbox = new FakeInbox();
    for (let i = 1; i <= 150; i++) inbox.file(change(i));
    const start = new FakeInbox();
    const reader: InboxReader = { latest: () => start.latest(), after: (t, p, l) => inbox.after(t, p, l) };
    const { sleep, sleeps } = countingSleep();
    const it = new InboxLiveEvents({ inbox: reader, sleep }).subscribe(() => true, topic);
    const seen: string[] = [];
    for (let i = 0; i < 150; i++) seen.push(String((await it.next()).value?.eventID));
    expect(seen).toEqual(Array.from({ length: 150 }, (_, i) => `e${i + 1}`));
    expect(sleeps).toEqual([]);
    await it.return?.();
  });

  it('ends a pending sleep when the client goes away and reads nothing more', async () => {
    const inbox = new FakeInbox();
    const events = new InboxLiveEvents({ inbox, intervalMs: 60_000 });
    const it = events.subscribe(() => true, topic);
    const pending = it.next();
    await new Promise((r) => setTimeout(r, 20));
    const readsBefore = inbox.reads.length;
    const started = Date.now();
    await it.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(inbox.reads.length).toBe(readsBefore);
  });
});
