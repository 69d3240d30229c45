import type { TableChangeDetail } from './change-event.js';
import type { Clock } from './clock.js';
import type { Db, StoredItem } from './db.js';
import { closableIterator, type LiveEvents, type LiveTopic } from './live-hub.js';
import { EntityType, keys, TABLE } from './table-design.js';

/**
 * Live updates in the cloud (docs/decisions/0007-live-updates.md): Lambda instances never talk to
 * each other, so the `live` bus subscriber files each change into its recipient's inbox partition in
 * the table, and each open stream polls the inboxes of its subscriptions.
 */

/** How long an inbox keeps a change: what a reconnecting client can still catch up on. */
export const LIVE_TTL_SECONDS = 3600;
/** How often an idle subscription reads its inbox (a consistent Query: 0.5 RCU when empty). */
export const LIVE_POLL_INTERVAL_MS = 1000;
/** Changes read per poll; a full page is followed by the next read at once. */
const POLL_PAGE = 100;

/** Whose inbox a change of each live entity type goes to: the recipient key on the item. */
const RECIPIENT_OF: Readonly<Record<string, (image: Record<string, unknown>) => unknown>> = {
  [EntityType.CommissionAccrual]: (image) => image.recipientKey,
};

/** The entity types a live subscription can follow (accruals now; tasks and report jobs to come). */
export const LIVE_ENTITY_TYPES: readonly string[] = Object.keys(RECIPIENT_OF);

/** A change as filed in an inbox: the bus detail without its old image (kept small). */
interface LiveEventItem extends StoredItem {
  change: TableChangeDetail;
}

/**
 * The inbox item for a change, or undefined for a change no inbox takes (no tenant, not a live
 * entity type, no recipient on the item). Keyed by the change's sequence number, so a replay
 * rewrites the same item.
 */
export function liveInboxItem(change: TableChangeDetail, now: Date): LiveEventItem | undefined {
  const recipientOf = change.entityType ? RECIPIENT_OF[change.entityType] : undefined;
  if (!change.tenantId || !recipientOf) return undefined;
  const recipient = recipientOf(change.newImage ?? change.oldImage ?? {});
  if (typeof recipient !== 'string' || recipient === '') return undefined;
  const { oldImage: _oldImage, ...small } = change;
  return {
    ...keys.liveEvent(change.tenantId, recipient, change.sequenceNumber),
    type: EntityType.LiveEvent,
    version: 1,
    [TABLE.ttl]: Math.floor(now.getTime() / 1000) + LIVE_TTL_SECONDS,
    change: small,
  };
}

/** What a poller reads: the newest position of an inbox, and the changes after a position. */
export interface InboxReader {
  /** The sort key of the newest change in the inbox, or '' when it is empty. */
  latest(topic: LiveTopic): Promise<string>;
  /** Up to `limit` changes after `position`, oldest first, each with its position. */
  after(
    topic: LiveTopic,
    position: string,
    limit: number,
  ): Promise<Array<{ position: string; change: TableChangeDetail }>>;
}

/** The inboxes in the table: the `live` subscriber files changes, streams read them back. */
export class LiveInbox implements InboxReader {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Files a change into its recipient's inbox; false when no inbox takes it. */
  async file(change: TableChangeDetail): Promise<boolean> {
    const item = liveInboxItem(change, this.clock.now());
    if (!item) return false;
    await this.db.put(item);
    return true;
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
      after: position,
      limit,
      consistent: true,
    });
    return page.items.map((item) => ({ position: item.sk, change: item.change }));
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
 * position it has read (a consistent Query, every second while idle, at once after a full page).
 * It starts after the inbox's newest change, so it hears what happens after subscribing, as the
 * in-process hub does; every change is delivered once and in inbox order, and a change `wants`
 * rejects still moves the position on. Closing it (`return()`) ends a pending sleep at once.
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
    // Read now, not at the first next(): a change filed after subscribing must not count as history.
    const start = inbox.latest(topic);
    start.catch(() => undefined);
    let position: string | undefined;
    let fullPage = true;

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
        for (const entry of page) {
          position = entry.position;
          if (wants(entry.change)) ready.push(entry.change);
        }
      }
      return { value: undefined, done: true };
    };
    return closableIterator(next, finish);
  }
}
