import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { StoredItem } from '../../../functions/shared/db.js';
import { keys } from '../../../functions/shared/table-design.js';
import { CATALOG } from '../../../infra/catalog.js';
import { LOCAL_AWS } from '../../../infra/local/dynamodb.js';
import { lambdaContext } from '../../../infra/local/http-adapter.js';
import { toLambdaRecord } from '../../../infra/local/stream-poller.js';
import type { SeededBook } from '../support/book.js';
import { countPartition, readPartition } from '../support/count.js';
import type { DynamoDbMeter } from '../support/dynamodb-meter.js';
import { rawWriteFloor } from '../support/raw-floor.js';
import { type Spread, spread, timed } from '../support/stats.js';

type StreamHandler = (event: DynamoDBStreamEvent, context: unknown) => Promise<DynamoDBBatchResponse>;

export interface CommissionFigures {
  events: number;
  batchSize: number;
  eventsPerSecond: Spread;
  floorEventsPerSecond: Spread;
  /** Product rate ÷ floor rate, per run. */
  ratio: Spread;
  itemWritesPerEvent: number;
  requestsPerEvent: number;
  capacityUnitsPerEvent: number;
  requests: Record<string, number>;
  /** A full replay of the first run's records: item writes attempted, new lines (must be 0), failures. */
  replay: { attemptedItemWrites: number; newLines: number; failedRecords: number };
  target: string;
  met: boolean;
}

export interface CommissionContext {
  handler: StreamHandler;
  book: SeededBook;
  raw: DynamoDBDocumentClient;
  tableName: string;
  productMeter: DynamoDbMeter;
  events: number;
  runs: number;
  /** The commission period the events' lines fall in (the written date's month). */
  period: string;
  log: (line: string) => void;
}

/**
 * Seeded policies of every advisor of the hierarchy, interleaved (one advisor after another), so
 * the events carry every depth of upline chain; as the stream would carry their INSERT records.
 */
async function policyRecords(ctx: CommissionContext, count: number): Promise<_Record[]> {
  const perAdvisor = Math.ceil(count / ctx.book.advisors.length);
  const lists: StoredItem[][] = [];
  for (const advisor of ctx.book.advisors) {
    const partition = keys.policiesByAdvisor(ctx.book.tenantId, advisor.id);
    const query = { raw: ctx.raw, tableName: ctx.tableName, index: 'gsi1', partition };
    lists.push((await readPartition(query, perAdvisor)) as StoredItem[]);
  }
  const items = Array.from({ length: perAdvisor }, (_, i) => lists.flatMap((l) => l[i] ?? [])).flat();
  items.length = Math.min(items.length, count);
  return items.map((item, i) => ({
    eventID: `bench-${i}`,
    eventName: 'INSERT',
    eventVersion: '1.1',
    dynamodb: {
      ApproximateCreationDateTime: new Date(),
      Keys: marshall({ pk: item.pk, sk: item.sk }),
      NewImage: marshall(item, { removeUndefinedValues: true }),
      SequenceNumber: String(100_000 + i),
      SizeBytes: JSON.stringify(item).length,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  })) as _Record[];
}

/** Feeds every record to the consumer in catalog-sized batches, in order, as one shard would. */
async function feed(ctx: CommissionContext, records: _Record[], batchSize: number): Promise<number> {
  let failed = 0;
  for (let i = 0; i < records.length; i += batchSize) {
    const batch = records
      .slice(i, i + batchSize)
      .map((r) => toLambdaRecord(r, 'arn:aws:dynamodb:local:bench/stream', LOCAL_AWS.region));
    const result = await ctx.handler({ Records: batch }, lambdaContext('commissions', 60));
    failed += result.batchItemFailures.length;
  }
  return failed;
}

/**
 * Commission throughput: policy INSERT records through the commission stream consumer (invoked
 * in process with real-shaped batches of the catalog's batch size, in order, as one shard), vs
 * the floor of writing the same number of items raw. Each run uses fresh policies, so every run
 * writes new lines; a full replay of the first run's records must write no new line.
 */
export async function benchCommissionThroughput(ctx: CommissionContext): Promise<CommissionFigures> {
  const spec = CATALOG.find((f) => f.name === 'commissions');
  const batchSize = spec?.trigger.kind === 'stream' ? spec.trigger.batchSize : 25;
  const all = await policyRecords(ctx, ctx.events * ctx.runs);
  if (all.length < ctx.events * ctx.runs) throw new Error(`only ${all.length} policies to feed`);

  const rates: number[] = [];
  const floorRates: number[] = [];
  let writes = 0;
  let requests = 0;
  let capacity = 0;
  let lastRequests: Record<string, number> = {};
  for (let run = 0; run < ctx.runs; run++) {
    const records = all.slice(run * ctx.events, (run + 1) * ctx.events);
    ctx.productMeter.reset();
    ctx.productMeter.capturePuts = true;
    const { ms, value: failed } = await timed(() => feed(ctx, records, batchSize));
    ctx.productMeter.capturePuts = false;
    if (failed > 0) throw new Error(`the commission consumer failed ${failed} records`);
    const itemWrites = ctx.productMeter.itemWrites;
    const puts = ctx.productMeter.puts as StoredItem[];
    if (itemWrites === 0 || puts.length === 0)
      throw new Error('the commission consumer wrote nothing: no scheme?');
    writes += itemWrites;
    requests += ctx.productMeter.total();
    capacity += ctx.productMeter.capacityUnits;
    lastRequests = { ...ctx.productMeter.requests };
    rates.push(ctx.events / (ms / 1000));
    const floor = await timed(() => rawWriteFloor(ctx.raw, ctx.tableName, puts, itemWrites, `C${run}`));
    floorRates.push(ctx.events / (floor.ms / 1000));
  }

  // The month's lines are spread over the key's shards (sharded-keys.ts): count every shard.
  const linesOfPeriod = async () => {
    const { shards } = keys.commissionLinesByPeriod(ctx.book.tenantId, ctx.period);
    const counts = await Promise.all(
      shards.map((partition) =>
        countPartition({ raw: ctx.raw, tableName: ctx.tableName, index: 'gsi2', partition }),
      ),
    );
    return counts.reduce((a, b) => a + b, 0);
  };
  const linesBefore = await linesOfPeriod();
  ctx.productMeter.reset();
  const replayFailed = await feed(ctx, all.slice(0, ctx.events), batchSize);
  const replay = {
    attemptedItemWrites: ctx.productMeter.itemWrites,
    newLines: (await linesOfPeriod()) - linesBefore,
    failedRecords: replayFailed,
  };

  const total = ctx.events * ctx.runs;
  const ratio = spread(rates.map((r, i) => r / (floorRates[i] as number)));
  ctx.log(
    `  commissions: ${spread(rates).median} events/s vs floor ${spread(floorRates).median} (×${ratio.median}); replay added ${replay.newLines} lines`,
  );
  return {
    events: ctx.events,
    batchSize,
    eventsPerSecond: spread(rates),
    floorEventsPerSecond: spread(floorRates),
    ratio,
    itemWritesPerEvent: Number((writes / total).toFixed(2)),
    requestsPerEvent: Number((requests / total).toFixed(2)),
    capacityUnitsPerEvent: Number((capacity / total).toFixed(2)),
    requests: lastRequests,
    replay,
    target: '≥ 50% of the floor rate; a replay writes no new line',
    met: ratio.median >= 0.5 && replay.failedRecords === 0 && replay.newLines === 0,
  };
}
