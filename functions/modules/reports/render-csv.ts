import { stringify } from 'csv-stringify/sync';
import { neutraliseFormula } from '../../shared/input.js';
import { type Cell, type Column, isMoney, type ReportDocument } from './report-document.js';

function csvValue(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (isMoney(cell)) return cell.amount;
  if (typeof cell === 'number') return String(Math.round(cell * 1e6) / 1e6);
  return neutraliseFormula(cell);
}

/** The header record: each column's label, a money column followed by its currency column. */
export function csvHeader(columns: Column[]): string[] {
  return columns.flatMap((c) => (c.type === 'money' ? [c.label, `${c.label} (currency)`] : [c.label]));
}

/** One record: money as its exact decimal then its currency, dates ISO, text safe from formula injection. */
export function csvRecord(columns: Column[], row: Record<string, Cell>): string[] {
  return columns.flatMap((c) => {
    const cell = row[c.key] ?? null;
    return c.type === 'money' ? [csvValue(cell), isMoney(cell) ? cell.currency : ''] : [csvValue(cell)];
  });
}

/** How every CSV export is written: CRLF line ends, fields with edge spaces quoted. */
export const CSV_OPTIONS = { record_delimiter: '\r\n', quoted_match: /^\s|\s$/ } as const;

/**
 * The document's first table as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma,
 * a quote or a line break), UTF-8 with a byte-order mark so spreadsheet programs read the letters
 * right. Money is its exact decimal with the currency in a column after it; dates stay ISO.
 */
export function renderCsv(doc: ReportDocument): Uint8Array {
  const table = doc.tables[0];
  if (!table) return new TextEncoder().encode('\uFEFF');
  const rows = table.rows.map((row) => csvRecord(table.columns, row));
  const text = stringify([csvHeader(table.columns), ...rows], CSV_OPTIONS);
  return new TextEncoder().encode(`\uFEFF${text}`);
}
