import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type ChangeFilter, matchesFilter } from '../../functions/shared/change-event.js';
import type { FunctionSpec } from '../catalog.js';
import { backoffMs, invokeHandler, type LambdaHandler } from './change-bus.js';
import type { CheckpointStore } from './checkpoints.js';

/**
 * The consumer side of the local stream poller: which catalog functions read the stream, and each
 * consumer's lane per shard, which invokes it as Lambda's event source mapping does (ordered batches,
 * partial-failure reports, bounded retries, bisection, then the failure log), and the shard progress
 * that only moves the checkpoint past records every lane has handled.
 */

/** What lanes and shard progress need of the poller that feeds them. */
export interface LaneHost {
  readonly stopped: boolean;
  readonly streamArn: string;
  readonly checkpoints: CheckpointStore | undefined;
  logLine(line: string): void;
  wait(ms: number): Promise<void>;
  nowSeconds(): number;
  giveUp(
    consumer: StreamConsumer,
    shardId: string,
    records: readonly DynamoDBRecord[],
    reason: 'retries-exhausted' | 'record-too-old',
    attempts: number,
    error: string,
  ): Promise<void>;
}

/** A stream consumer's handler: Lambda's DynamoDB stream event in, optionally a partial-failure report out. */
export type StreamHandler = LambdaHandler<DynamoDBStreamEvent>;

/** A catalog function that reads the stream directly, with its handler already loaded. */
export interface StreamConsumer {
  name: string;
  filter: ChangeFilter;
  batchSize: number;
  maxRetries: number;
  /** Records older than this are given up on unread; a negative value means no limit, as in Lambda. */
  maxRecordAgeSeconds: number;
  timeoutSeconds: number;
  handler: StreamHandler;
}

/** Builds consumers from catalog entries of trigger kind `stream`, skipping every other kind. */
export function streamConsumers(
  specs: readonly FunctionSpec[],
  handlerOf: (spec: FunctionSpec) => StreamHandler,
): StreamConsumer[] {
  const consumers: StreamConsumer[] = [];
  for (const spec of specs) {
    if (spec.trigger.kind !== 'stream') continue;
    const { filter, batchSize, maxRetries, maxRecordAgeSeconds } = spec.trigger;
    consumers.push({
      name: spec.name,
      filter,
      batchSize,
      maxRetries,
      maxRecordAgeSeconds,
      timeoutSeconds: spec.timeoutSeconds,
      handler: handlerOf(spec),
    });
  }
  return consumers;
}

/** How one invocation of a stream consumer ended. */
export type BatchOutcome =
  | { ok: true }
  /** `failedAt`: index of the first record to retry from; `reported` when the handler named it. */
  | { ok: false; failedAt: number; reported: boolean; error: string };

/**
 * Reads a handler's result as Lambda's ReportBatchItemFailures does: retry from the lowest failed
 * record; a failure naming no record of the batch (or an empty id) fails the whole batch.
 */
export function batchOutcome(batch: readonly DynamoDBRecord[], result: unknown): BatchOutcome {
  if (!result || typeof result !== 'object' || !('batchItemFailures' in result)) return { ok: true };
  const failures = (result as { batchItemFailures: unknown }).batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return { ok: true };
  let lowest = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index =
      typeof id === 'string' && id ? batch.findIndex((r) => r.dynamodb?.SequenceNumber === id) : -1;
    if (index === -1) {
      return {
        ok: false,
        failedAt: 0,
        reported: false,
        error: `invalid batchItemFailures entry ${JSON.stringify(failure)}`,
      };
    }
    lowest = Math.min(lowest, index);
  }
  return {
    ok: false,
    failedAt: lowest,
    reported: true,
    error: `handler reported ${failures.length} failed record(s)`,
  };
}

/**
 * How far one shard's records have been handled: each record stays open while a consumer's lane
 * or a bus delivery still holds it; the checkpoint is the last record of the longest fully handled
 * prefix, saved one write at a time (the latest position wins).
 */
export class ShardProgress {
  private readonly order: DynamoDBRecord[] = [];
  private readonly openCount = new Map<DynamoDBRecord, number>();
  private saved: string | undefined;
  private pending: string | undefined;
  private saving: Promise<void> | null = null;

  constructor(
    private readonly shardId: string,
    private readonly poller: LaneHost,
  ) {}

  /** Registers new records of the shard; each is held open until {@link settle} is called once more per {@link open}. */
  accept(records: readonly DynamoDBRecord[]): void {
    for (const r of records) {
      this.order.push(r);
      this.openCount.set(r, 1);
    }
  }

  open(record: DynamoDBRecord): void {
    this.openCount.set(record, (this.openCount.get(record) ?? 0) + 1);
  }

  settle(records: readonly DynamoDBRecord[]): void {
    for (const r of records) {
      const left = (this.openCount.get(r) ?? 1) - 1;
      this.openCount.set(r, left);
    }
    let passed: DynamoDBRecord | undefined;
    while (this.order.length > 0 && (this.openCount.get(this.order[0] as DynamoDBRecord) ?? 0) <= 0) {
      passed = this.order.shift();
      if (passed) this.openCount.delete(passed);
    }
    const sequence = passed?.dynamodb?.SequenceNumber;
    if (sequence) this.schedule(sequence);
  }

  /** Resolves once the latest position is stored. */
  async flush(): Promise<void> {
    while (this.saving) await this.saving;
  }

  private schedule(sequence: string): void {
    const store = this.poller.checkpoints;
    if (!store) return;
    this.pending = sequence;
    if (this.saving) return;
    this.saving = (async () => {
      while (this.pending && this.pending !== this.saved) {
        const next = this.pending;
        try {
          await store.save(this.poller.streamArn, this.shardId, next);
          this.saved = next;
        } catch (error) {
          this.poller.logLine(`stream: checkpoint of ${this.shardId} not saved: ${(error as Error).message}`);
          return;
        }
      }
    })().finally(() => {
      this.saving = null;
    });
  }
}

/** One consumer's ordered queue of matching records from one shard. */
export class Lane {
  private readonly queue: DynamoDBRecord[] = [];
  private running: Promise<void> | null = null;

  constructor(
    private readonly consumer: StreamConsumer,
    private readonly shardId: string,
    private readonly poller: LaneHost,
    private readonly progress: ShardProgress,
  ) {}

  push(records: readonly DynamoDBRecord[]): void {
    for (const r of records) {
      if (!matchesFilter(r, this.consumer.filter)) continue;
      this.progress.open(r);
      this.queue.push(r);
    }
    if (this.queue.length > 0 && !this.running) {
      this.running = this.drain().finally(() => {
        this.running = null;
        if (this.queue.length > 0 && !this.poller.stopped) this.push([]);
      });
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async dropExpired(): Promise<void> {
    const maxAge = this.consumer.maxRecordAgeSeconds;
    if (maxAge < 0) return;
    const cutoff = this.poller.nowSeconds() - maxAge;
    const expired = this.queue.filter((r) => (r.dynamodb?.ApproximateCreationDateTime ?? cutoff) < cutoff);
    if (expired.length === 0) return;
    for (const r of expired) this.queue.splice(this.queue.indexOf(r), 1);
    await this.poller.giveUp(
      this.consumer,
      this.shardId,
      expired,
      'record-too-old',
      0,
      `older than ${maxAge} s`,
    );
    this.progress.settle(expired);
  }

  /** Takes the first `count` records off the queue: handled, or given up on and recorded. */
  private take(count: number): DynamoDBRecord[] {
    const taken = this.queue.splice(0, count);
    this.progress.settle(taken);
    return taken;
  }

  /**
   * Lambda's event source mapping, for one shard: ordered batches, retry from the lowest failed
   * record, bounded retries, then the failure log. A thrown error fails the whole batch; when a
   * batch of several keeps throwing, it is bisected (as the cloud's BisectBatchOnFunctionError
   * does) until the poison record is alone, so only that record ends in the failure log.
   */
  private async drain(): Promise<void> {
    const { consumer } = this;
    let limit = Math.max(1, consumer.batchSize);
    let attempts = 0;
    for (;;) {
      await this.dropExpired();
      if (this.queue.length === 0 || this.poller.stopped) return;
      const batch = this.queue.slice(0, limit);
      let outcome: BatchOutcome;
      try {
        const result = await invokeHandler(
          consumer.handler,
          { Records: batch },
          consumer.name,
          consumer.timeoutSeconds,
        );
        outcome = batchOutcome(batch, result);
      } catch (error) {
        outcome = {
          ok: false,
          failedAt: 0,
          reported: false,
          error: error instanceof Error ? error.message : String(error),
        };
      }
      if (outcome.ok) {
        this.take(batch.length);
        attempts = 0;
        limit = Math.max(1, consumer.batchSize);
        continue;
      }
      if (outcome.failedAt > 0) {
        this.take(outcome.failedAt);
        attempts = 0;
      }
      attempts += 1;
      if (attempts <= consumer.maxRetries) {
        await this.poller.wait(backoffMs(attempts));
        continue;
      }
      attempts = 0;
      if (outcome.reported || batch.length - outcome.failedAt <= 1) {
        const poison = this.queue.slice(0, 1);
        await this.poller.giveUp(
          consumer,
          this.shardId,
          poison,
          'retries-exhausted',
          consumer.maxRetries + 1,
          outcome.error,
        );
        this.take(1);
        limit = Math.max(1, consumer.batchSize);
      } else {
        limit = Math.max(1, Math.floor((batch.length - outcome.failedAt) / 2));
      }
    }
  }
}
