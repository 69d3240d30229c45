import type ExcelJS from 'exceljs';
import { minorUnits } from '../../shared/money.js';
import { loadExcelJs } from '../../shared/tabular-file.js';
import { type Cell, type Column, isMoney, type ReportDocument, type ReportTable } from './report-document.js';

/** A currency number format: thousands separators, the currency's minor digits, its code after the number. */
function moneyFormat(currency: string): string {
  const digits = minorUnits(currency);
  return `#,##0${digits > 0 ? `.${'0'.repeat(digits)}` : ''} "${currency}";-#,##0${digits > 0 ? `.${'0'.repeat(digits)}` : ''} "${currency}"`;
}

function excelValue(cell: Cell, column: Column): ExcelJS.CellValue {
  if (cell === null || cell === undefined) return null;
  // A spreadsheet cell holds an IEEE double: the exact decimal string parses to the nearest one,
  // which shows the same digits at the currency's precision.
  if (isMoney(cell)) return Number(cell.amount);
  if (column.type === 'date' && typeof cell === 'string') return new Date(`${cell.slice(0, 10)}T00:00:00Z`);
  if (column.type === 'decimal' && typeof cell === 'string') return Number(cell);
  return cell;
}

function addSheet(book: ExcelJS.Workbook, name: string, table: ReportTable, totalLabel: string): void {
  const sheet = book.addWorksheet(name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.columns.map((c) => ({
    header: c.label,
    key: c.key,
    width: Math.round(12 * (c.width ?? 1)),
  }));
  sheet.getRow(1).font = { bold: true };
  const write = (row: Record<string, Cell>) => {
    const added = sheet.addRow(
      Object.fromEntries(table.columns.map((c) => [c.key, excelValue(row[c.key] ?? null, c)])),
    );
    table.columns.forEach((c, i) => {
      const cell = row[c.key];
      const target = added.getCell(i + 1);
      if (isMoney(cell ?? null)) target.numFmt = moneyFormat((cell as { currency: string }).currency);
      else if (c.type === 'date') target.numFmt = 'yyyy-mm-dd';
      else if (c.type === 'integer') target.numFmt = '0';
      else if (c.type === 'percent') target.numFmt = '0.0%';
      else if (c.type === 'decimal') target.numFmt = '0.00';
    });
    return added;
  };
  for (const row of table.rows) write(row);
  sheet.autoFilter = {
    from: { row: 1, column: 1 },
    to: { row: Math.max(1, table.rows.length + 1), column: table.columns.length },
  };
  for (const total of table.totals) {
    const first = table.columns[0]?.key ?? '';
    const added = write({ ...total, [first]: (total.__label as string) ?? totalLabel });
    added.font = { bold: true };
  }
}

/**
 * The document as an XLSX workbook for accountants: one sheet per table, numbers as numbers, dates
 * as dates, money with a currency number format, a frozen header row and an autofilter over the data.
 */
export async function renderXlsx(doc: ReportDocument, totalLabel: string): Promise<Uint8Array> {
  const Excel = await loadExcelJs();
  const book = new Excel.Workbook();
  book.creator = 'Broker CRM';
  doc.tables.forEach((table, i) => {
    addSheet(book, table.title ?? (i === 0 ? doc.title : `${doc.title} ${i + 1}`), table, totalLabel);
  });
  if (doc.tables.length === 0) book.addWorksheet(doc.title.slice(0, 31));
  return new Uint8Array(await book.xlsx.writeBuffer());
}
