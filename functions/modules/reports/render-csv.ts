import { stringify } from 'csv-stringify/sync';
import { neutraliseFormula } from '../../shared/input.js';
import { type Cell, isMoney, type ReportDocument } from './report-document.js';

function csvValue(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (isMoney(cell)) return cell.amount;
  if (typeof cell === 'number') return String(Math.round(cell * 1e6) / 1e6);
  return neutraliseFormula(cell);
}

/**
 * The document's first table as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a comma,
 * a quote or a line break), UTF-8 with a byte-order mark so spreadsheet programs read the letters
 * right. Money is its exact decimal with the currency in a column after it; dates stay ISO.
 */
export function renderCsv(doc: ReportDocument): Uint8Array {
  const table = doc.tables[0];
  if (!table) return new TextEncoder().encode('\uFEFF');
  const header: string[] = [];
  for (const c of table.columns) {
    header.push(c.label);
    if (c.type === 'money') header.push(`${c.label} (currency)`);
  }
  const rows = table.rows.map((row) =>
    table.columns.flatMap((c) => {
      const cell = row[c.key] ?? null;
      return c.type === 'money' ? [csvValue(cell), isMoney(cell) ? cell.currency : ''] : [csvValue(cell)];
    }),
  );
  const text = stringify([header, ...rows], { record_delimiter: '\r\n', quoted_match: /^\s|\s$/ });
  return new TextEncoder().encode(`\uFEFF${text}`);
}
