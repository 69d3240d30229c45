import { Dec, type Money, money } from '../../shared/money.js';
import type { Cell } from './report-document.js';

/** Sums money exactly per currency, currencies in alphabetical order. */
export function sumByCurrency(amounts: Money[]): Money[] {
  const sums = new Map<string, InstanceType<typeof Dec>>();
  for (const a of amounts) sums.set(a.currency, (sums.get(a.currency) ?? new Dec(0)).plus(a.amount));
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([c, v]) => money(v, c));
}

/**
 * Totals rows under a table: one per currency, the sum in column `key` and `label` in the first
 * column; none for an empty table.
 */
export function moneyTotals(key: string, amounts: Money[], label: string): Array<Record<string, Cell>> {
  return sumByCurrency(amounts).map((total) => ({ __label: label, [key]: total }));
}
