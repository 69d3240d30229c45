import type { TableChangeDetail } from './change-event.js';

/** Whose inbox a subscription reads: the tenant and the recipient its changes are addressed to. */
export interface LiveTopic {
  tenantId: string;
  /** The recipient key the `live` bus subscriber files the change under (e.g. `USER:<id>`). */
  recipient: string;
}

/**
 * Table changes for live subscriptions, as they arrive from the change bus. A subscription names the
 * changes it wants with a predicate and reads them as an async iterator; it ends when the client
 * goes away (`return()`), which removes it. The topic says where the changes are filed: the
 * in-process hub hears every change and ignores it, the cloud's inbox poller reads only that inbox.
 */
export interface LiveEvents {
  subscribe(
    wants: (change: TableChangeDetail) => boolean,
    topic: LiveTopic,
  ): AsyncIterableIterator<TableChangeDetail>;
}

/** How many undelivered changes one subscription holds before the oldest are dropped (slow client). */
const MAX_QUEUED = 100;

/**
 * The in-process hub: the change bus publishes into it, every open subscription whose predicate
 * matches gets the change. Used where the change bus and the SSE endpoint share a process (the local
 * stack); see docs/decisions/0007-live-updates.md for the cloud.
 */
export class LiveHub implements LiveEvents {
  private readonly subscriptions = new Set<{
    wants: (change: TableChangeDetail) => boolean;
    push: (change: TableChangeDetail) => void;
  }>();

  /** How many subscriptions are open (tests wait for a client to have subscribed). */
  get size(): number {
    return this.subscriptions.size;
  }

  publish(change: TableChangeDetail): void {
    for (const subscription of this.subscriptions) {
      if (subscription.wants(change)) subscription.push(change);
    }
  }

  subscribe(wants: (change: TableChangeDetail) => boolean): AsyncIterableIterator<TableChangeDetail> {
    const queue: TableChangeDetail[] = [];
    let waiting: ((result: IteratorResult<TableChangeDetail>) => void) | undefined;
    let done = false;
    const subscription = {
      wants,
      push: (change: TableChangeDetail) => {
        if (waiting) {
          const resolve = waiting;
          waiting = undefined;
          resolve({ value: change, done: false });
          return;
        }
        queue.push(change);
        if (queue.length > MAX_QUEUED) queue.shift();
      },
    };
    this.subscriptions.add(subscription);
    const finish = (): Promise<IteratorResult<TableChangeDetail>> => {
      done = true;
      this.subscriptions.delete(subscription);
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
      return Promise.resolve({ value: undefined, done: true });
    };
    return closableIterator(() => {
      const next = queue.shift();
      if (next) return Promise.resolve({ value: next, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    }, finish);
  }
}

/**
 * A subscription's iterator from its `next` and `finish` (what closes it): `return()` finishes,
 * `throw()` finishes and rethrows, as graphql-sse expects of a subscription's source.
 */
export function closableIterator(
  next: () => Promise<IteratorResult<TableChangeDetail>>,
  finish: () => Promise<IteratorResult<TableChangeDetail>>,
): AsyncIterableIterator<TableChangeDetail> {
  return {
    next,
    return: finish,
    throw: async (error: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
