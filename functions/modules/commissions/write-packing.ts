import type { StoredLine } from './commissions.model.js';
import { LedgerWriteSet, MAX_TRANSACT_OPS, type ProductionEntry } from './ledger-write-set.js';

/**
 * The smallest piece of a set of events' writes that must be written whole: one line (its put on an
 * absent id with its accrual's and rule total's increments), or one event's production (its marker
 * on an absent event id with the seller's production increment). Each guards its own increments, so
 * any grouping of pieces into transactions counts every amount once.
 */
export interface WriteUnit {
  /** The event's index in the caller's list. */
  event: number;
  lines: StoredLine[];
  production: ProductionEntry | null;
  /** The counter item the piece adds to: pieces of one counter are packed side by side. */
  counter: string;
}

/** An event's pieces: one per line, and its production. */
export function unitsOf(
  event: number,
  lines: readonly StoredLine[],
  production: ProductionEntry | null,
): WriteUnit[] {
  const units: WriteUnit[] = lines.map((line) => ({
    event,
    lines: [line],
    production: null,
    counter: `accrual|${line.recipientKey}|${line.period}|${line.currency}`,
  }));
  if (production) {
    units.push({
      event,
      lines: [],
      production,
      counter: `production|${production.userId}|${production.period}|${production.currency}`,
    });
  }
  return units;
}

/** One transaction of a packing: its write set, and how many lines of each event it holds. */
export interface PackedSet {
  set: LedgerWriteSet;
  /** The events with a piece in it. */
  events: Set<number>;
  /** Lines per event index. */
  lines: Map<number, number>;
}

/**
 * Packs pieces into as few transactions of at most 100 operations as it can, the busiest counter's
 * pieces first and each counter's pieces side by side (then in the events' order): a counter's
 * increments are merged within a transaction, so a counter whose pieces share one transaction is
 * updated once. A batch of 25 events puts its 25 receivable lines, and so the brokerage's accrual,
 * in the first transaction; packed event by event, every transaction took one update of it.
 */
export function packWrites(tenantId: string, units: readonly WriteUnit[]): PackedSet[] {
  const perCounter = new Map<string, number>();
  for (const u of units) perCounter.set(u.counter, (perCounter.get(u.counter) ?? 0) + 1);
  const count = (u: WriteUnit) => perCounter.get(u.counter) ?? 0;
  const ordered = units
    .map((u, n) => ({ u, n }))
    .sort(
      (a, b) =>
        count(b.u) - count(a.u) ||
        (a.u.counter < b.u.counter ? -1 : a.u.counter > b.u.counter ? 1 : 0) ||
        a.n - b.n,
    )
    .map(({ u }) => u);
  const sets: PackedSet[] = [];
  let current: PackedSet | null = null;
  for (const u of ordered) {
    if (!current || current.set.sizeWith(u.lines, u.production) > MAX_TRANSACT_OPS) {
      current = { set: new LedgerWriteSet(tenantId), events: new Set(), lines: new Map() };
      sets.push(current);
    }
    current.set.add(u.lines, u.production);
    current.events.add(u.event);
    current.lines.set(u.event, (current.lines.get(u.event) ?? 0) + u.lines.length);
  }
  return sets;
}
