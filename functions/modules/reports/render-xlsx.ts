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

/** The sheet's columns: header, key and a width in characters. */
export function sheetColumns(columns: Column[]): Array<Partial<ExcelJS.Column>> {
  return columns.map((c) => ({ header: c.label, key: c.key, width: Math.round(12 * (c.width ?? 1)) }));
}

/** A row's typed cell values by column key: numbers as numbers, dates as dates. */
export function sheetValues(columns: Column[], row: Record<string, Cell>): Record<string, ExcelJS.CellValue> {
  return Object.fromEntries(columns.map((c) => [c.key, excelValue(row[c.key] ?? null, c)]));
}

/** Number formats of an added row's cells: the currency's for money, ISO dates, integers, percents. */
export function formatCells(added: ExcelJS.Row, columns: Column[], row: Record<string, Cell>): void {
  columns.forEach((c, i) => {
    const cell = row[c.key] ?? null;
    const target = added.getCell(i + 1);
    if (isMoney(cell)) target.numFmt = moneyFormat(cell.currency);
    else if (c.type === 'date') target.numFmt = 'yyyy-mm-dd';
    else if (c.type === 'integer') target.numFmt = '0';
    else if (c.type === 'percent') target.numFmt = '0.0%';
    else if (c.type === 'decimal') target.numFmt = '0.00';
  });
}

/** A totals row as written: its label in the first column (`__label`, else "Total"). */
export function totalsRow(columns: Column[], total: Record<string, Cell>, totalLabel: string) {
  const first = columns[0]?.key ?? '';
  return { ...total, [first]: (total.__label as string) ?? totalLabel };
}

function addSheet(book: ExcelJS.Workbook, name: string, table: ReportTable, totalLabel: string): void {
  const sheet = book.addWorksheet(name.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = sheetColumns(table.columns);
  sheet.getRow(1).font = { bold: true };
  const write = (row: Record<string, Cell>) => {
    const added = sheet.addRow(sheetValues(table.columns, row));
    formatCells(added, table.columns, row);
    return added;
  };
  for (const row of table.rows) write(row);
  sheet.autoFilter = {
    from: { row: 1, column: 1 },
    to: { row: Math.max(1, table.rows.length + 1), column: table.columns.length },
  };
  for (const total of table.totals) write(totalsRow(table.columns, total, totalLabel)).font = { bold: true };
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
