import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TableChangeEvent } from '../../../functions/shared/change-event.js';
import {
  type BusSubscriber,
  ChangeBus,
  type FailureEntry,
  FailureLog,
} from '../../../infra/local/change-bus.js';
import { LOCAL_AWS } from '../../../infra/local/dynamodb.js';
import { type StreamConsumer, StreamPoller } from '../../../infra/local/stream-poller.js';

/**
 * The poller against DynamoDB Local's real stream on the shared test table. Other test files write
 * to the same table at the same time, so every entity type here carries this run's suffix and every
 * assertion looks only at this file's own records.
 */
const run = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const tenant = `ls${run}`;
const TYPE = {
  ordered: `LsOrdered${run}`,
  other: `LsOther${run}`,
  partial: `LsPartial${run}`,
  poison: `LsPoison${run}`,
  bus: `LsBus${run}`,
};

const endpoint = inject('dynamoEndpoint');
const tableName = inject('tableName');
const ddb = new DynamoDBClient({ endpoint, region: LOCAL_AWS.region, credentials: LOCAL_AWS });
const streams = new DynamoDBStreamsClient({ endpoint, region: LOCAL_AWS.region, credentials: LOCAL_AWS });

const sk = (r: DynamoDBRecord) => r.dynamodb?.Keys?.sk?.S ?? '';
const calls: Record<string, string[][]> = { ordered: [], partial: [], poison: [] };
const busEvents: TableChangeEvent[] = [];
const partialFailedOnce = new Set<string>();

function streamConsumer(
  name: keyof typeof calls,
  type: string,
  handler: (e: DynamoDBStreamEvent) => unknown,
  extra: Partial<StreamConsumer> = {},
): StreamConsumer {
  return {
    name,
    filter: { entityTypes: [type], events: ['INSERT', 'MODIFY'] },
    batchSize: 10,
    maxRetries: 2,
    maxRecordAgeSeconds: -1,
    timeoutSeconds: 10,
    handler: (event: DynamoDBStreamEvent) => {
      calls[name]?.push(event.Records.map(sk));
      return handler(event);
    },
    ...extra,
  };
}

const consumers: StreamConsumer[] = [
  streamConsumer('ordered', TYPE.ordered, () => undefined, { batchSize: 3 }),
  streamConsumer('partial', TYPE.partial, (event) => {
    // Fails p3 and p5 once each: the retry must start at p3 and never bring back p1 or p2.
    const failures = event.Records.filter(
      (r) => ['p3', 'p5'].includes(sk(r)) && !partialFailedOnce.has(sk(r)),
    );
    for (const r of failures) partialFailedOnce.add(sk(r));
    return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })) };
  }),
  streamConsumer('poison', TYPE.poison, (event) => {
    if (event.Records.some((r) => sk(r) === 'bad')) throw new Error('cannot digest bad');
  }),
];

const subscribers: BusSubscriber[] = [
  {
    name: 'bus-ok',
    filter: { entityTypes: [TYPE.bus], events: ['INSERT', 'REMOVE'] },
    maxRetries: 1,
    timeoutSeconds: 10,
    handler: (event) => {
      busEvents.push(event);
    },
  },
  {
    name: 'bus-broken',
    filter: { entityTypes: [TYPE.bus], events: ['REMOVE'] },
    maxRetries: 1,
    timeoutSeconds: 10,
    handler: () => {
      throw new Error('subscriber down');
    },
  },
];

const failures = new FailureLog();
const bus = new ChangeBus({ subscribers, region: LOCAL_AWS.region, failures });
const poller = new StreamPoller({
  client: streams,
  tableName,
  region: LOCAL_AWS.region,
  consumers,
  bus,
  fromStart: false,
  failures,
});

const put = (type: string, key: string, extra: Record<string, AttributeValue> = {}) =>
  ddb.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { pk: { S: `T#${tenant}#LS` }, sk: { S: key }, type: { S: type }, ...extra },
    }),
  );

const mine = (entries: readonly FailureEntry[], fn: string) => entries.filter((f) => f.function === fn);

beforeAll(async () => {
  await poller.start();
});

afterAll(async () => {
  await poller.stop();
  ddb.destroy();
  streams.destroy();
});

describe('stream poller on DynamoDB Local', () => {
  it('delivers a consumer only its entity type, in write order, in batches of at most batchSize', async () => {
    for (let i = 1; i <= 7; i++) {
      await put(TYPE.ordered, `o${i}`);
      if (i % 3 === 0) await put(TYPE.other, `x${i}`);
    }
    await ddb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: `T#${tenant}#LS` }, sk: { S: 'o2' } },
        UpdateExpression: 'SET note = :n',
        ExpressionAttributeValues: { ':n': { S: 'changed' } },
      }),
    );
    await poller.idle();
    const delivered = (calls.ordered ?? []).flat();
    expect(delivered).toEqual(['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o2']);
    expect((calls.ordered ?? []).every((batch) => batch.length <= 3)).toBe(true);
  });

  it('retries a partial batch failure from the lowest failed record and never redelivers earlier ones', async () => {
    for (let i = 1; i <= 6; i++) await put(TYPE.partial, `p${i}`);
    await poller.idle();
    const deliveries = (calls.partial ?? []).flat();
    const count = (key: string) => deliveries.filter((d) => d === key).length;
    expect(count('p1')).toBe(1);
    expect(count('p2')).toBe(1);
    expect(count('p3')).toBe(2);
    expect(count('p6')).toBeGreaterThanOrEqual(1);
    // Every retry begins exactly at the record that failed.
    for (const [i, batch] of (calls.partial ?? []).entries()) {
      if (i > 0 && batch[0] && deliveries.indexOf(batch[0]) < deliveries.lastIndexOf(batch[0])) {
        expect(['p3', 'p5']).toContain(batch[0]);
      }
    }
    expect(mine(failures.entries, 'partial')).toEqual([]);
  });

  it('puts a poison record in the failure log after maxRetries and delivers the rest', async () => {
    await put(TYPE.poison, 'good1');
    await put(TYPE.poison, 'bad');
    await put(TYPE.poison, 'good2');
    await poller.idle();
    const failed = mine(failures.entries, 'poison');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ source: 'stream', reason: 'retries-exhausted', attempts: 3 });
    const records = (failed[0]?.payload as { records?: DynamoDBRecord[] } | undefined)?.records ?? [];
    expect(records.map(sk)).toEqual(['bad']);
    expect(records[0]).toMatchObject({ eventSource: 'aws:dynamodb', awsRegion: LOCAL_AWS.region });
    expect(records[0]?.eventSourceARN).toMatch(/^arn:aws:dynamodb:/);
    expect(typeof records[0]?.dynamodb?.ApproximateCreationDateTime).toBe('number');
    const succeeded = (calls.poison ?? []).filter((batch) => !batch.includes('bad')).flat();
    expect(succeeded).toEqual(expect.arrayContaining(['good1', 'good2']));
  });

  it('carries empty maps and lists to bus subscribers, nested or not', async () => {
    await put(TYPE.bus, 'empty', {
      match: { M: {} },
      tags: { L: [] },
      rules: { L: [{ M: { match: { M: {} }, bands: { L: [] }, name: { S: 'r' } } }] },
    });
    await poller.idle();
    const insert = busEvents.find((e) => e.detail.keys.sk === 'empty' && e.detail.eventName === 'INSERT');
    expect(insert?.detail.newImage).toMatchObject({
      match: {},
      tags: [],
      rules: [{ match: {}, bands: [], name: 'r' }],
    });
  });

  it('forwards changes to bus subscribers as EventBridge events and dead-letters a failing subscriber', async () => {
    await put(TYPE.bus, 'b1', { name: { S: 'first' } });
    await ddb.send(
      new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: `T#${tenant}#LS` }, sk: { S: 'b1' } } }),
    );
    await poller.idle();
    const b1 = busEvents.filter((e) => e.detail.keys.sk === 'b1');
    expect(b1.map((e) => e.detail.eventName)).toEqual(expect.arrayContaining(['INSERT', 'REMOVE']));
    expect(b1).toHaveLength(2);
    const removal = busEvents.find((e) => e.detail.eventName === 'REMOVE');
    expect(removal).toMatchObject({
      version: '0',
      'detail-type': 'TableChange',
      source: 'broker-crm.table',
      region: LOCAL_AWS.region,
      resources: [],
      detail: {
        entityType: TYPE.bus,
        tenantId: tenant,
        keys: { pk: `T#${tenant}#LS`, sk: 'b1' },
        oldImage: { name: 'first', type: TYPE.bus },
      },
    });
    expect(removal?.detail.newImage).toBeUndefined();
    const dead = mine(failures.entries, 'bus-broken');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ source: 'bus', attempts: 2, error: 'subscriber down' });
  });
});
