import type { DynamoDBRecord, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type TableChangeEvent, toChangeDetail } from '../../../functions/shared/change-event.js';
import { ChangeBus } from '../../../infra/local/change-bus.js';

const noWait = async () => undefined;

function change(eventName: 'INSERT' | 'REMOVE', type: string, sk: string) {
  const image = { pk: { S: 'T#t1#X' }, sk: { S: sk }, type: { S: type } };
  const record: DynamoDBRecord = {
    eventID: `id-${sk}`,
    eventName,
    dynamodb: {
      Keys: { pk: image.pk, sk: image.sk },
      ...(eventName === 'REMOVE' ? { OldImage: image } : { NewImage: image }),
      SequenceNumber: sk,
    },
  };
  return toChangeDetail(record);
}

describe('ChangeBus', () => {
  it('delivers one EventBridge event per matching change to each subscriber', async () => {
    const got: TableChangeEvent[] = [];
    const bus = new ChangeBus({
      region: 'eu-central-1',
      wait: noWait,
      subscribers: [
        {
          name: 'debtors',
          filter: { entityTypes: ['Invoice'], events: ['INSERT'] },
          maxRetries: 2,
          timeoutSeconds: 5,
          handler: (e) => {
            got.push(e);
          },
        },
      ],
    });
    bus.publish(change('INSERT', 'Invoice', '1'));
    bus.publish(change('INSERT', 'Client', '2'));
    bus.publish(change('REMOVE', 'Invoice', '3'));
    await bus.idle();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      version: '0',
      'detail-type': 'TableChange',
      source: 'broker-crm.table',
      account: '000000000000',
      region: 'eu-central-1',
      resources: [],
      detail: { eventName: 'INSERT', entityType: 'Invoice', tenantId: 't1', sequenceNumber: '1' },
    });
    expect(got[0]?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('retries a failing subscriber, dead-letters after maxRetries, and keeps serving the others', async () => {
    let flakyCalls = 0;
    let brokenCalls = 0;
    const healthy: string[] = [];
    const waits: number[] = [];
    const bus = new ChangeBus({
      region: 'eu-central-1',
      wait: async (ms) => {
        waits.push(ms);
      },
      subscribers: [
        {
          name: 'flaky',
          filter: { entityTypes: [], events: [] },
          maxRetries: 3,
          timeoutSeconds: 5,
          handler: () => {
            flakyCalls++;
            if (flakyCalls < 3) throw new Error('not yet');
          },
        },
        {
          name: 'broken',
          filter: { entityTypes: [], events: [] },
          maxRetries: 2,
          timeoutSeconds: 5,
          handler: async () => {
            brokenCalls++;
            throw new Error('always');
          },
        },
        {
          name: 'healthy',
          filter: { entityTypes: [], events: [] },
          maxRetries: 0,
          timeoutSeconds: 5,
          handler: (e) => {
            healthy.push(e.detail.sequenceNumber);
          },
        },
      ],
    });
    bus.publish(change('INSERT', 'Client', '7'));
    await bus.idle();
    expect(flakyCalls).toBe(3);
    expect(brokenCalls).toBe(3);
    expect(healthy).toEqual(['7']);
    expect(waits.every((ms) => ms >= 50 && ms <= 200)).toBe(true);
    expect(bus.failures.entries).toHaveLength(1);
    expect(bus.failures.entries[0]).toMatchObject({
      function: 'broken',
      source: 'bus',
      reason: 'retries-exhausted',
      attempts: 3,
      error: 'always',
      payload: { detail: { sequenceNumber: '7' } },
    });
  });

  it('hands a batched subscriber the changes published together as one SQS batch, and only the reported failures again', async () => {
    const batches: string[][] = [];
    const bus = new ChangeBus({
      region: 'eu-central-1',
      wait: noWait,
      subscribers: [
        {
          name: 'live',
          filter: { entityTypes: ['Invoice'], events: [] },
          maxRetries: 1,
          timeoutSeconds: 5,
          batch: { size: 3, windowSeconds: 1 },
          handler: ((event: SQSEvent) => {
            const bodies = event.Records.map((r) => JSON.parse(r.body) as TableChangeEvent);
            batches.push(bodies.map((b) => b.detail.sequenceNumber));
            // Message 5 always fails: retried once alone, then dead-lettered as its bus event.
            const failed = event.Records.filter((_, i) => bodies[i]?.detail.sequenceNumber === '5');
            return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
          }) as never,
        },
      ],
    });
    for (const sk of ['1', '2', '3', '4', '5']) bus.publish(change('INSERT', 'Invoice', sk));
    bus.publish(change('INSERT', 'Client', '6'));
    await bus.idle();
    // Full at 3, the rest when the window closes; the failed message alone on its retry.
    expect(batches).toEqual([['1', '2', '3'], ['4', '5'], ['5']]);
    expect(bus.failures.entries).toHaveLength(1);
    expect(bus.failures.entries[0]).toMatchObject({
      function: 'live',
      source: 'bus',
      attempts: 2,
      payload: { 'detail-type': 'TableChange', detail: { sequenceNumber: '5' } },
    });
  });
});
