import type { Money } from '../../shared/money.js';

/** How a column's values are written: XLSX keeps numbers and dates typed, PDF formats them with Intl. */
export type ColumnType = 'text' | 'integer' | 'decimal' | 'money' | 'date' | 'percent';

/** A cell: text, an integer, a ratio (a percent column: 0.5 is 50 %), a date (`YYYY-MM-DD`), a decimal string (a decimal column: `1.25`, two places), or money (exact decimal string with its currency). */
export type Cell = string | number | Money | null;

export interface Column {
  key: string;
  /** The header, already in the document's language. */
  label: string;
  type: ColumnType;
  /** Relative width in the PDF (default 1). */
  width?: number;
}

/** One table of a document: header, rows and an optional totals row. */
export interface ReportTable {
  title: string | null;
  columns: Column[];
  rows: Array<Record<string, Cell>>;
  /** Totals under the table, keyed by column (money per currency comes as several rows). */
  totals: Array<Record<string, Cell>>;
}

/**
 * A report before it becomes a file: what every format writes. Labels are already in the
 * document's language; CSV writes the first table only (RFC 4180 has one table per file).
 */
export interface ReportDocument {
  title: string;
  /** Lines under the title: period, recipient, filters. */
  subtitle: string[];
  /** Label and value pairs above the tables (statement totals per kind). */
  summary: Array<{ label: string; value: Cell }>;
  tables: ReportTable[];
}

/** Whether a cell holds money. */
export function isMoney(cell: Cell): cell is Money {
  return typeof cell === 'object' && cell !== null && 'amount' in cell && 'currency' in cell;
}
