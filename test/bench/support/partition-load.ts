import { TABLE } from '../../../functions/shared/table-design.js';

/**
 * The arithmetic of the scale simulation (docs/scale.md, section 6), free of I/O so it is unit
 * tested: the write units one item write puts on each partition key value (the base table's `pk`
 * and every index key the item carries before or after the write), the peak per simulated second
 * of a burst, and the key *patterns* the report groups concrete values under.
 */

type Item = Record<string, unknown>;

/** DynamoDB's per-partition write limit, in write units a second (base table and every index alike). */
export const PARTITION_WCU_LIMIT = 1000;
/** The load the simulation scales the modelled peak by (issue 20: "at 10× the modelled peak"). */
export const PEAK_FACTOR = 10;
/** The target: no key value above this share of its partition limit at {@link PEAK_FACTOR}× peak. */
export const TARGET_PERCENT = 50;

/** Where a partition key value lives: the table itself or one of its indexes. */
export type Place = 'table' | keyof typeof TABLE.indexes;

/** Write units on one partition key value. */
export interface KeyWrite {
  place: Place;
  key: string;
  units: number;
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** Bytes of a number as DynamoDB stores it: about one byte per two significant digits, plus one. */
function numberBytes(n: number | bigint): number {
  const digits = String(n)
    .replace(/^-/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Bytes of one attribute value (DynamoDB's item-size rules: strings UTF-8, lists and maps 3 + 1 per element). */
export function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberBytes(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + valueBytes(v), 0);
  // NumberValue of the document client (wrapped numbers).
  if (typeof value === 'object' && 'value' in value && Object.keys(value).length === 1)
    return numberBytes(String((value as { value: string }).value) as unknown as number);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  if (typeof value === 'object')
    return (
      3 +
      Object.entries(value as Item).reduce(
        (sum, [k, v]) => (v === undefined ? sum : sum + 1 + utf8(k) + valueBytes(v)),
        0,
      )
    );
  return utf8(String(value));
}

/** An item's size in bytes: every attribute's name and value. */
export function itemBytes(item: Item): number {
  return Object.entries(item).reduce(
    (sum, [k, v]) => (v === undefined ? sum : sum + utf8(k) + valueBytes(v)),
    0,
  );
}

/** Write units of writing `bytes`: DynamoDB rounds every write up to the next KB, at least 1. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

/** The item's key on an index, or null when the item is not in it (sparse: both key attributes needed). */
function indexKey(item: Item | null, index: keyof typeof TABLE.indexes): { pk: string; sk: string } | null {
  if (!item) return null;
  const names = TABLE.indexes[index];
  const pk = item[names.partitionKey];
  const sk = item[names.sortKey];
  return typeof pk === 'string' && typeof sk === 'string' ? { pk, sk } : null;
}

/** An attribute value in a canonical form: maps by sorted key, sets sorted, so equal values print equal. */
function canonical(value: unknown): unknown {
  if (value instanceof Set)
    return {
      set: [...value]
        .map(canonical)
        .map((v) => JSON.stringify(v))
        .sort(),
    };
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('base64') };
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Item)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, canonical(v)]),
    );
  return value;
}

/** Whether two images of an item hold the same attributes with the same values. */
export function sameImage(a: Item, b: Item): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * The write units one item write puts on each partition key value, from the item as it was before
 * the write (`before`, null if it did not exist) and after it (`after`, null for a delete). The
 * base table pays the larger of the two images; an index the item stays in under the same key pays
 * an update of the larger image — unless the write changed no attribute at all (every index projects
 * all attributes, and DynamoDB writes an index entry only when its key or a projected attribute
 * changes); an index key that changes pays a delete on the old value and a put on the new one;
 * entering or leaving an index is one put or one delete.
 */
export function keyWritesOf(before: Item | null, after: Item | null): KeyWrite[] {
  const image = after ?? before;
  if (!image) return [];
  const unchanged = before !== null && after !== null && sameImage(before, after);
  const oldBytes = before ? itemBytes(before) : 0;
  const newBytes = after ? itemBytes(after) : 0;
  const larger = writeUnits(Math.max(oldBytes, newBytes));
  const writes: KeyWrite[] = [{ place: 'table', key: String(image.pk), units: larger }];
  for (const index of Object.keys(TABLE.indexes) as Array<keyof typeof TABLE.indexes>) {
    const was = indexKey(before, index);
    const is = indexKey(after, index);
    if (was && is && was.pk === is.pk && was.sk === is.sk) {
      if (!unchanged) writes.push({ place: index, key: is.pk, units: larger });
      continue;
    }
    if (was) writes.push({ place: index, key: was.pk, units: writeUnits(oldBytes) });
    if (is) writes.push({ place: index, key: is.pk, units: writeUnits(newBytes) });
  }
  return writes;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One segment of a key as a pattern: ids, dates, months and numbers become placeholders, labels stay. */
function segmentPattern(segment: string, previous: string | undefined): string {
  if (previous === 'T') return '<t>';
  if (/^S\d+$/.test(segment)) return 'S<n>';
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/.test(segment)) return '<date>';
  if (/^\d{4}-\d{2}$/.test(segment)) return '<yyyy-mm>';
  if (ULID.test(segment) || UUID.test(segment)) return '<id>';
  if (/^\d+$/.test(segment)) return '<n>';
  // Labels are upper case (POLICY, STATUS, ACTIVE, policyNumber claims aside): anything else is data.
  if (/^[A-Z][A-Z0-9_]*$/.test(segment)) return segment;
  if (/^[a-zA-Z][a-zA-Z]*$/.test(segment) && previous === 'UNIQUE') return segment;
  return '<v>';
}

/**
 * A key value's pattern: `T#bench#POLICY#STATUS#ACTIVE#S3` → `T#<t>#POLICY#STATUS#ACTIVE#S<n>`,
 * so the values of one key (every tenant, shard, id) are reported together.
 */
export function keyPattern(key: string): string {
  const parts = key.split('#');
  return parts.map((s, i) => segmentPattern(s, parts[i - 1])).join('#');
}

/** One item write as the simulation places it: which writer made it, in which order, and its key writes. */
export interface TimedWrite {
  writer: string;
  /** Position among the writer's item writes in this burst (0-based). */
  order: number;
  writes: KeyWrite[];
}

/** Per key value: its place, the peak write units a second at 1×, and the second it peaked in. */
export interface KeyPeak {
  place: Place;
  key: string;
  pattern: string;
  /** Peak write units per simulated second at the modelled rate (1×). */
  wcuPerSecond: number;
  /** Write units on the key over the whole replayed burst. */
  totalUnits: number;
  /** Item writes on the key over the whole replayed burst. */
  writes?: number;
}

/**
 * Peaks per key value over simulated time. Each writer (the burst's driver, each consumer) takes
 * `events / rate` simulated seconds to get through the burst's events at its modelled rate; its
 * item writes, in the order it sent them, are spread evenly over that time and counted in windows
 * of one simulated second (a writer done in under a second has one window of its own length, so a
 * rate per second is still count ÷ time). A key's peak is the sum of its writers' peak windows: the
 * writers of a burst run at the same time, so their peaks are taken to coincide (the safe side).
 */
export function peaksOf(
  writes: readonly TimedWrite[],
  events: number,
  rateOf: (writer: string) => number,
): KeyPeak[] {
  const counts = new Map<string, number>();
  for (const w of writes) counts.set(w.writer, Math.max(counts.get(w.writer) ?? 0, w.order + 1));
  // writer → key → window → units
  const windows = new Map<string, Map<string, number[]>>();
  const lengths = new Map<string, number>();
  const totals = new Map<string, { place: Place; key: string; units: number; writes: number }>();
  const windowsOf = (writer: string) => Math.max(1, Math.floor(events / rateOf(writer)));
  for (const writer of counts.keys()) {
    lengths.set(writer, events / rateOf(writer) / windowsOf(writer));
    windows.set(writer, new Map());
  }
  for (const w of writes) {
    const count = counts.get(w.writer) as number;
    const n = windowsOf(w.writer);
    const window = Math.min(n - 1, Math.floor(((w.order + 0.5) / count) * n));
    const byKey = windows.get(w.writer) as Map<string, number[]>;
    for (const kw of w.writes) {
      const id = `${kw.place}|${kw.key}`;
      const series = byKey.get(id) ?? new Array<number>(n).fill(0);
      series[window] = (series[window] ?? 0) + kw.units;
      byKey.set(id, series);
      const total = totals.get(id) ?? { place: kw.place, key: kw.key, units: 0, writes: 0 };
      total.units += kw.units;
      total.writes += 1;
      totals.set(id, total);
    }
  }
  const peaks = new Map<string, number>();
  for (const [writer, byKey] of windows) {
    const length = lengths.get(writer) as number;
    for (const [id, series] of byKey) peaks.set(id, (peaks.get(id) ?? 0) + Math.max(...series) / length);
  }
  return [...totals.entries()]
    .map(([id, t]) => ({
      place: t.place,
      key: t.key,
      pattern: keyPattern(t.key),
      wcuPerSecond: peaks.get(id) ?? 0,
      totalUnits: t.units,
      writes: t.writes,
    }))
    .sort((a, b) => b.wcuPerSecond - a.wcuPerSecond);
}

/** A key pattern's hottest concrete value at 1× and at {@link PEAK_FACTOR}×, against the partition limit. */
export interface PatternPeak {
  place: Place;
  pattern: string;
  /** The hottest value of the pattern. */
  worstKey: string;
  /** Distinct values of the pattern written in the burst (for a sharded key: shards written). */
  values: number;
  /** Shards of a sharded key (`…#S<n>`): the power of two that holds every shard written; else absent. */
  shards?: number;
  wcuPerSecond: number;
  wcuPerSecondAtPeakFactor: number;
  /**
   * What the target is judged on, % of {@link PARTITION_WCU_LIMIT} at the peak factor: the worst
   * value; for a sharded key, the worst shard expected at full size ({@link fullSizeWorstShard}).
   */
  percentOfLimit: number;
  /** For a sharded key: the worst shard of this small replay (busier by chance than at full size). */
  replayWorstPercent?: number;
  /** The pattern's load averaged over its values (a sharded key: over all its shards). */
  meanPercentOfLimit: number;
  /** Set when a value's peak was bounded by the writes one value receives at full size ({@link PatternBound}). */
  bounded?: boolean;
}

/**
 * How a key's values scale from the replay to the full-size burst at a higher load, where that is
 * not "the same key, proportionally busier":
 * - `perValue`: each value belongs to one entity of the burst (a client's collection, a task, a
 *   policy's lines): the full-size burst touches *more* such values, not each one more, so a value
 *   receives its replayed writes × `perValue` in all, within its own processing, which takes no
 *   longer at a higher load: its peak per second is at most that total, at any factor;
 * - `ownPace`: each value is written by one worker at a pace the code fixes (an import job's rows:
 *   6 rows in flight in one invocation; a delivery's events: 32 in flight), and the replay's one
 *   worker stands for `1 / ownPace` of them running at once at the modelled rate: a value's peak is
 *   its share of the burst's at 1×, and a higher load is more workers, each on its own value;
 * - `spread`: each value is one of many the model has more of than the bench (an advisor's lists).
 */
export interface PatternScale {
  perValue?: number;
  ownPace?: number;
  /**
   * The bench's values of the key ÷ the model's (20 advisors ÷ 1,000): a burst spread over the
   * book spreads over the model's many values, each taking this share of a replayed value's rate.
   */
  spread?: number;
}
export type PatternBound = (pattern: string, place: Place) => PatternScale | undefined;

/**
 * The worst of `shards` shards expected when a key's load `meanUnits` a second per shard arrives as
 * items of `unitsPerWrite` units each, spread by a hash: per shard about n = mean ÷ units items a
 * second, Poisson-spread (σ = √n), and the largest of `shards` such counts is about
 * n + √(2 ln shards) · √n. In units: mean + √(2 ln shards) · √(mean · unitsPerWrite).
 */
export function fullSizeWorstShard(meanUnits: number, unitsPerWrite: number, shards: number): number {
  if (meanUnits <= 0) return 0;
  return meanUnits + Math.sqrt(2 * Math.log(shards)) * Math.sqrt(meanUnits * unitsPerWrite);
}

/**
 * Groups key peaks by place and pattern, hottest first (by {@link PatternPeak.percentOfLimit}),
 * keeping each pattern's worst value; `bound` caps entity keys (see {@link PatternBound}).
 */
export function patternsOf(peaks: readonly KeyPeak[], bound: PatternBound = () => undefined): PatternPeak[] {
  const percent = (wcu: number) => (wcu / PARTITION_WCU_LIMIT) * 100;
  const groups = new Map<string, KeyPeak[]>();
  for (const p of peaks) {
    const id = `${p.place}|${p.pattern}`;
    groups.set(id, [...(groups.get(id) ?? []), p]);
  }
  const patterns: PatternPeak[] = [];
  for (const values of groups.values()) {
    const first = values[0] as KeyPeak;
    const scale = bound(first.pattern, first.place);
    const at = (p: KeyPeak, factor: number) => {
      const rate = p.wcuPerSecond * (scale?.spread ?? 1);
      if (scale?.ownPace !== undefined) return rate * scale.ownPace;
      if (scale?.perValue !== undefined) return Math.min(rate * factor, p.totalUnits * scale.perValue);
      return rate * factor;
    };
    const shardIndexes = values.map((v) => /#S(\d+)$/.exec(v.key)?.[1]).filter((n) => n !== undefined);
    const shards =
      first.pattern.endsWith('#S<n>') && shardIndexes.length === values.length
        ? 2 ** Math.ceil(Math.log2(Math.max(...shardIndexes.map(Number)) + 1))
        : undefined;
    // A sharded pattern is judged per sharded key (its shards together): the worst key's worst shard.
    const bases = new Map<string, KeyPeak[]>();
    for (const v of values) {
      const base = shards ? v.key.replace(/#S\d+$/, '') : v.key;
      bases.set(base, [...(bases.get(base) ?? []), v]);
    }
    const judge = (members: KeyPeak[]) => {
      const worst = members.reduce((a, b) => (at(b, 1) > at(a, 1) ? b : a));
      if (!shards) return { worst, judged: at(worst, PEAK_FACTOR), mean: at(worst, PEAK_FACTOR) };
      const mean = members.reduce((sum, v) => sum + at(v, PEAK_FACTOR), 0) / shards;
      const units = members.reduce((sum, v) => sum + v.totalUnits, 0);
      const writes = members.reduce((sum, v) => sum + (v.writes ?? 1), 0);
      return { worst, judged: fullSizeWorstShard(mean, units / writes, shards), mean };
    };
    const judgedBases = [...bases.values()].map(judge);
    const hottest = judgedBases.reduce((a, b) => (b.judged > a.judged ? b : a));
    const worst = shards ? hottest.worst : values.reduce((a, b) => (at(b, 1) > at(a, 1) ? b : a));
    const mean = shards
      ? hottest.mean
      : values.reduce((sum, v) => sum + at(v, PEAK_FACTOR), 0) / values.length;
    const replayWorst = values.reduce((a, b) => (at(b, 1) > at(a, 1) ? b : a));
    patterns.push({
      place: first.place,
      pattern: first.pattern,
      worstKey: worst.key,
      values: values.length,
      ...(shards ? { shards } : {}),
      wcuPerSecond: round(at(worst, 1)),
      wcuPerSecondAtPeakFactor: round(at(worst, PEAK_FACTOR)),
      percentOfLimit: round(percent(hottest.judged)),
      ...(shards ? { replayWorstPercent: round(percent(at(replayWorst, PEAK_FACTOR))) } : {}),
      meanPercentOfLimit: round(percent(mean)),
      ...(scale && at(worst, PEAK_FACTOR) < worst.wcuPerSecond * PEAK_FACTOR ? { bounded: true } : {}),
    });
  }
  return patterns.sort((a, b) => b.percentOfLimit - a.percentOfLimit);
}

const round = (n: number) => Number(n.toFixed(1));
