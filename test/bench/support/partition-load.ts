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

/** A value in one canonical form (object keys sorted, sets as sorted lists), to compare images. */
function canonical(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(canonical).sort();
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array))
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  return value;
}

function sameImage(before: Item | null, after: Item | null): boolean {
  return Boolean(before && after) && JSON.stringify(canonical(before)) === JSON.stringify(canonical(after));
}

/**
 * The write units one item write puts on each partition key value, from the item as it was before
 * the write (`before`, null if it did not exist) and after it (`after`, null for a delete). The
 * base table pays the larger of the two images; an index the item stays in under the same key pays
 * an update of the larger image, unless the write changed nothing (DynamoDB writes an index entry
 * only when the item's index keys or projected attributes change: an update that sets the values
 * already there costs the base table only); an index key that changes pays a delete on the old value
 * and a put on the new one; entering or leaving an index is one put or one delete.
 */
export function keyWritesOf(before: Item | null, after: Item | null): KeyWrite[] {
  const image = after ?? before;
  if (!image) return [];
  const oldBytes = before ? itemBytes(before) : 0;
  const newBytes = after ? itemBytes(after) : 0;
  const larger = writeUnits(Math.max(oldBytes, newBytes));
  const writes: KeyWrite[] = [{ place: 'table', key: String(image.pk), units: larger }];
  const unchanged = sameImage(before, after);
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
  const totals = new Map<string, { place: Place; key: string; units: number }>();
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
      const total = totals.get(id) ?? { place: kw.place, key: kw.key, units: 0 };
      total.units += kw.units;
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
    }))
    .sort((a, b) => b.wcuPerSecond - a.wcuPerSecond);
}

/** A key pattern's hottest concrete value at 1× and at {@link PEAK_FACTOR}×, against the partition limit. */
export interface PatternPeak {
  place: Place;
  pattern: string;
  /** The hottest value of the pattern. */
  worstKey: string;
  /** Distinct values of the pattern written in the burst. */
  values: number;
  wcuPerSecond: number;
  wcuPerSecondAtPeakFactor: number;
  /** % of {@link PARTITION_WCU_LIMIT} at the peak factor. */
  percentOfLimit: number;
  /**
   * The same, averaged over the pattern's values: for a sharded key what the shards approach at full
   * size (a small replay leaves one shard busier than the rest by chance).
   */
  meanPercentOfLimit: number;
}

/** Groups key peaks by place and pattern, hottest first, keeping each pattern's worst value. */
export function patternsOf(peaks: readonly KeyPeak[]): PatternPeak[] {
  const byPattern = new Map<string, PatternPeak>();
  const sums = new Map<string, number>();
  const percent = (wcu: number) => ((wcu * PEAK_FACTOR) / PARTITION_WCU_LIMIT) * 100;
  for (const p of peaks) {
    const id = `${p.place}|${p.pattern}`;
    sums.set(id, (sums.get(id) ?? 0) + p.wcuPerSecond);
    const found = byPattern.get(id);
    if (found) {
      found.values += 1;
      if (p.wcuPerSecond <= found.wcuPerSecond) continue;
    }
    const atFactor = p.wcuPerSecond * PEAK_FACTOR;
    byPattern.set(id, {
      place: p.place,
      pattern: p.pattern,
      worstKey: p.key,
      values: found?.values ?? 1,
      wcuPerSecond: round(p.wcuPerSecond),
      wcuPerSecondAtPeakFactor: round(atFactor),
      percentOfLimit: round(percent(p.wcuPerSecond)),
      meanPercentOfLimit: 0,
    });
  }
  for (const [id, pattern] of byPattern)
    pattern.meanPercentOfLimit = round(percent((sums.get(id) ?? 0) / pattern.values));
  return [...byPattern.values()].sort((a, b) => b.percentOfLimit - a.percentOfLimit);
}

const round = (n: number) => Number(n.toFixed(1));
