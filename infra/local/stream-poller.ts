import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type Shard,
  ShardIteratorType,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { toChangeDetail } from '../../functions/shared/change-event.js';
import { toLambdaRecord } from '../../functions/shared/stream-record.js';
import { type ChangeBus, FailureLog, sleep } from './change-bus.js';
import type { CheckpointStore } from './checkpoints.js';
import { Lane, type LaneHost, ShardProgress, type StreamConsumer } from './stream-lanes.js';

export { toLambdaAttribute, toLambdaRecord } from '../../functions/shared/stream-record.js';
export {
  type BatchOutcome,
  batchOutcome,
  type StreamConsumer,
  type StreamHandler,
  streamConsumers,
} from './stream-lanes.js';

/** How the poller (the local stand-in for Lambda's stream event source mappings and the pipe) reads the stream. */
export interface StreamPollerOptions {
  client: DynamoDBStreamsClient;
  tableName: string;
  region: string;
  consumers: readonly StreamConsumer[];
  /** The pipe: every record, unfiltered, goes to the change bus. Omit to run without a bus. */
  bus?: ChangeBus;
  /**
   * For the shards open at start that have no checkpoint: TRIM_HORIZON (everything the stream still
   * holds) when true, else LATEST.
   */
  fromStart: boolean;
  /** Where each shard's position is kept; a shard with a checkpoint resumes right after it. */
  checkpoints?: CheckpointStore;
  failures?: FailureLog;
  log?: (line: string) => void;
  /** Pause after a poll that found nothing. */
  pollIntervalMs?: number;
  /** How often to look for new shards (DynamoDB rolls shards over; splits create children). */
  shardRefreshMs?: number;
  /** Waits between retries; tests pass a no-op. */
  wait?: (ms: number) => Promise<void>;
  now?: () => Date;
}

/** One shard being read: its iterator loop and the consumers' lanes fed from it. */
class ShardReader {
  readonly lanes: Lane[];
  readonly progress: ShardProgress;
  finished = false;
  private caughtUpWaiters: Array<{ after: number; resolve: () => void }> = [];
  private lastSequence: string | undefined;
  private loop: Promise<void> | null = null;
  private markReady: () => void = () => undefined;
  /** Settles once the reader holds its first iterator: writes after that are sure to be read. */
  readonly ready = new Promise<void>((resolve) => {
    this.markReady = resolve;
  });

  constructor(
    readonly shard: Shard,
    private readonly poller: StreamPoller,
    private readonly iteratorType: ShardIteratorType,
    checkpoint?: string,
  ) {
    const shardId = shard.ShardId ?? '';
    this.progress = new ShardProgress(shardId, poller);
    this.lanes = poller.consumers.map((c) => new Lane(c, shardId, poller, this.progress));
    this.lastSequence = checkpoint;
  }

  start(): void {
    this.loop ??= this.run().catch((error) => {
      this.poller.logLine(
        `stream: shard ${this.shard.ShardId} stopped: ${(error as Error).stack ?? String(error)}`,
      );
      this.finish();
    });
  }

  /** Resolves when the read loop has ended (shard closed or poller stopped). */
  async stopped(): Promise<void> {
    await this.loop;
  }

  get started(): boolean {
    return this.loop !== null;
  }

  /** Resolves once a poll that began at or after `after` came back empty (or the shard closed). */
  caughtUp(after: number): Promise<void> {
    if (this.finished || !this.started) return Promise.resolve();
    return new Promise((resolve) => this.caughtUpWaiters.push({ after, resolve }));
  }

  async drained(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.idle()));
  }

  /** Waits for the lanes' current invocations and stores the position reached. */
  async settle(): Promise<void> {
    await this.drained();
    await this.progress.flush();
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.markReady();
    this.poller.shardFinished();
    for (const w of this.caughtUpWaiters) w.resolve();
    this.caughtUpWaiters = [];
  }

  private async iterator(type: ShardIteratorType): Promise<string | undefined> {
    const out = await this.poller.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.poller.streamArn,
        ShardId: this.shard.ShardId,
        ShardIteratorType: type,
        SequenceNumber: type === ShardIteratorType.AFTER_SEQUENCE_NUMBER ? this.lastSequence : undefined,
      }),
    );
    return out.ShardIterator;
  }

  private async run(): Promise<void> {
    let iterator = await this.iterator(
      this.lastSequence ? ShardIteratorType.AFTER_SEQUENCE_NUMBER : this.iteratorType,
    );
    this.markReady();
    while (iterator && !this.poller.stopped) {
      const startedAt = performance.now();
      let out: GetRecordsCommandOutput;
      try {
        out = await this.poller.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      } catch (error) {
        if (error instanceof ExpiredIteratorException) {
          iterator = await this.iterator(
            this.lastSequence ? ShardIteratorType.AFTER_SEQUENCE_NUMBER : this.iteratorType,
          );
          continue;
        }
        if (error instanceof TrimmedDataAccessException) {
          iterator = await this.iterator(ShardIteratorType.TRIM_HORIZON);
          continue;
        }
        throw error;
      }
      const records = (out.Records ?? []).map((r) =>
        toLambdaRecord(r, this.poller.streamArn, this.poller.region),
      );
      if (records.length > 0) {
        this.lastSequence = records.at(-1)?.dynamodb?.SequenceNumber;
        this.poller.accept(records, this.lanes, this.progress);
      } else {
        for (const w of this.caughtUpWaiters) if (w.after <= startedAt) w.resolve();
        this.caughtUpWaiters = this.caughtUpWaiters.filter((w) => w.after > startedAt);
      }
      iterator = out.NextShardIterator;
      if (iterator && records.length === 0) await sleep(this.poller.pollIntervalMs);
    }
    this.finish();
  }
}

/**
 * The local stand-in for the stream's two readers: the event source mappings of the catalog's
 * stream consumers, and the pipe that forwards every change to the change bus. It reads DynamoDB
 * Local's stream shard by shard, turns records into Lambda's shape and delivers them with Lambda's
 * semantics (filters, ordered batches per shard, partial batch failures, bounded retries and record
 * age, a failure log), so at-least-once behaviour can be tested on a laptop. With a checkpoint
 * store it keeps each shard's position (the records every consumer and the pipe are done with) and
 * resumes after it on the next start, as an event source mapping does; without one, a start reads
 * from LATEST or the trim horizon, as a new mapping would.
 */
export class StreamPoller implements LaneHost {
  readonly failures: FailureLog;
  readonly consumers: readonly StreamConsumer[];
  readonly client: DynamoDBStreamsClient;
  readonly region: string;
  readonly pollIntervalMs: number;
  readonly wait: (ms: number) => Promise<void>;
  readonly checkpoints: CheckpointStore | undefined;
  streamArn = '';
  stopped = false;
  private readonly readers = new Map<string, ShardReader>();
  private readonly now: () => Date;
  private refreshTimer: NodeJS.Timeout | undefined;
  private recordsSeen = 0;
  private resumeFrom = new Map<string, string>();

  constructor(private readonly options: StreamPollerOptions) {
    this.client = options.client;
    this.region = options.region;
    this.consumers = options.consumers;
    this.failures = options.failures ?? new FailureLog();
    this.pollIntervalMs = options.pollIntervalMs ?? 25;
    this.wait = options.wait ?? sleep;
    this.now = options.now ?? (() => new Date());
    this.checkpoints = options.checkpoints;
  }

  /** Finds the table's stream and starts reading its shards; resolves once every reader has an iterator. */
  async start(): Promise<void> {
    const streams = await this.client.send(new ListStreamsCommand({ TableName: this.options.tableName }));
    const arn = streams.Streams?.[0]?.StreamArn;
    if (!arn) throw new Error(`Table ${this.options.tableName} has no stream: enable StreamSpecification`);
    this.streamArn = arn;
    if (this.checkpoints) this.resumeFrom = await this.checkpoints.load(arn);
    await this.refreshShards(true);
    await Promise.all([...this.readers.values()].filter((r) => r.started).map((r) => r.ready));
    const every = this.options.shardRefreshMs ?? 1000;
    const tick = () => {
      this.refreshTimer = setTimeout(() => {
        this.refreshShards(false)
          .catch((error) => this.logLine(`stream: shard refresh failed: ${(error as Error).message}`))
          .finally(() => {
            if (!this.stopped) tick();
          });
      }, every);
      this.refreshTimer.unref();
    };
    tick();
  }

  /**
   * Stops reading, lets the invocations in flight finish and stores each shard's position: what
   * was not handled yet is read again after the next start.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    await Promise.all([...this.readers.values()].map((r) => r.stopped()));
    await Promise.all([...this.readers.values()].map((r) => r.settle()));
  }

  /**
   * Resolves once the poller has read everything written before the call, every consumer has
   * finished with it (retries and failure-log entries included) and the bus has delivered it;
   * repeats (a bounded number of times) while new records keep arriving, such as handlers' own
   * writes. Tests await it instead of sleeping.
   */
  async idle(settleMs = 40): Promise<void> {
    // Bounded: other writers (a shared test table) could otherwise keep it from ever settling.
    for (let round = 0; round < 20; round++) {
      const seen = this.recordsSeen;
      const after = performance.now() + settleMs;
      await Promise.all([...this.readers.values()].map((r) => r.caughtUp(after)));
      await Promise.all([...this.readers.values()].map((r) => r.drained()));
      await this.options.bus?.idle();
      if (this.recordsSeen === seen) return;
    }
  }

  /** A closed shard may have children waiting on it: look for them now rather than at the next tick. */
  shardFinished(): void {
    if (this.stopped) return;
    this.refreshShards(false).catch((error) =>
      this.logLine(`stream: shard refresh failed: ${(error as Error).message}`),
    );
  }

  nowSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  logLine(line: string): void {
    this.options.log?.(line);
  }

  /** Hands a shard's new records to the pipe and to each consumer's lane, in stream order. */
  accept(records: readonly DynamoDBRecord[], lanes: readonly Lane[], progress: ShardProgress): void {
    this.recordsSeen += records.length;
    progress.accept(records);
    const bus = this.options.bus;
    if (bus) {
      for (const record of records) {
        try {
          const delivered = bus.publish(toChangeDetail(record));
          progress.open(record);
          void delivered.finally(() => progress.settle([record]));
        } catch (error) {
          this.logLine(`pipe: skipped ${record.eventID}: ${(error as Error).message}`);
        }
      }
    }
    for (const lane of lanes) lane.push(records);
    progress.settle(records);
  }

  giveUp(
    consumer: StreamConsumer,
    shardId: string,
    records: readonly DynamoDBRecord[],
    reason: 'retries-exhausted' | 'record-too-old',
    attempts: number,
    error: string,
  ): Promise<void> {
    this.logLine(`stream: ${consumer.name} gave up on ${records.length} record(s) (${reason}): ${error}`);
    return this.failures.add({
      at: this.now().toISOString(),
      function: consumer.name,
      source: 'stream',
      reason,
      attempts,
      error,
      payload: { streamArn: this.streamArn, shardId, records },
    });
  }

  private async refreshShards(initial: boolean): Promise<void> {
    const shards: Shard[] = [];
    let exclusiveStart: string | undefined;
    do {
      const out = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: exclusiveStart }),
      );
      shards.push(...(out.StreamDescription?.Shards ?? []));
      exclusiveStart = out.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStart);
    const listed = new Set(shards.map((s) => s.ShardId));
    for (const shard of shards) {
      if (!shard.ShardId || this.readers.has(shard.ShardId)) continue;
      // A shard that appears later is a child of a split or a rollover: read it whole, never from LATEST.
      const type =
        initial && !this.options.fromStart ? ShardIteratorType.LATEST : ShardIteratorType.TRIM_HORIZON;
      const checkpoint = this.resumeFrom.get(shard.ShardId);
      if (checkpoint) this.logLine(`stream: shard ${shard.ShardId} resumes after ${checkpoint}`);
      this.readers.set(shard.ShardId, new ShardReader(shard, this, type, checkpoint));
    }
    await this.startReady(listed);
  }

  /** Starts readers whose parent is done (read and delivered), so each consumer sees a key's changes in order. */
  private async startReady(listed: ReadonlySet<string | undefined>): Promise<void> {
    const starting: Promise<void>[] = [];
    for (const reader of this.readers.values()) {
      if (reader.started) continue;
      const parentId = reader.shard.ParentShardId;
      const parent = parentId ? this.readers.get(parentId) : undefined;
      if (parent && listed.has(parentId) && !parent.finished) continue;
      if (parent) {
        starting.push(parent.drained().then(() => reader.start()));
      } else {
        reader.start();
      }
    }
    await Promise.all(starting);
  }
}
