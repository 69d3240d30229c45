import { once } from 'node:events';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { loadExcelJs } from '../../shared/tabular-file.js';
import { CSV_OPTIONS, csvHeader, csvRecord } from './render-csv.js';
import { formatCells, sheetColumns, sheetValues, totalsRow } from './render-xlsx.js';
import type { Column } from './report-document.js';
import type { Row } from './report-listing.js';

/**
 * One table written as it is read: rows go out in batches (a page of a list) and leave memory once
 * written; the file's bytes come out of `output` for an upload to consume. The formats are the
 * in-memory renderers' (render-xlsx.ts, render-csv.ts), cell for cell.
 */
export interface TableStream {
  readonly output: Readable;
  /** Writes rows in order; resolves once the output has room again (the upload keeps up). */
  write(rows: readonly Row[]): Promise<void>;
  /** Writes the totals rows (XLSX; CSV has none), closes the table and ends the output. */
  end(totals: readonly Row[]): Promise<void>;
}

/** Waits while the reader of `stream` lags: backpressure from the upload to the list reads. */
async function roomIn(stream: Writable): Promise<void> {
  if (stream.writableNeedDrain) await once(stream, 'drain');
}

/**
 * An XLSX table through ExcelJS's streaming WorkbookWriter: inline strings (no shared-string table
 * growing with the rows), styles for the currency, date and integer formats and the bold header,
 * the header frozen (views are written before the first row) and the autofilter over every data row
 * (written when the sheet is closed, once the count is known), the totals rows under the data.
 */
export async function xlsxTableStream(
  title: string,
  columns: Column[],
  totalLabel: string,
): Promise<TableStream> {
  const Excel = await loadExcelJs();
  const output = new PassThrough();
  const book = new Excel.stream.xlsx.WorkbookWriter({
    stream: output,
    useStyles: true,
    useSharedStrings: false,
  });
  book.creator = 'Broker CRM';
  const sheet = book.addWorksheet(title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = sheetColumns(columns);
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  let rows = 0;
  const add = (row: Row) => {
    const added = sheet.addRow(sheetValues(columns, row));
    formatCells(added, columns, row);
    return added;
  };
  return {
    output,
    async write(batch) {
      for (const row of batch) add(row).commit();
      rows += batch.length;
      await roomIn(output);
    },
    async end(totals) {
      sheet.autoFilter = {
        from: { row: 1, column: 1 },
        to: { row: Math.max(1, rows + 1), column: columns.length },
      };
      for (const total of totals) {
        const added = add(totalsRow(columns, total, totalLabel));
        added.font = { bold: true };
        added.commit();
      }
      sheet.commit();
      await book.commit();
    },
  };
}

/**
 * A CSV table through csv-stringify's stream: the byte-order mark, the header, then each batch of
 * records (RFC 4180, CRLF), as renderCsv writes them; no totals (a CSV is one table of records).
 */
export async function csvTableStream(columns: Column[]): Promise<TableStream> {
  const { stringify } = await import('csv-stringify');
  const output = stringify({ ...CSV_OPTIONS, bom: true });
  output.write(csvHeader(columns));
  return {
    output,
    async write(batch) {
      for (const row of batch) output.write(csvRecord(columns, row));
      await roomIn(output);
    },
    async end() {
      output.end();
    },
  };
}
