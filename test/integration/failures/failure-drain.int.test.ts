import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { failuresHandler as FailuresHandler } from '../../../functions/failures/handler.js';
import { streamBatchReader } from '../../../functions/failures/stream-batch-reader.js';
import type {
  FailureRoute,
  StreamBatchInfo,
  StreamBatchReader,
} from '../../../functions/modules/failures/failure-messages.js';
import { failedChangeId } from '../../../functions/modules/failures/failures.model.js';
import { FailuresRepository } from '../../../functions/modules/failures/failures.repository.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import {
  CHANGE_DETAIL_TYPE,
  CHANGE_SOURCE,
  type TableChangeDetail,
} from '../../../functions/shared/change-event.js';
import { newId } from '../../../functions/shared/ids.js';
import { LOCAL_AWS } from '../../../infra/local/dynamodb.js';
import { lambdaContext } from '../../../infra/local/http-adapter.js';
import { streamOnFailureRecord } from '../../fixtures/failure-queue-messages.js';
import { createTenant, createTestApp } from '../../support/app.js';

/**
 * The cloud's failure drain against DynamoDB Local: SQS events of each failure-queue kind (a stream
 * reader's on-failure record read back from the real stream, a bus rule's dead letter, the pipe's
 * dead letter of a batch the stream no longer has) land in the failure store once, however often
 * delivered, in the tenant of their change.
 */
const app = createTestApp();
const streams = new DynamoDBStreamsClient({
  endpoint: inject('dynamoEndpoint'),
  region: LOCAL_AWS.region,
  credentials: LOCAL_AWS,
});
const QUEUE = {
  commissions: 'arn:aws:sqs:eu-central-1:123456789012:commissions-failures',
  pipe: 'arn:aws:sqs:eu-central-1:123456789012:pipe-failures',
  debtors: 'arn:aws:sqs:eu-central-1:123456789012:debtors-failures',
};
const debtorsRoute: FailureRoute = {
  consumer: 'debtors',
  filter: { entityTypes: ['Invoice', 'InsurerPremiumPayment'], events: ['INSERT', 'MODIFY'] },
};
const ROUTES: Record<string, FailureRoute[]> = {
  [QUEUE.commissions]: [
    { consumer: 'commissions', filter: { entityTypes: ['Policy', 'Payment'], events: ['INSERT', 'MODIFY'] } },
  ],
  [QUEUE.pipe]: [debtorsRoute],
  [QUEUE.debtors]: [debtorsRoute],
};

let a: { tenantId: string; admin: Principal };
let b: { tenantId: string; admin: Principal };
let streamArn: string;
let drain: ReturnType<typeof FailuresHandler>;
const failing = new Set<string>();

function sqsRecord(
  queueArn: string,
  messageId: string,
  body: unknown,
  attributes: Record<string, string> = {},
): SQSRecord {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.parse('2026-11-30T10:05:00.000Z')),
      SenderId: 'AIDA',
      ApproximateFirstReceiveTimestamp: String(Date.parse('2026-11-30T10:05:01.000Z')),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { stringValue: v, dataType: 'String' }]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'eu-central-1',
  };
}

async function run(...records: SQSRecord[]) {
  const event: SQSEvent = { Records: records };
  return drain(event, lambdaContext('failures', 30));
}

/** Writes an item and finds its record on DynamoDB Local's real stream (shard and sequence number). */
async function writeAndLocate(
  item: Record<string, unknown>,
): Promise<{ shardId: string; seq: string; eventID: string }> {
  const shards =
    (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
  const open = shards.filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
  const iterators = await Promise.all(
    open.map(async (s) => ({
      shardId: s.ShardId as string,
      iterator: (
        await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: s.ShardId,
            ShardIteratorType: 'LATEST',
          }),
        )
      ).ShardIterator,
    })),
  );
  await app.db.put(item as never);
  for (let round = 0; round < 40; round++) {
    for (const it of iterators) {
      if (!it.iterator) continue;
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: it.iterator }));
      it.iterator = out.NextShardIterator;
      const found = out.Records?.find((r) => r.dynamodb?.Keys?.pk?.S === item.pk);
      if (found?.dynamodb?.SequenceNumber && found.eventID) {
        return { shardId: it.shardId, seq: found.dynamodb.SequenceNumber, eventID: found.eventID };
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`record of ${String(item.pk)} not on the stream`);
}

function invoiceChange(tenantId: string, invoiceId: string): TableChangeDetail {
  return {
    eventName: 'MODIFY',
    eventID: `ev-${invoiceId}`,
    entityType: 'Invoice',
    tenantId,
    keys: { pk: `T#${tenantId}#INVOICE#${invoiceId}`, sk: 'A' },
    newImage: { id: invoiceId, clientId: 'c-1', status: 'ISSUED', type: 'Invoice' },
    sequenceNumber: '42',
  };
}

const page = { limit: 100, cursor: null };

beforeAll(async () => {
  a = await createTenant(app, 'Drain A');
  b = await createTenant(app, 'Drain B');
  const listed = await streams.send(new ListStreamsCommand({ TableName: inject('tableName') }));
  streamArn = listed.Streams?.[0]?.StreamArn as string;
  // The handler module builds its own runtime at import, as a cold start does: give it one.
  Object.assign(process.env, {
    TABLE_NAME: inject('tableName'),
    AUTH_ISSUER: 'https://issuer.test',
    AUTH_AUDIENCE: 'test',
    AUTH_JWKS_JSON: '{"keys":[]}',
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.secretAccessKey,
  });
  const { failuresHandler } = await import('../../../functions/failures/handler.js');
  const real = streamBatchReader(streams);
  const reader: StreamBatchReader = (info) =>
    failing.has(info.shardId) ? Promise.reject(new Error('stream throttled')) : real(info);
  drain = failuresHandler(app.services.failures, ROUTES, reader);
}, 30_000);

describe('the failure drain', () => {
  it('reads a stream reader’s failed batch back from the stream and records its change once, in its tenant only', async () => {
    const pk = `T#${a.tenantId}#DRAINTEST#${newId()}`;
    const at = await writeAndLocate({ pk, sk: 'A', type: 'Policy', tenantId: a.tenantId, id: 'p-1' });
    const message = sqsRecord(
      QUEUE.commissions,
      newId(),
      streamOnFailureRecord({
        shardId: at.shardId,
        startSequenceNumber: at.seq,
        endSequenceNumber: at.seq,
        streamArn,
        batchSize: 1,
      }),
    );

    expect(await run(message)).toEqual({ batchItemFailures: [] });
    expect(await run(message)).toEqual({ batchItemFailures: [] });

    const listed = await app.services.failures.list(a.admin, null, page);
    const mine = listed.items.filter((f) => f.change?.keys.pk === pk);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      id: failedChangeId('commissions', at.eventID),
      consumer: 'commissions',
      tenantId: a.tenantId,
      status: 'OPEN',
      attempts: 6,
      error: 'stream reader gave up: RetryAttemptsExhausted (Unhandled)',
      change: { eventID: at.eventID, entityType: 'Policy', tenantId: a.tenantId, newImage: { id: 'p-1' } },
    });
    const other = await app.services.failures.list(b.admin, null, page);
    expect(other.items.filter((f) => f.change?.keys.pk === pk)).toEqual([]);
  });

  it('records a bus rule’s dead letter from its detail once, and the admin of its tenant replays it', async () => {
    const change = invoiceChange(b.tenantId, newId());
    const message = sqsRecord(
      QUEUE.debtors,
      newId(),
      { version: '0', id: newId(), 'detail-type': CHANGE_DETAIL_TYPE, source: CHANGE_SOURCE, detail: change },
      { ERROR_CODE: 'Lambda.FunctionError', ERROR_MESSAGE: 'Task timed out', RETRY_ATTEMPTS: '4' },
    );

    expect(await run(message)).toEqual({ batchItemFailures: [] });
    expect(await run(message)).toEqual({ batchItemFailures: [] });

    const id = failedChangeId('debtors', change.eventID);
    const listed = (await app.services.failures.list(b.admin, 'OPEN', page)).items.filter((f) => f.id === id);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      consumer: 'debtors',
      attempts: 5,
      change,
      error: 'bus delivery gave up: Lambda.FunctionError: Task timed out',
      firstFailedAt: '2026-11-30T10:05:00.000Z',
    });
    expect((await app.services.failures.list(a.admin, null, page)).items.map((f) => f.id)).not.toContain(id);
    await expect(app.services.failures.replay(a.admin, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const replayed = await app.services.failures.replay(b.admin, id);
    expect(replayed).toMatchObject({ status: 'REPLAYED', replayedBy: b.admin.userId });
  });

  it('keeps a pipe dead letter whose batch left the stream as a pointer with a note, outside every tenant', async () => {
    const info: StreamBatchInfo = {
      shardId: `shardId-00000000000000000000-${newId().slice(0, 8).toLowerCase()}`,
      startSequenceNumber: '100000000000000000001',
      endSequenceNumber: '100000000000000000009',
      streamArn,
      batchSize: 9,
    };
    const message = sqsRecord(QUEUE.pipe, newId(), {
      context: {
        partnerResourceArn: 'arn:aws:pipes:eu-central-1:123456789012:pipe/change-pipe',
        condition: 'RetryAttemptsExhausted',
      },
      version: '1.0',
      timestamp: '2026-11-30T10:05:00.000Z',
      DDBStreamBatchInfo: info,
    });

    expect(await run(message)).toEqual({ batchItemFailures: [] });

    const pointer = `${streamArn}/${info.shardId}/${info.startSequenceNumber}..${info.endSequenceNumber}`;
    const stored = await new FailuresRepository(app.db).getFailedChange(
      null,
      failedChangeId('debtors', pointer),
    );
    expect(stored).toMatchObject({
      consumer: 'debtors',
      tenantId: null,
      change: null,
      pointer,
      status: 'OPEN',
    });
    expect(stored?.error).toContain(
      'change pipe arn:aws:pipes:eu-central-1:123456789012:pipe/change-pipe gave up',
    );
    expect(stored?.error).toContain('records no longer in the stream');
    expect((await app.services.failures.list(a.admin, null, page)).items.map((f) => f.pointer)).not.toContain(
      pointer,
    );
  });

  it('reports only the message it could not record, so the others are not delivered again', async () => {
    const shardId = `shardId-unreachable-${newId()}`;
    failing.add(shardId);
    const bad = sqsRecord(
      QUEUE.commissions,
      newId(),
      streamOnFailureRecord({
        shardId,
        startSequenceNumber: '1',
        endSequenceNumber: '2',
        streamArn,
        batchSize: 2,
      }),
    );
    const change = invoiceChange(a.tenantId, newId());
    const good = sqsRecord(QUEUE.debtors, newId(), { 'detail-type': CHANGE_DETAIL_TYPE, detail: change });

    expect(await run(bad, good)).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });

    const ids = (await app.services.failures.list(a.admin, null, page)).items.map((f) => f.id);
    expect(ids).toContain(failedChangeId('debtors', change.eventID));
  });
});
