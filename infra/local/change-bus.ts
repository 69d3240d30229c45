import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import {
  type ChangeFilter,
  matchesDetail,
  type TableChangeDetail,
  type TableChangeEvent,
  toChangeEvent,
} from '../../functions/shared/change-event.js';
import type { BusBatch, FunctionSpec } from '../catalog.js';
import { lambdaContext } from './http-adapter.js';

/** The account id local events carry; AWS's own emulators use the same placeholder. */
export const LOCAL_ACCOUNT = '000000000000';

/** A Lambda handler as the local stack invokes it: whatever it returns is inspected at run time. */
export type LambdaHandler<E> = (event: E, context: Context) => unknown;

/**
 * A bus subscriber's handler: one EventBridge event per invocation, as a rule target receives it, or
 * (a subscriber with `batch`) an SQS batch whose message bodies are those events.
 */
export type BusHandler = LambdaHandler<TableChangeEvent>;

/** How long the local bus gathers a batched subscriber's changes: a stream read arrives at once. */
export const LOCAL_BATCH_WINDOW_MS = 100;

/**
 * One delivery that was given up on: the local stand-in for a function's SQS failure queue
 * (stream consumers' on-failure destination, bus rules' dead-letter queue, failed schedules).
 */
export interface FailureEntry {
  at: string;
  function: string;
  source: 'stream' | 'bus' | 'schedule';
  reason: 'retries-exhausted' | 'record-too-old';
  attempts: number;
  error?: string;
  /** What could not be delivered: stream records, a bus event or a scheduled event. */
  payload: unknown;
}

/** Where given-up changes are kept for listing and replay (the table's failure store). */
export type FailureSink = (entry: FailureEntry) => Promise<void>;

/**
 * Collects failure entries in memory and, when the stack has a data dir, appends them as JSON lines
 * to a file, so a developer can inspect dead letters after the fact as they would read an SQS queue.
 * With a sink, each entry is also stored where admins list and replay it (`failedChanges`); the
 * promise of {@link add} settles once it is, so a checkpoint passes a record only after that.
 */
export class FailureLog {
  readonly entries: FailureEntry[] = [];
  constructor(
    private readonly file: string | null = null,
    private readonly sink: FailureSink | null = null,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async add(entry: FailureEntry): Promise<void> {
    this.entries.push(entry);
    if (this.file) appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    if (!this.sink) return;
    try {
      await this.sink(entry);
    } catch (error) {
      // The entry stays in memory and in the file: storing it is best effort, never a reason to block.
      this.log(`failures: could not store a ${entry.function} failure: ${(error as Error).message}`);
    }
  }
}

/** Short exponential backoff: locally there is no throttling to wait out, and tests stay fast. */
export function backoffMs(attempt: number, baseMs = 50, maxMs = 200): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Raised when a handler runs past the catalog timeout; Lambda reports the same as a failure. */
export class HandlerTimeoutError extends Error {}

/**
 * Invokes a handler with a Lambda context and the function's timeout. A timed-out invocation is a
 * failure, as in Lambda, though locally the handler's promise cannot be killed and runs on.
 */
export async function invokeHandler<E>(
  handler: LambdaHandler<E>,
  event: E,
  functionName: string,
  timeoutSeconds: number,
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HandlerTimeoutError(`${functionName} timed out after ${timeoutSeconds} s`)),
      timeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([
      Promise.resolve().then(() => handler(event, lambdaContext(functionName, timeoutSeconds))),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A catalog function subscribed to the change bus, with its handler already loaded. */
export interface BusSubscriber {
  name: string;
  filter: ChangeFilter;
  maxRetries: number;
  timeoutSeconds: number;
  handler: BusHandler;
  /** Read in batches off a queue (catalog trigger `batch`): the handler gets SQS events. */
  batch?: BusBatch;
}

/** Builds subscribers from catalog entries of trigger kind `bus`, skipping every other kind. */
export function busSubscribers(
  specs: readonly FunctionSpec[],
  handlerOf: (spec: FunctionSpec) => BusHandler,
): BusSubscriber[] {
  const subscribers: BusSubscriber[] = [];
  for (const spec of specs) {
    if (spec.trigger.kind !== 'bus') continue;
    subscribers.push({
      name: spec.name,
      filter: spec.trigger.filter,
      maxRetries: spec.trigger.maxRetries,
      timeoutSeconds: spec.timeoutSeconds,
      handler: handlerOf(spec),
      ...(spec.trigger.batch ? { batch: spec.trigger.batch } : {}),
    });
  }
  return subscribers;
}

export interface ChangeBusOptions {
  subscribers: readonly BusSubscriber[];
  region: string;
  failures?: FailureLog;
  log?: (line: string) => void;
  /** Waits between retries; tests pass a no-op. */
  wait?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** How long a batched subscriber's changes are gathered (at most its catalog window). */
  batchWindowMs?: number;
}

/** A batched subscriber's changes waiting for their invocation, and who waits on it. */
interface Gathering {
  events: TableChangeEvent[];
  timer: NodeJS.Timeout;
  delivered: Promise<void>;
  start: () => void;
}

/**
 * The local change bus: the stand-in for EventBridge with one rule per subscriber. Each published
 * change goes, as its own event, to every subscriber whose filter matches; each delivery retries
 * with backoff up to the subscriber's `maxRetries` and then lands in the failure log. Deliveries are
 * independent and concurrent, as EventBridge gives no ordering: one failing subscriber never holds
 * back another, and subscribers must not rely on order (they have the sequence number for that).
 */
export class ChangeBus {
  readonly failures: FailureLog;
  private readonly pending = new Set<Promise<void>>();
  private readonly wait: (ms: number) => Promise<void>;
  private readonly now: () => Date;
  private readonly log: (line: string) => void;
  private readonly gathering = new Map<string, Gathering>();

  constructor(private readonly options: ChangeBusOptions) {
    this.failures = options.failures ?? new FailureLog();
    this.wait = options.wait ?? sleep;
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? (() => undefined);
  }

  /**
   * Puts one change on the bus; delivery happens in the background (see {@link idle}). The promise
   * settles once every matching subscriber has had it or its failure is recorded (it never rejects):
   * the poller's checkpoint passes a change only then.
   */
  publish(detail: TableChangeDetail): Promise<void> {
    const deliveries: Promise<void>[] = [];
    for (const subscriber of this.options.subscribers) {
      if (!matchesDetail(detail, subscriber.filter)) continue;
      const event = toChangeEvent(detail, {
        id: randomUUID(),
        time: this.now().toISOString(),
        account: LOCAL_ACCOUNT,
        region: this.options.region,
      });
      const delivery = (
        subscriber.batch ? this.gather(subscriber, subscriber.batch, event) : this.deliver(subscriber, event)
      ).finally(() => this.pending.delete(delivery));
      this.pending.add(delivery);
      deliveries.push(delivery);
    }
    return Promise.allSettled(deliveries).then(() => undefined);
  }

  /** Resolves once every delivery published so far, retries included, has succeeded or failed. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Adds a change to a batched subscriber's next invocation, as its queue would: the batch goes when
   * it holds `size` changes or its window has passed. Settles once that batch is delivered or failed.
   */
  private gather(subscriber: BusSubscriber, batch: BusBatch, event: TableChangeEvent): Promise<void> {
    let gathering = this.gathering.get(subscriber.name);
    if (!gathering) {
      let start: () => void = () => undefined;
      const started = new Promise<void>((resolve) => {
        start = resolve;
      });
      const events: TableChangeEvent[] = [];
      const windowMs = Math.min(
        batch.windowSeconds * 1000,
        this.options.batchWindowMs ?? LOCAL_BATCH_WINDOW_MS,
      );
      const timer = setTimeout(() => this.flush(subscriber.name), windowMs);
      gathering = {
        events,
        timer,
        start,
        delivered: started.then(() => this.deliverBatch(subscriber, events)),
      };
      this.gathering.set(subscriber.name, gathering);
    }
    gathering.events.push(event);
    const { delivered } = gathering;
    if (gathering.events.length >= batch.size) this.flush(subscriber.name);
    return delivered;
  }

  private flush(name: string): void {
    const gathering = this.gathering.get(name);
    if (!gathering) return;
    this.gathering.delete(name);
    clearTimeout(gathering.timer);
    gathering.start();
  }

  /**
   * One SQS-shaped invocation of a batched subscriber, retried as SQS would redeliver: the whole
   * batch after an error, only the reported messages after a partial failure. What is left after
   * `maxRetries` is recorded change by change, like an unbatched subscriber's dead letters.
   */
  private async deliverBatch(subscriber: BusSubscriber, events: TableChangeEvent[]): Promise<void> {
    let remaining = events;
    let lastError: unknown = new Error('reported as failed by the handler');
    const handler = subscriber.handler as unknown as LambdaHandler<SQSEvent>;
    for (let attempt = 0; attempt <= subscriber.maxRetries && remaining.length > 0; attempt++) {
      if (attempt > 0) await this.wait(backoffMs(attempt));
      try {
        const result = (await invokeHandler(
          handler,
          this.sqsEvent(subscriber.name, remaining, attempt + 1),
          subscriber.name,
          subscriber.timeoutSeconds,
        )) as Partial<SQSBatchResponse> | undefined;
        const failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        remaining = remaining.filter((e) => failed.has(e.id));
      } catch (error) {
        lastError = error;
      }
    }
    for (const event of remaining) await this.giveUp(subscriber, event, lastError);
  }

  private sqsEvent(name: string, events: readonly TableChangeEvent[], receiveCount: number): SQSEvent {
    const sentAt = String(this.now().getTime());
    return {
      Records: events.map((event) => ({
        messageId: event.id,
        receiptHandle: event.id,
        body: JSON.stringify(event),
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
          SentTimestamp: sentAt,
          SenderId: LOCAL_ACCOUNT,
          ApproximateFirstReceiveTimestamp: sentAt,
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:${this.options.region}:${LOCAL_ACCOUNT}:${name}-queue`,
        awsRegion: this.options.region,
      })),
    };
  }

  private async deliver(subscriber: BusSubscriber, event: TableChangeEvent): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= subscriber.maxRetries; attempt++) {
      if (attempt > 0) await this.wait(backoffMs(attempt));
      try {
        await invokeHandler(subscriber.handler, event, subscriber.name, subscriber.timeoutSeconds);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    await this.giveUp(subscriber, event, lastError);
  }

  private async giveUp(
    subscriber: BusSubscriber,
    event: TableChangeEvent,
    lastError: unknown,
  ): Promise<void> {
    const error = lastError instanceof Error ? lastError.message : String(lastError);
    this.log(
      `bus: ${subscriber.name} gave up on ${event.detail.eventID} after ${subscriber.maxRetries + 1} attempts: ${error}`,
    );
    await this.failures.add({
      at: this.now().toISOString(),
      function: subscriber.name,
      source: 'bus',
      reason: 'retries-exhausted',
      attempts: subscriber.maxRetries + 1,
      error,
      payload: event,
    });
  }
}
