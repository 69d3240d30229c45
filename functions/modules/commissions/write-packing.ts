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

/**
 * How a set of events' writes is cut into pieces: `line` one per line and one for the production,
 * which lets {@link packWrites} put each counter's pieces together (the stream consumer); `event`
 * one per event, so each event's lines land in one transaction and a reader sees all of them or
 * none (a recompute: a second recompute of the policy must never see half of its RECOMPUTE lines,
 * or it would compute the other half again under another ledger state).
 */
export type Packing = 'line' | 'event';

/** An event's pieces (see {@link Packing}). */
export function unitsOf(
  event: number,
  lines: readonly StoredLine[],
  production: ProductionEntry | null,
  packing: Packing = 'line',
): WriteUnit[] {
  if (packing === 'event') {
    if (lines.length === 0 && !production) return [];
    return [{ event, lines: [...lines], production, counter: '' }];
  }
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
 * in the first transaction; packed event by event, every transaction took one update of it. Pieces
 * of {@link Packing} `event` keep their order (they name no counter).
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
