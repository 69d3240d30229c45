import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent, ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableChangeEvent } from '../../../functions/shared/change-event.js';
import { CATALOG, type FunctionSpec } from '../../../infra/catalog.js';
import { DYNAMODB_LOCAL_JAVA_OPTIONS, LOCAL_AWS } from '../../../infra/local/dynamodb.js';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.js';

/**
 * `startLocalStack` hosts a catalog's stream, bus and schedule functions: a test adds its own
 * entries and handlers, writes to the table and waits for `changes.idle()`.
 */
const testSpecs: FunctionSpec[] = [
  {
    name: 'test-stream',
    description: 'records stream batches',
    entry: 'never-loaded.ts',
    trigger: {
      kind: 'stream',
      filter: { entityTypes: ['WiringThing'], events: ['INSERT'] },
      batchSize: 5,
      maxRetries: 1,
      maxRecordAgeSeconds: -1,
    },
    needs: ['table'],
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  {
    name: 'test-bus',
    description: 'records bus events',
    entry: 'never-loaded.ts',
    trigger: { kind: 'bus', filter: { entityTypes: ['WiringThing'], events: [] }, maxRetries: 0 },
    needs: [],
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  {
    name: 'test-bus-failing',
    description: 'always fails',
    entry: 'never-loaded.ts',
    trigger: { kind: 'bus', filter: { entityTypes: ['WiringThing'], events: [] }, maxRetries: 0 },
    needs: [],
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  {
    name: 'test-schedule',
    description: 'nightly',
    entry: 'never-loaded.ts',
    trigger: { kind: 'schedule', expression: 'cron(0 3 * * ? *)' },
    needs: [],
    memoryMb: 256,
    timeoutSeconds: 10,
  },
];

describe('startLocalStack with stream, bus and schedule functions', () => {
  let stack: LocalStack;
  const streamBatches: string[][] = [];
  const busEvents: TableChangeEvent[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      dataDir: null,
      seed: false,
      log: () => undefined,
      catalog: [...CATALOG, ...testSpecs],
      handlers: {
        'test-stream': (e: DynamoDBStreamEvent) => {
          streamBatches.push(e.Records.map((r) => r.dynamodb?.Keys?.sk?.S ?? ''));
        },
        'test-bus': (e: TableChangeEvent) => {
          busEvents.push(e);
        },
        'test-bus-failing': () => {
          throw new Error('nope');
        },
        'test-schedule': (e: ScheduledEvent) => e['detail-type'],
      },
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('feeds table writes to stream consumers and bus subscribers, and reports dead letters', async () => {
    const ddb = new DynamoDBClient({
      endpoint: stack.dynamo.endpoint,
      region: LOCAL_AWS.region,
      credentials: LOCAL_AWS,
    });
    for (const sk of ['a', 'b', 'c']) {
      await ddb.send(
        new PutItemCommand({
          TableName: 'broker-crm-local',
          Item: { pk: { S: 'T#wiring#X' }, sk: { S: sk }, type: { S: 'WiringThing' } },
        }),
      );
    }
    ddb.destroy();
    await stack.changes.idle();
    expect(streamBatches.flat()).toEqual(['a', 'b', 'c']);
    expect(busEvents.map((e) => e.detail.keys.sk).sort()).toEqual(['a', 'b', 'c']);
    expect(busEvents[0]?.detail.tenantId).toBe('wiring');
    expect(stack.changes.failures().map((f) => f.function)).toEqual([
      'test-bus-failing',
      'test-bus-failing',
      'test-bus-failing',
    ]);
  });

  it.runIf(process.platform === 'linux')(
    "bounds DynamoDB Local's JVM heap unless the environment sets its own JVM options",
    () => {
      const environ = readFileSync(`/proc/${stack.dynamo.process.pid}/environ`, 'utf8').split('\0');
      const expected = process.env.JAVA_TOOL_OPTIONS || DYNAMODB_LOCAL_JAVA_OPTIONS;
      expect(environ).toContain(`JAVA_TOOL_OPTIONS=${expected}`);
    },
  );

  it('binds the API, the S3/SNS/SQS emulator and the SES emulator to loopback only', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((a) => a && !a.internal && a.family === 'IPv4')
      .map((a) => a?.address ?? '');
    const { api, s3SnsSqs, ses } = stack.listeners;
    for (const url of [api, s3SnsSqs, ses]) {
      const { hostname, port } = new URL(url);
      expect(hostname).toBe('127.0.0.1');
      await expect(canConnect('127.0.0.1', Number(port))).resolves.toBe(true);
      for (const address of external) await expect(canConnect(address, Number(port))).resolves.toBe(false);
    }
  });

  it('runs a scheduled function on request', async () => {
    await expect(stack.changes.runSchedule('test-schedule')).resolves.toBe('Scheduled Event');
  });
});

/** Whether a TCP connection to host:port is accepted. */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
