import { Dec, type Money, money } from '../../shared/money.js';
import type { Cell } from './report-document.js';

/** Exact sums per currency, added one amount at a time (a streamed report never holds its rows). */
export class MoneySums {
  private readonly sums = new Map<string, InstanceType<typeof Dec>>();

  add(amount: Money): void {
    this.sums.set(amount.currency, (this.sums.get(amount.currency) ?? new Dec(0)).plus(amount.amount));
  }

  /** The sums, currencies in alphabetical order. */
  totals(): Money[] {
    return [...this.sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([c, v]) => money(v, c));
  }

  /** Totals rows under a table: one per currency, the sum in column `key` and `label` in the first column. */
  rows(key: string, label: string): Array<Record<string, Cell>> {
    return this.totals().map((total) => ({ __label: label, [key]: total }));
  }
}

/** Sums money exactly per currency, currencies in alphabetical order. */
export function sumByCurrency(amounts: Money[]): Money[] {
  const sums = new MoneySums();
  for (const a of amounts) sums.add(a);
  return sums.totals();
}

/**
 * Totals rows under a table: one per currency, the sum in column `key` and `label` in the first
 * column; none for an empty table.
 */
export function moneyTotals(key: string, amounts: Money[], label: string): Array<Record<string, Cell>> {
  const sums = new MoneySums();
  for (const a of amounts) sums.add(a);
  return sums.rows(key, label);
}
