import type { TableChangeDetail } from './change-event.js';
import type { Clock } from './clock.js';
import type { Db, StoredItem } from './db.js';
import { closableIterator, type LiveEvents, type LiveTopic } from './live-hub.js';
import { EntityType, keys, liveSequenceKey, TABLE } from './table-design.js';

/**
 * Live updates in the cloud (docs/decisions/0007-live-updates.md): Lambda instances never talk to
 * each other, so the `live` subscriber files changes into their recipient's inbox partition in the
 * table, and each open stream polls the inboxes of its subscriptions.
 *
 * Coalesced (docs/scale.md, section 6): an inbox is one base-table partition whose sort key only
 * grows, so DynamoDB cannot split it for heat and one recipient is bound by one partition's
 * 1,000 WCU/s. A burst (a webhook burst, an import, a month's recompute) updates one recipient's
 * accrual once per event, so the subscriber files a whole delivered batch at once: ONE item per
 * recipient holding that recipient's changes of the batch in sequence order, split only past
 * {@link LIVE_ITEM_MAX_CHANGES} changes or {@link LIVE_ITEM_MAX_BYTES}. A filed change keeps only what
 * a subscription reads (its predicate and resolver: the event, the sequence number and the image
 * fields named per entity type below, under short names; the resolver reads the record itself),
 * so a change costs ~160 bytes instead of a whole item's image. Each item is keyed by its first
 * change's sequence number: a replay of the same batch rewrites the same items with the same
 * content. A batch regrouped on retry can file a change a second time under another key: each
 * subscription skips a change whose event id it has already delivered.
 *
 * Not chosen: skipping recipients with no open stream. The inbox is also what a reconnecting client
 * is meant to catch up from (one hour, decision 0007), and a recipient being watched during a burst
 * (the brokerage's back office in a month's recompute) is exactly the worst case.
 */

/** How long an inbox keeps a change: what a reconnecting client can still catch up on. */
export const LIVE_TTL_SECONDS = 3600;
/** How often an idle subscription reads its inbox (a consistent Query: 0.5 RCU when empty). */
export const LIVE_POLL_INTERVAL_MS = 1000;
/** Inbox items read per poll; a full page is followed by the next read at once. */
const POLL_PAGE = 100;
/** Most changes one inbox item holds; a recipient's batch beyond it takes several items. */
export const LIVE_ITEM_MAX_CHANGES = 200;
/** Most bytes (as JSON) of the changes one item holds: far under DynamoDB's 400 KB item limit. */
export const LIVE_ITEM_MAX_BYTES = 48 * 1024;
/** Event ids a subscription remembers to skip a change filed twice (a regrouped redelivery). */
const DELIVERED_MEMORY = 2000;

/**
 * Per live entity type: whose inbox a change goes to (the image attribute holding the recipient
 * key), and the other image fields a subscription reads (its predicate and its resolver); nothing
 * else is filed.
 */
const LIVE_TYPES: Readonly<Record<string, { recipientField: string; fields: readonly string[] }>> = {
  [EntityType.CommissionAccrual]: { recipientField: 'recipientKey', fields: ['period', 'currency'] },
};

/** The entity types a live subscription can follow (accruals now; tasks and report jobs to come). */
export const LIVE_ENTITY_TYPES: readonly string[] = Object.keys(LIVE_TYPES);

/**
 * A change as filed in an inbox, with short attribute names (every byte of a burst's item is write
 * units): event name `n`, event id `id`, entity type `t`, sequence number `s`, the image fields
 * `img` (without the recipient, which is the item's), and `old` when they come from the old image.
 */
interface FiledChange {
  n: TableChangeDetail['eventName'];
  id: string;
  t: string;
  s: string;
  img: Record<string, unknown>;
  old?: true;
}

/** An inbox item: one recipient's changes of one delivered batch, oldest first. */
interface LiveEventItem extends StoredItem {
  tenantId: string;
  recipient: string;
  /** Absent on items filed before coalescing, which held one whole change (`change`). */
  changes?: FiledChange[];
  /** Items filed before coalescing held one whole change (they expire within the hour). */
  change?: TableChangeDetail;
}

function pick(image: Record<string, unknown>, fields: readonly string[]) {
  return Object.fromEntries(fields.filter((f) => image[f] !== undefined).map((f) => [f, image[f]]));
}

/** The filed form of a change and its inbox, or undefined for a change no inbox takes. */
function fileable(
  change: TableChangeDetail,
): { tenantId: string; recipient: string; filed: FiledChange } | undefined {
  const type = change.entityType ? LIVE_TYPES[change.entityType] : undefined;
  if (!change.tenantId || !type || !change.entityType) return undefined;
  const image = change.newImage ?? change.oldImage ?? {};
  const recipient = image[type.recipientField];
  if (typeof recipient !== 'string' || recipient === '') return undefined;
  const filed: FiledChange = {
    n: change.eventName,
    id: change.eventID,
    t: change.entityType,
    s: change.sequenceNumber,
    img: pick(image, type.fields),
    ...(change.newImage ? {} : { old: true as const }),
  };
  return { tenantId: change.tenantId, recipient, filed };
}

/**
 * The inbox items for a delivered batch of changes: per tenant and recipient, their changes in
 * sequence order (one change per event id), cut into items of at most {@link LIVE_ITEM_MAX_CHANGES}
 * changes and {@link LIVE_ITEM_MAX_BYTES}, each keyed by its first change's sequence number. Changes
 * no inbox takes (no tenant, not a live entity type, no recipient) are left out. The same batch
 * always gives the same items, so a replay rewrites them unchanged.
 */
export function liveInboxItems(changes: readonly TableChangeDetail[], now: Date): LiveEventItem[] {
  const inboxes = new Map<
    string,
    { tenantId: string; recipient: string; changes: Map<string, FiledChange> }
  >();
  for (const change of changes) {
    const entry = fileable(change);
    if (!entry) continue;
    const id = JSON.stringify([entry.tenantId, entry.recipient]);
    const inbox = inboxes.get(id) ?? {
      tenantId: entry.tenantId,
      recipient: entry.recipient,
      changes: new Map(),
    };
    inboxes.set(id, inbox);
    inbox.changes.set(entry.filed.id, entry.filed);
  }
  const ttl = Math.floor(now.getTime() / 1000) + LIVE_TTL_SECONDS;
  const items: LiveEventItem[] = [];
  for (const { tenantId, recipient, changes: byId } of inboxes.values()) {
    const ordered = [...byId.values()]
      .map((filed) => ({ filed, position: liveSequenceKey(filed.s) }))
      .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    let chunk: typeof ordered = [];
    let bytes = 0;
    const flush = () => {
      const first = chunk[0];
      if (!first) return;
      items.push({
        ...keys.liveEvent(tenantId, recipient, first.filed.s),
        type: EntityType.LiveEvent,
        version: 1,
        [TABLE.ttl]: ttl,
        tenantId,
        recipient,
        changes: chunk.map((c) => c.filed),
      });
      chunk = [];
      bytes = 0;
    };
    for (const entry of ordered) {
      const size = JSON.stringify(entry.filed).length;
      if (chunk.length >= LIVE_ITEM_MAX_CHANGES || (chunk.length > 0 && bytes + size > LIVE_ITEM_MAX_BYTES))
        flush();
      chunk.push(entry);
      bytes += size;
    }
    flush();
  }
  return items.sort((a, b) => (a.pk === b.pk ? 0 : a.pk < b.pk ? -1 : 1));
}

/** The changes of an inbox item as a subscription sees them (no keys; image fields as filed). */
function unpack(item: LiveEventItem): TableChangeDetail[] {
  if (!item.changes) return item.change ? [item.change] : [];
  return item.changes.map((c) => {
    const recipientField = LIVE_TYPES[c.t]?.recipientField ?? 'recipientKey';
    const image = { ...c.img, [recipientField]: item.recipient };
    return {
      eventName: c.n,
      eventID: c.id,
      entityType: c.t,
      tenantId: item.tenantId,
      keys: {},
      sequenceNumber: c.s,
      ...(c.old ? { oldImage: image } : { newImage: image }),
    };
  });
}

/** What a poller reads: the newest position of an inbox, and the items after a position. */
export interface InboxReader {
  /** The sort key of the newest item in the inbox, or '' when it is empty. */
  latest(topic: LiveTopic): Promise<string>;
  /** Up to `limit` items after `position`, oldest first, each with its position and its changes in order. */
  after(
    topic: LiveTopic,
    position: string,
    limit: number,
  ): Promise<Array<{ position: string; changes: TableChangeDetail[] }>>;
}

/** The inboxes in the table: the `live` subscriber files changes, streams read them back. */
export class LiveInbox implements InboxReader {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Files one change (a replay of a failed change); false when no inbox takes it. */
  async file(change: TableChangeDetail): Promise<boolean> {
    return (await this.fileBatch([change])) > 0;
  }

  /**
   * Files a delivered batch: one item per recipient (more past the bounds), written in parallel.
   * Returns how many items were written.
   */
  async fileBatch(changes: readonly TableChangeDetail[]): Promise<number> {
    const items = liveInboxItems(changes, this.clock.now());
    await Promise.all(items.map((item) => this.db.put(item)));
    return items.length;
  }

  async latest(topic: LiveTopic): Promise<string> {
    const page = await this.db.queryPage<LiveEventItem>({
      partition: keys.liveInbox(topic.tenantId, topic.recipient),
      newestFirst: true,
      limit: 1,
      consistent: true,
    });
    return page.items[0]?.sk ?? '';
  }

  async after(topic: LiveTopic, position: string, limit: number) {
    const page = await this.db.queryPage<LiveEventItem>({
      partition: keys.liveInbox(topic.tenantId, topic.recipient),
      // An inbox that was empty when the subscription started: everything in it is new.
      ...(position ? { after: position } : {}),
      limit,
      consistent: true,
    });
    return page.items.map((item) => ({ position: item.sk, changes: unpack(item) }));
  }
}

/** Options of {@link InboxLiveEvents}; tests pass a fake reader and a sleep that needs no timer. */
export interface InboxLiveEventsOptions {
  inbox: InboxReader;
  intervalMs?: number;
  /** Waits `ms`, or less when `signal` aborts (the subscription closed). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * {@link LiveEvents} for the cloud: each subscription polls its topic's inbox after the last
 * position (item) it has read (a consistent Query, every second while idle, at once after a full
 * page). It starts after the inbox's newest item, so it hears what happens after subscribing, as the
 * in-process hub does; the changes of each item are delivered in the item's order, items in inbox
 * order; a change whose event id it has already delivered (filed twice by a regrouped redelivery) is
 * skipped, and a change `wants` rejects still moves the position on. Closing it (`return()`) ends a
 * pending sleep at once.
 */
export class InboxLiveEvents implements LiveEvents {
  private readonly intervalMs: number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

  constructor(private readonly options: InboxLiveEventsOptions) {
    this.intervalMs = options.intervalMs ?? LIVE_POLL_INTERVAL_MS;
    this.sleep = options.sleep ?? abortableSleep;
  }

  subscribe(
    wants: (change: TableChangeDetail) => boolean,
    topic: LiveTopic,
  ): AsyncIterableIterator<TableChangeDetail> {
    const { inbox } = this.options;
    const closed = new AbortController();
    const ready: TableChangeDetail[] = [];
    const delivered = new Set<string>();
    // Read now, not at the first next(): a change filed after subscribing must not count as history.
    const start = inbox.latest(topic);
    start.catch(() => undefined);
    let position: string | undefined;
    let fullPage = true;

    const seen = (eventID: string): boolean => {
      if (delivered.has(eventID)) return true;
      delivered.add(eventID);
      if (delivered.size > DELIVERED_MEMORY) delivered.delete(delivered.values().next().value as string);
      return false;
    };
    const finish = (): Promise<IteratorResult<TableChangeDetail>> => {
      closed.abort();
      return Promise.resolve({ value: undefined, done: true });
    };
    const next = async (): Promise<IteratorResult<TableChangeDetail>> => {
      while (!closed.signal.aborted) {
        const change = ready.shift();
        if (change) return { value: change, done: false };
        if (position === undefined) position = await start;
        else if (!fullPage) await this.sleep(this.intervalMs, closed.signal);
        if (closed.signal.aborted) break;
        const page = await inbox.after(topic, position, POLL_PAGE);
        fullPage = page.length === POLL_PAGE;
        for (const item of page) {
          position = item.position;
          for (const c of item.changes) if (!seen(c.eventID) && wants(c)) ready.push(c);
        }
      }
      return { value: undefined, done: true };
    };
    return closableIterator(next, finish);
  }
}
