import {
  type _Record,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { streamBatchReader } from '../../../functions/failures/stream-batch-reader.js';
import {
  type FailureMessage,
  failuresOfMessage,
  type StreamBatchInfo,
} from '../../../functions/modules/failures/failure-messages.js';
import { streamOnFailureRecord } from '../../fixtures/failure-queue-messages.js';

const STREAM = 'arn:aws:dynamodb:eu-central-1:123456789012:table/crm/stream/2026-11-30T00:00:00.000';
const SHARD = 'shardId-00000001764460800000-abcdef12';
// Sequence numbers of different lengths: compared as strings, '99…' would sort after '100…'.
const SEQ = [
  '990000000000000000001',
  '990000000000000000002',
  '1000000000000000000003',
  '1000000000000000000004',
];

function streamRecord(seq: string, type: string): _Record {
  const image = { pk: { S: `T#tenant-a#X#${seq}` }, sk: { S: 'A' }, type: { S: type } };
  return {
    eventID: `ev-${seq}`,
    eventName: 'INSERT',
    dynamodb: {
      ApproximateCreationDateTime: new Date('2026-11-30T10:00:00Z'),
      Keys: { pk: image.pk, sk: image.sk },
      NewImage: image,
      SequenceNumber: seq,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

const batch: StreamBatchInfo = {
  shardId: SHARD,
  startSequenceNumber: SEQ[0] as string,
  endSequenceNumber: SEQ[2] as string,
  streamArn: STREAM,
  batchSize: 3,
};

function onFailureMessage(info: StreamBatchInfo): FailureMessage {
  return {
    messageId: 'msg-stream-1',
    sentAt: '2026-11-30T10:05:00.000Z',
    attributes: {},
    body: JSON.stringify(streamOnFailureRecord(info)),
  };
}

const streams = mockClient(DynamoDBStreamsClient);
afterEach(() => streams.reset());

describe('reading a failed batch back from the stream', () => {
  it('starts AT_SEQUENCE_NUMBER of the first record and pages GetRecords until past the last one', async () => {
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-0' });
    streams
      .on(GetRecordsCommand, { ShardIterator: 'it-0' })
      .resolves({ Records: [streamRecord(SEQ[0] as string, 'Policy')], NextShardIterator: 'it-1' })
      .on(GetRecordsCommand, { ShardIterator: 'it-1' })
      .resolves({ Records: [], NextShardIterator: 'it-2' })
      .on(GetRecordsCommand, { ShardIterator: 'it-2' })
      .resolves({
        Records: [
          streamRecord(SEQ[1] as string, 'Invoice'),
          streamRecord(SEQ[2] as string, 'Payment'),
          streamRecord(SEQ[3] as string, 'Policy'),
        ],
        NextShardIterator: 'it-3',
      });

    const read = await streamBatchReader(new DynamoDBStreamsClient({}))(batch);

    expect(streams.commandCalls(GetShardIteratorCommand).map((c) => c.args[0].input)).toEqual([
      { StreamArn: STREAM, ShardId: SHARD, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: SEQ[0] },
    ]);
    expect(streams.commandCalls(GetRecordsCommand).map((c) => c.args[0].input.ShardIterator)).toEqual([
      'it-0',
      'it-1',
      'it-2',
    ]);
    expect('records' in read && read.records.map((r) => r.dynamodb?.SequenceNumber)).toEqual(SEQ.slice(0, 3));
    expect('records' in read && read.records[0]).toMatchObject({
      eventSourceARN: STREAM,
      awsRegion: 'eu-central-1',
      dynamodb: { ApproximateCreationDateTime: 1796032800 },
    });
  });

  it('answers expired when the stream has trimmed the batch (records live 24 h)', async () => {
    streams
      .on(GetShardIteratorCommand)
      .rejects(new TrimmedDataAccessException({ message: 'beyond the trim horizon', $metadata: {} }));

    const read = await streamBatchReader(new DynamoDBStreamsClient({}))(batch);

    expect(read).toEqual({ expired: 'TrimmedDataAccessException: beyond the trim horizon' });
    expect(streams.commandCalls(GetRecordsCommand)).toHaveLength(0);
  });

  it('throws on any other read error, so the message comes back instead of being recorded half', async () => {
    streams.on(GetShardIteratorCommand).rejects(new Error('throttled'));
    await expect(streamBatchReader(new DynamoDBStreamsClient({}))(batch)).rejects.toThrow('throttled');
  });
});

describe('a failure-queue message as failed changes', () => {
  const commissions = { consumer: 'commissions', filter: { entityTypes: ['Policy', 'Payment'], events: [] } };

  it('keeps the records of a stream batch the consumer takes, each with its change, the condition and the attempts', async () => {
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-0' });
    streams.on(GetRecordsCommand).resolves({
      Records: SEQ.slice(0, 3).map((seq, i) => streamRecord(seq, i === 1 ? 'Invoice' : 'Policy')),
    });

    const failures = await failuresOfMessage(
      onFailureMessage(batch),
      [commissions],
      streamBatchReader(new DynamoDBStreamsClient({})),
    );

    expect(failures.map((f) => [f.consumer, f.change?.eventID, f.change?.tenantId])).toEqual([
      ['commissions', `ev-${SEQ[0]}`, 'tenant-a'],
      ['commissions', `ev-${SEQ[2]}`, 'tenant-a'],
    ]);
    expect(failures[0]).toMatchObject({
      attempts: 6,
      at: '2026-11-30T10:05:00.000Z',
      deliveryId: 'msg-stream-1',
      error: 'stream reader gave up: RetryAttemptsExhausted (Unhandled)',
    });
  });

  it('keeps an expired batch as one pointer failure per consumer with a note, never dropping it', async () => {
    streams
      .on(GetShardIteratorCommand)
      .rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));

    const failures = await failuresOfMessage(
      onFailureMessage(batch),
      [commissions],
      streamBatchReader(new DynamoDBStreamsClient({})),
    );

    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      consumer: 'commissions',
      change: null,
      tenantId: null,
      pointer: `${STREAM}/${SHARD}/${SEQ[0]}..${SEQ[2]}`,
      eventID: `${STREAM}/${SHARD}/${SEQ[0]}..${SEQ[2]}`,
    });
    expect(failures[0]?.error).toContain(
      'records no longer in the stream (TrimmedDataAccessException: trimmed)',
    );
    expect(failures[0]?.error).toContain('cannot be replayed');
  });

  it('keeps a message it does not recognise as a pointer to the message', async () => {
    const failures = await failuresOfMessage(
      { messageId: 'm-9', body: 'not json', sentAt: '2026-11-30T10:00:00.000Z', attributes: {} },
      [commissions],
      async () => ({ records: [] }),
    );
    expect(failures).toMatchObject([{ consumer: 'commissions', change: null, pointer: 'sqs:m-9' }]);
    expect(failures[0]?.error).toContain('unrecognised failure-queue message: not json');
  });
});
