import { describe, expect, inject, it } from 'vitest';
import { createDocumentClient, deleteOp, putOp } from '../../../functions/shared/db.js';
import { LOCAL_AWS } from '../../../infra/local/dynamodb.js';
import { clientOf } from '../../bench/support/dynamodb-meter.js';
import { PartitionMeter, REQUEST_WRITER } from '../../bench/support/partition-meter.js';
import { createTestApp } from '../../support/app.js';

/**
 * The scale simulation's meter on DynamoDB Local: the items a Put, an optimistic update, a
 * transaction and a batch write, with their images before and after, as write units per key value.
 */
const app = createTestApp();
const meter = new PartitionMeter(
  createDocumentClient({
    endpoint: inject('dynamoEndpoint'),
    region: LOCAL_AWS.region,
    credentials: LOCAL_AWS,
  }),
  app.db.tableName,
).attach(clientOf(app.db));
const run = `meter${Date.now().toString(36)}`;
const t = `T#${run}`;

const policy = (id: string, status: string) => ({
  pk: `${t}#CLIENT#C1`,
  sk: `POLICY#${id}`,
  type: 'BenchMeterProbe',
  tenantId: run,
  id,
  version: 1,
  gsi2pk: `${t}#INSURER#I1#POLICY`,
  gsi2sk: id,
  gsi6pk: `${t}#POLICY#STATUS#${status}`,
  gsi6sk: id,
});

const keysOf = () =>
  meter.writes.flatMap((w) =>
    w.writes.map((k) => `${w.writer} ${k.place} ${k.key.replace(t, 'T')} ${k.units}`),
  );

describe('PartitionMeter', () => {
  it('counts a put on the base key and each index key, and nothing while not recording', async () => {
    await app.db.put(policy('P0', 'ACTIVE'));
    expect(meter.writes).toEqual([]);
    meter.reset();
    meter.recording = true;
    await app.db.put(policy('P1', 'ACTIVE'));
    meter.recording = false;
    expect(keysOf()).toEqual([
      `${REQUEST_WRITER} table T#CLIENT#C1 1`,
      `${REQUEST_WRITER} gsi2 T#INSURER#I1#POLICY 1`,
      `${REQUEST_WRITER} gsi6 T#POLICY#STATUS#ACTIVE 1`,
    ]);
  });

  it('sees an update that moves an index key as a delete on the old value and a put on the new', async () => {
    meter.reset();
    meter.recording = true;
    await app.db.updateVersioned(
      { pk: `${t}#CLIENT#C1`, sk: 'POLICY#P1' },
      1,
      { gsi6pk: `${t}#POLICY#STATUS#RENEWED` },
      {
        entity: 'Policy',
        id: 'P1',
      },
    );
    meter.recording = false;
    expect(keysOf()).toEqual([
      `${REQUEST_WRITER} table T#CLIENT#C1 1`,
      `${REQUEST_WRITER} gsi2 T#INSURER#I1#POLICY 1`,
      `${REQUEST_WRITER} gsi6 T#POLICY#STATUS#ACTIVE 1`,
      `${REQUEST_WRITER} gsi6 T#POLICY#STATUS#RENEWED 1`,
    ]);
  });

  it('counts every member of a transaction and a batch, deletes from the item as it was', async () => {
    meter.reset();
    meter.recording = true;
    await app.db.transact([
      putOp(policy('P2', 'ACTIVE')),
      deleteOp({ pk: `${t}#CLIENT#C1`, sk: 'POLICY#P1' }),
    ]);
    await app.db.batchWrite([policy('P3', 'OFFER')], [{ pk: `${t}#CLIENT#C1`, sk: 'POLICY#P0' }]);
    meter.recording = false;
    expect(keysOf()).toEqual([
      `${REQUEST_WRITER} table T#CLIENT#C1 1`,
      `${REQUEST_WRITER} gsi2 T#INSURER#I1#POLICY 1`,
      `${REQUEST_WRITER} gsi6 T#POLICY#STATUS#ACTIVE 1`,
      `${REQUEST_WRITER} table T#CLIENT#C1 1`,
      `${REQUEST_WRITER} gsi2 T#INSURER#I1#POLICY 1`,
      `${REQUEST_WRITER} gsi6 T#POLICY#STATUS#RENEWED 1`,
      `${REQUEST_WRITER} table T#CLIENT#C1 1`,
      `${REQUEST_WRITER} gsi2 T#INSURER#I1#POLICY 1`,
      `${REQUEST_WRITER} gsi6 T#POLICY#STATUS#OFFER 1`,
      `${REQUEST_WRITER} table T#CLIENT#C1 1`,
      `${REQUEST_WRITER} gsi2 T#INSURER#I1#POLICY 1`,
      `${REQUEST_WRITER} gsi6 T#POLICY#STATUS#ACTIVE 1`,
    ]);
    expect(meter.writes.map((w) => w.order)).toEqual([0, 1, 2, 3]);
  });
});
