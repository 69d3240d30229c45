import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  fullSizeWorstShard,
  itemBytes,
  keyPattern,
  keyWritesOf,
  patternsOf,
  peaksOf,
  type TimedWrite,
  writeUnits,
} from '../../bench/support/partition-load.js';
import { plannedWrites } from '../../bench/support/partition-meter.js';

/**
 * The scale simulation's counter (test/bench/support/partition-load.ts, partition-meter.ts): which
 * items a request writes, the write units per partition key value, simulated seconds, patterns.
 */
const policy = (status: string, extra: Record<string, unknown> = {}) => ({
  pk: 'T#t1#CLIENT#C1',
  sk: 'POLICY#P1',
  type: 'Policy',
  gsi2pk: 'T#t1#INSURER#I1#POLICY',
  gsi2sk: '2026-01-01#P1',
  gsi6pk: `T#t1#POLICY#STATUS#${status}#S3`,
  gsi6sk: 'P1',
  ...extra,
});

describe('plannedWrites', () => {
  it('names the item of a Put, the key of an Update and every member of a transaction and a batch', () => {
    const put = plannedWrites('PutItem', { Item: policy('ACTIVE') });
    expect(put).toEqual([{ key: { pk: 'T#t1#CLIENT#C1', sk: 'POLICY#P1' }, put: policy('ACTIVE') }]);
    expect(plannedWrites('UpdateItem', { Key: { pk: 'a', sk: 'b' } })).toEqual([
      { key: { pk: 'a', sk: 'b' } },
    ]);
    const transaction = plannedWrites('TransactWriteItems', {
      TransactItems: [
        { Put: { Item: marshall({ pk: 'n', sk: 'N' }) } },
        { Update: { Key: marshall({ pk: 'o', sk: 'O' }) } },
        { Delete: { Key: { pk: 'c', sk: 'C' } } },
        {},
      ],
    });
    expect(transaction).toEqual([
      { key: { pk: 'n', sk: 'N' }, put: { pk: 'n', sk: 'N' } },
      { key: { pk: 'o', sk: 'O' } },
      { key: { pk: 'c', sk: 'C' }, deletes: true },
    ]);
    const batch = plannedWrites('BatchWriteItem', {
      RequestItems: {
        table: [
          { PutRequest: { Item: { pk: 'p', sk: 'P' } } },
          { DeleteRequest: { Key: { pk: 'd', sk: 'D' } } },
        ],
      },
    });
    expect(batch.map((b) => [b.key.pk, Boolean(b.put), Boolean(b.deletes)])).toEqual([
      ['p', true, false],
      ['d', false, true],
    ]);
    expect(plannedWrites('Query', {})).toEqual([]);
  });
});

describe('write units', () => {
  it('rounds every write up to the next KB, at least one unit', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(writeUnits(3000)).toBe(3);
  });

  it('sizes an item from its attribute names and values (UTF-8 strings, numbers by digits)', () => {
    expect(itemBytes({ pk: 'abc' })).toBe(5);
    expect(itemBytes({ n: 12345 })).toBe(1 + 4);
    expect(itemBytes({ s: 'č' })).toBe(1 + 2);
    expect(itemBytes({ m: { a: 'x' } })).toBe(1 + 3 + 1 + 1 + 1);
    expect(itemBytes({ pk: 'x'.repeat(1500) })).toBeGreaterThan(1024);
  });
});

describe('keyWritesOf', () => {
  it('counts a new item on the base key and every index key it carries', () => {
    const writes = keyWritesOf(null, policy('ACTIVE'));
    expect(writes).toEqual([
      { place: 'table', key: 'T#t1#CLIENT#C1', units: 1 },
      { place: 'gsi2', key: 'T#t1#INSURER#I1#POLICY', units: 1 },
      { place: 'gsi6', key: 'T#t1#POLICY#STATUS#ACTIVE#S3', units: 1 },
    ]);
  });

  it('counts an update that moves an index key as a delete on the old value and a put on the new', () => {
    const big = { notes: 'x'.repeat(1100) };
    const writes = keyWritesOf(policy('ACTIVE', big), policy('RENEWED', big));
    expect(writes).toEqual([
      { place: 'table', key: 'T#t1#CLIENT#C1', units: 2 },
      { place: 'gsi2', key: 'T#t1#INSURER#I1#POLICY', units: 2 },
      { place: 'gsi6', key: 'T#t1#POLICY#STATUS#ACTIVE#S3', units: 2 },
      { place: 'gsi6', key: 'T#t1#POLICY#STATUS#RENEWED#S3', units: 2 },
    ]);
  });

  it('counts a write that changes no attribute on the base key only: no index entry is rewritten', () => {
    const tags = new Set(['b', 'a']);
    const same = keyWritesOf(
      policy('ACTIVE', { tags, n: 1 }),
      policy('ACTIVE', { n: 1, tags: new Set(['a', 'b']) }),
    );
    expect(same).toEqual([{ place: 'table', key: 'T#t1#CLIENT#C1', units: 1 }]);
    const changed = keyWritesOf(policy('ACTIVE', { n: 1 }), policy('ACTIVE', { n: 2 }));
    expect(changed.map((w) => w.place)).toEqual(['table', 'gsi2', 'gsi6']);
  });

  it('counts a delete on every key the item was under, and an item leaving a sparse index once', () => {
    expect(keyWritesOf(policy('ACTIVE'), null).map((w) => w.place)).toEqual(['table', 'gsi2', 'gsi6']);
    const { gsi6pk: _pk, gsi6sk: _sk, ...unindexed } = policy('ACTIVE');
    expect(keyWritesOf(policy('ACTIVE'), unindexed)).toContainEqual({
      place: 'gsi6',
      key: 'T#t1#POLICY#STATUS#ACTIVE#S3',
      units: 1,
    });
  });

  it('counts an update that changes nothing (an accrual period entry set to its own values) on the base key only', () => {
    const entry = {
      pk: 'T#t1#ACCRUAL#BROKERAGE:BROKERAGE',
      sk: 'PERIOD#2026-12#CZK',
      type: 'CommissionAccrualPeriod',
      recipient: { kind: 'BROKERAGE', id: 'BROKERAGE' },
      gsi2pk: 'T#t1#ACCRUAL#PERIOD#2026-12',
      gsi2sk: 'BROKERAGE:BROKERAGE#CZK',
    };
    const { recipient: _recipient, ...rest } = entry;
    expect(keyWritesOf(entry, { recipient: { id: 'BROKERAGE', kind: 'BROKERAGE' }, ...rest })).toEqual([
      { place: 'table', key: 'T#t1#ACCRUAL#BROKERAGE:BROKERAGE', units: 1 },
    ]);
    expect(keyWritesOf(entry, { ...entry, lineCount: 2 }).map((w) => w.place)).toEqual(['table', 'gsi2']);
  });
});

describe('keyPattern', () => {
  it('keeps labels and replaces the tenant, ids, months, dates and shards with placeholders', () => {
    expect(keyPattern('T#bench-brokerage#POLICY#STATUS#ACTIVE#S13')).toBe('T#<t>#POLICY#STATUS#ACTIVE#S<n>');
    expect(keyPattern('T#t1#INSURER#01M8RSQD679QWY623CCK0RQPV9#POLICY')).toBe('T#<t>#INSURER#<id>#POLICY');
    expect(keyPattern('T#t1#CLINE#PERIOD#2026-12#S3')).toBe('T#<t>#CLINE#PERIOD#<yyyy-mm>#S<n>');
    expect(keyPattern('T#t1#OWNER#BROKERAGE:BROKERAGE#CLINE')).toBe('T#<t>#OWNER#<v>#CLINE');
    expect(keyPattern('T#t1#DUE#2026-12-01')).toBe('T#<t>#DUE#<date>');
  });
});

describe('peaksOf', () => {
  const on = (key: string, units = 1) => [{ place: 'gsi6' as const, key, units }];
  const writesOf = (writer: string, keys: string[]): TimedWrite[] =>
    keys.map((key, order) => ({ writer, order, writes: on(key) }));

  it('spreads a writer over events ÷ rate simulated seconds and takes the busiest second', () => {
    // 4 events at 2 events/s: 2 seconds; the first second writes A three times, the second once.
    const peaks = peaksOf(writesOf('request', ['A', 'A', 'A', 'B', 'A', 'B', 'B', 'B']), 4, () => 2);
    expect(peaks.find((p) => p.key === 'A')).toMatchObject({ wcuPerSecond: 3, totalUnits: 4 });
    expect(peaks.find((p) => p.key === 'B')).toMatchObject({ wcuPerSecond: 3, totalUnits: 4 });
  });

  it('gives a writer done in under a second one window of its own length, and adds writers’ peaks', () => {
    // 10 events at 100/s take 0.1 s: 2 units in 0.1 s is 20 a second; a consumer at 5/s takes 2 s.
    const writes = [...writesOf('request', ['A', 'A']), ...writesOf('commissions', ['A', 'A', 'A', 'A'])];
    const peaks = peaksOf(writes, 10, (w) => (w === 'request' ? 100 : 5));
    expect(peaks[0]).toMatchObject({ key: 'A', wcuPerSecond: 20 + 2, totalUnits: 6 });
  });

  it('groups values by pattern at 10× against the 1,000 WCU limit, keeping the worst value', () => {
    const peaks = peaksOf(writesOf('request', ['T#t#X#a-1', 'T#t#X#a-1', 'T#t#X#b-2']), 1, () => 100);
    expect(patternsOf(peaks)).toEqual([
      {
        place: 'gsi6',
        pattern: 'T#<t>#X#<v>',
        worstKey: 'T#t#X#a-1',
        values: 2,
        wcuPerSecond: 200,
        wcuPerSecondAtPeakFactor: 2000,
        percentOfLimit: 200,
        meanPercentOfLimit: 150,
      },
    ]);
  });

  it('judges a sharded key on its worst shard expected at full size, over every shard of its power of two', () => {
    // Shards 1 and 2 written: 4 shards. 3 units at 100 events/s over 1 event: 3,000 units/s at 10×,
    // 750 a shard; the worst of 4 is 750 + √(2 ln 4)·√(750 · 1).
    const peaks = peaksOf(writesOf('request', ['T#t#X#S1', 'T#t#X#S1', 'T#t#X#S2']), 1, () => 100);
    const [sharded] = patternsOf(peaks);
    expect(sharded).toMatchObject({ pattern: 'T#<t>#X#S<n>', shards: 4, meanPercentOfLimit: 75 });
    expect(sharded?.replayWorstPercent).toBe(200);
    expect(sharded?.percentOfLimit).toBeCloseTo((fullSizeWorstShard(750, 1, 4) / 1000) * 100, 1);
    expect(fullSizeWorstShard(750, 1, 4)).toBeCloseTo(750 + Math.sqrt(2 * Math.log(4)) * Math.sqrt(750), 6);
  });

  it('caps an entity key at the writes one value receives at full size, at every factor', () => {
    // A client's collection written 11 units in a 0.03 s replay window: 350 units/s by the rate, but
    // at full size that client still receives its 11 units, within one second.
    const writes = writesOf(
      'request',
      Array.from({ length: 11 }, () => 'T#t#CLIENT#c-1'),
    );
    const peaks = peaksOf(writes, 200, () => 6400);
    const bound = (pattern: string) => (pattern === 'T#<t>#CLIENT#<v>' ? { perValue: 1 } : undefined);
    expect(patternsOf(peaks)[0]?.percentOfLimit).toBe(352);
    expect(patternsOf(peaks, bound)[0]).toMatchObject({
      wcuPerSecond: 11,
      percentOfLimit: 1.1,
      bounded: true,
    });
  });

  it('keeps a key written at its own pace at its share of the 1× peak, whatever the factor', () => {
    // One job's rows at the rate of 4 jobs: the job's key takes a quarter, and 10× load is 10× jobs.
    const rows = Array.from({ length: 40 }, () => 'T#t#JOB#j-1');
    const peaks = peaksOf(writesOf('imports', rows), 2, () => 2);
    expect(patternsOf(peaks)[0]?.percentOfLimit).toBe(40);
    const bound = () => ({ ownPace: 1 / 4 });
    expect(patternsOf(peaks, bound)[0]).toMatchObject({ wcuPerSecond: 10, percentOfLimit: 1, bounded: true });
  });
  it('judges each sharded key of a pattern on its own shards, and spreads a key the model has more of', () => {
    // Two recipients' lists, each over 4 shards: the busy one is judged alone, not the pattern's sum.
    const keys = ['T#t#OWNER#r-1#L#S0', 'T#t#OWNER#r-1#L#S3', 'T#t#OWNER#r-2#L#S1', 'T#t#OWNER#r-1#L#S1'];
    const peaks = peaksOf(writesOf('request', keys), 1, () => 100);
    const [pattern] = patternsOf(peaks);
    // r-1: 3 units over 4 shards at 100/s and 10×: 750 a shard; r-2 alone would be 250.
    expect(pattern).toMatchObject({ shards: 4, values: 4, meanPercentOfLimit: 75 });
    expect(pattern?.worstKey.startsWith('T#t#OWNER#r-1#L#S')).toBe(true);
    const advisor = peaksOf(
      writesOf('request', ['T#t#OWNER#a-1#POLICY', 'T#t#OWNER#a-1#POLICY']),
      1,
      () => 100,
    );
    expect(patternsOf(advisor)[0]?.percentOfLimit).toBe(200);
    expect(patternsOf(advisor, () => ({ spread: 20 / 1000 }))[0]?.percentOfLimit).toBe(4);
  });
});
