import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { FailureEntry } from '../../../infra/local/change-bus.js';
import { MemoryCheckpointStore } from '../../../infra/local/checkpoints.js';
import {
  batchOutcome,
  type StreamConsumer,
  StreamPoller,
  toLambdaRecord,
} from '../../../infra/local/stream-poller.js';

const ARN = 'arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026';

function localRecord(seq: number, type = 'Thing', eventName: string = 'INSERT'): _Record {
  const image = { pk: { S: 'T#t1#X' }, sk: { S: `s${seq}` }, type: { S: type } };
  return {
    eventID: `e${seq}`,
    eventName: eventName as _Record['eventName'],
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ddblocal',
    dynamodb: {
      ApproximateCreationDateTime: new Date(),
      Keys: { pk: image.pk, sk: image.sk },
      NewImage: image,
      SequenceNumber: String(1000 + seq),
      SizeBytes: 10,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

describe('toLambdaRecord', () => {
  it('adds what Lambda carries and DynamoDB Local does not', () => {
    const created = new Date('2026-01-01T00:00:01.900Z');
    const out = toLambdaRecord(
      {
        eventID: 'e1',
        eventName: 'MODIFY',
        dynamodb: {
          ApproximateCreationDateTime: created,
          Keys: { pk: { S: 'p' }, sk: { S: 's' } },
          NewImage: {
            blob: { B: new Uint8Array([1, 2, 3]) },
            blobs: { BS: [new Uint8Array([255])] },
            deep: { M: { inner: { L: [{ B: new Uint8Array([0]) }, { N: '1' }] } } },
          },
          SequenceNumber: '42',
        },
      },
      ARN,
      'eu-central-1',
    );
    expect(out).toMatchObject({
      eventID: 'e1',
      eventName: 'MODIFY',
      eventSource: 'aws:dynamodb',
      eventSourceARN: ARN,
      awsRegion: 'eu-central-1',
      dynamodb: {
        ApproximateCreationDateTime: 1767225601,
        SequenceNumber: '42',
        NewImage: {
          blob: { B: 'AQID' },
          blobs: { BS: ['/w=='] },
          deep: { M: { inner: { L: [{ B: 'AA==' }, { N: '1' }] } } },
        },
      },
    });
    expect(out.dynamodb && 'OldImage' in out.dynamodb).toBe(false);
  });

  it("turns DynamoDB Local's TTL deletion into the REMOVE by the service that AWS sends", () => {
    const out = toLambdaRecord(
      {
        eventID: 'e2',
        eventName: 'UNKNOWN_TO_SDK_VERSION' as _Record['eventName'],
        dynamodb: { Keys: { pk: { S: 'p' } }, OldImage: { pk: { S: 'p' } }, SequenceNumber: '43' },
      },
      ARN,
      'eu-central-1',
    );
    expect(out.eventName).toBe('REMOVE');
    expect(out.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
  });
});

describe('batchOutcome', () => {
  const batch = [1, 2, 3].map((n) => toLambdaRecord(localRecord(n), ARN, 'r'));
  it('reads success, partial failure from the lowest id, and invalid reports', () => {
    expect(batchOutcome(batch, undefined)).toEqual({ ok: true });
    expect(batchOutcome(batch, { batchItemFailures: [] })).toEqual({ ok: true });
    expect(
      batchOutcome(batch, { batchItemFailures: [{ itemIdentifier: '1003' }, { itemIdentifier: '1002' }] }),
    ).toMatchObject({ ok: false, failedAt: 1, reported: true });
    expect(batchOutcome(batch, { batchItemFailures: [{ itemIdentifier: '9' }] })).toMatchObject({
      ok: false,
      failedAt: 0,
      reported: false,
    });
    expect(batchOutcome(batch, { batchItemFailures: [{ itemIdentifier: '' }] })).toMatchObject({
      failedAt: 0,
    });
  });
});

/** Event ids of the records a stream failure entry holds. */
function failedIds(entry: FailureEntry | undefined): Array<string | undefined> {
  return ((entry?.payload as { records?: DynamoDBRecord[] } | undefined)?.records ?? []).map(
    (r) => r.eventID,
  );
}

describe('StreamPoller with a fake stream', () => {
  const streams = mockClient(DynamoDBStreamsClient);
  afterEach(() => streams.reset());

  function fakeStream(records: _Record[]) {
    streams.on(ListStreamsCommand).resolves({ Streams: [{ StreamArn: ARN, TableName: 't' }] });
    streams.on(DescribeStreamCommand).resolves({
      StreamDescription: { StreamArn: ARN, Shards: [{ ShardId: 'shard-1', SequenceNumberRange: {} }] },
    });
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'first' });
    streams
      .on(GetRecordsCommand, { ShardIterator: 'first' })
      .resolves({ Records: records, NextShardIterator: 'rest' });
    streams
      .on(GetRecordsCommand, { ShardIterator: 'rest' })
      .resolves({ Records: [], NextShardIterator: 'rest' });
  }

  function consumer(overrides: Partial<StreamConsumer> & Pick<StreamConsumer, 'handler'>): StreamConsumer {
    return {
      name: 'c',
      filter: { entityTypes: ['Thing'], events: ['INSERT'] },
      batchSize: 3,
      maxRetries: 2,
      maxRecordAgeSeconds: -1,
      timeoutSeconds: 5,
      ...overrides,
    };
  }

  const seqs = (e: DynamoDBStreamEvent) =>
    e.Records.map((r: DynamoDBRecord) => Number(r.dynamodb?.SequenceNumber) - 1000);

  async function run(records: _Record[], consumers: StreamConsumer[], checkpoints?: MemoryCheckpointStore) {
    fakeStream(records);
    const poller = new StreamPoller({
      client: new DynamoDBStreamsClient({ region: 'eu-central-1' }),
      tableName: 't',
      region: 'eu-central-1',
      consumers,
      fromStart: true,
      pollIntervalMs: 5,
      wait: async () => undefined,
      ...(checkpoints ? { checkpoints } : {}),
    });
    await poller.start();
    await poller.idle(10);
    await poller.stop();
    return poller;
  }

  it('delivers filtered records in order, in batches of at most batchSize', async () => {
    const batches: number[][] = [];
    await run(
      [
        localRecord(1),
        localRecord(2, 'Other'),
        localRecord(3),
        localRecord(4),
        localRecord(5),
        localRecord(6),
      ],
      [consumer({ handler: (e) => void batches.push(seqs(e)) })],
    );
    expect(batches).toEqual([
      [1, 3, 4],
      [5, 6],
    ]);
  });

  it('retries from the lowest reported failure without redelivering earlier records', async () => {
    const batches: number[][] = [];
    let failed = false;
    await run(
      [1, 2, 3, 4, 5].map((n) => localRecord(n)),
      [
        consumer({
          batchSize: 5,
          handler: (e) => {
            batches.push(seqs(e));
            if (failed) return { batchItemFailures: [] };
            failed = true;
            return { batchItemFailures: [{ itemIdentifier: '1004' }, { itemIdentifier: '1003' }] };
          },
        }),
      ],
    );
    expect(batches).toEqual([
      [1, 2, 3, 4, 5],
      [3, 4, 5],
    ]);
  });

  it('gives up on a reported poison record after maxRetries and moves on', async () => {
    const batches: number[][] = [];
    const poller = await run(
      [1, 2, 3].map((n) => localRecord(n)),
      [
        consumer({
          handler: (e) => {
            batches.push(seqs(e));
            return {
              batchItemFailures: e.Records.filter((r) => r.dynamodb?.SequenceNumber === '1002').map(() => ({
                itemIdentifier: '1002',
              })),
            };
          },
        }),
      ],
    );
    expect(batches).toEqual([[1, 2, 3], [2, 3], [2, 3], [3]]);
    expect(poller.failures.entries).toHaveLength(1);
    const entry = poller.failures.entries[0];
    expect(entry).toMatchObject({
      function: 'c',
      source: 'stream',
      reason: 'retries-exhausted',
      attempts: 3,
    });
    expect(failedIds(entry)).toEqual(['e2']);
  });

  it('bisects a batch that keeps throwing until only the poison record is given up on', async () => {
    const delivered = new Set<number>();
    const poller = await run(
      [1, 2, 3, 4].map((n) => localRecord(n)),
      [
        consumer({
          batchSize: 4,
          maxRetries: 1,
          handler: (e) => {
            if (seqs(e).includes(3)) throw new Error('poison');
            for (const s of seqs(e)) delivered.add(s);
          },
        }),
      ],
    );
    expect([...delivered].sort()).toEqual([1, 2, 4]);
    expect(poller.failures.entries).toHaveLength(1);
    expect(poller.failures.entries[0]?.error).toBe('poison');
    expect(failedIds(poller.failures.entries[0])).toEqual(['e3']);
  });

  it('gives up on records older than maxRecordAgeSeconds without invoking the handler', async () => {
    const old = localRecord(1);
    if (old.dynamodb) old.dynamodb.ApproximateCreationDateTime = new Date(Date.now() - 3_600_000);
    const batches: number[][] = [];
    const poller = await run(
      [old, localRecord(2)],
      [consumer({ maxRecordAgeSeconds: 60, handler: (e) => void batches.push(seqs(e)) })],
    );
    expect(batches).toEqual([[2]]);
    expect(poller.failures.entries[0]).toMatchObject({ reason: 'record-too-old' });
  });

  it("stores the shard's position once every consumer is done and the next start resumes after it", async () => {
    const checkpoints = new MemoryCheckpointStore();
    const delivered: number[] = [];
    await run(
      [1, 2, 3].map((n) => localRecord(n)),
      [consumer({ handler: (e) => void delivered.push(...seqs(e)) })],
      checkpoints,
    );
    expect(delivered).toEqual([1, 2, 3]);
    expect(checkpoints.saved.get(ARN)?.get('shard-1')).toBe('1003');

    streams.reset();
    await run([localRecord(4)], [consumer({ handler: () => undefined })], checkpoints);
    const iterators = streams.commandCalls(GetShardIteratorCommand).map((c) => c.args[0].input);
    expect(iterators[0]).toMatchObject({
      ShardId: 'shard-1',
      ShardIteratorType: ShardIteratorType.AFTER_SEQUENCE_NUMBER,
      SequenceNumber: '1003',
    });
    expect(checkpoints.saved.get(ARN)?.get('shard-1')).toBe('1004');
  });

  it('keeps the position before a record a consumer has not finished when it stops', async () => {
    const checkpoints = new MemoryCheckpointStore();
    fakeStream([1, 2, 3].map((n) => localRecord(n)));
    const poller = new StreamPoller({
      client: new DynamoDBStreamsClient({ region: 'eu-central-1' }),
      tableName: 't',
      region: 'eu-central-1',
      consumers: [
        consumer({
          batchSize: 1,
          maxRetries: 1_000,
          handler: (e) => {
            if (seqs(e).includes(2)) throw new Error('not yet');
          },
        }),
      ],
      fromStart: true,
      pollIntervalMs: 5,
      checkpoints,
      wait: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))),
    });
    await poller.start();
    await new Promise((r) => setTimeout(r, 100));
    await poller.stop();
    expect(checkpoints.saved.get(ARN)?.get('shard-1')).toBe('1001');
  });
});
