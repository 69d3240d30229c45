import type ExcelJS from 'exceljs';
import { ValidationFailedError } from './errors.js';
import { looksLikeText, looksLikeXlsx } from './input.js';

/**
 * Spreadsheet files users upload (book imports, insurers' commission statements): read into rows
 * of text keyed by the header row, whatever module then maps the columns.
 */

/** The file formats users upload tables in. */
export type TabularFormat = 'CSV' | 'XLSX';

/** One data row: header name → cell text. */
export type Row = Record<string, string>;

/** Reads a CSV (header row, any common separator) or the first sheet of an XLSX into rows of text. */
export async function readRows(format: TabularFormat, content: Buffer): Promise<Row[]> {
  const fits = format === 'CSV' ? looksLikeText(content) : looksLikeXlsx(content);
  if (!fits) {
    throw new ValidationFailedError('The file is not of the stated format', [
      {
        path: 'input.contentBase64',
        message: format === 'CSV' ? 'is not a UTF-8 text (CSV) file' : 'is not an XLSX file',
      },
    ]);
  }
  try {
    if (format === 'CSV') {
      // Loaded on the first CSV file, like ExcelJS: not at cold start (decision 0011).
      const { parse } = await import('csv-parse/sync');
      const text = content.toString('utf8');
      const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
      const delimiter = [';', '\t', ','].find((d) => firstLine.includes(d)) ?? ',';
      return parse(text, {
        columns: true,
        skip_empty_lines: true,
        trim: true,
        bom: true,
        delimiter,
        relax_column_count: true,
      }) as Row[];
    }
    const workbook = new (await loadExcelJs()).Workbook();
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    if (!sheet) return [];
    const header: string[] = [];
    sheet.getRow(1).eachCell((cell, col) => {
      header[col] = cellText(cell.value).trim();
    });
    const rows: Row[] = [];
    sheet.eachRow((row, number) => {
      if (number === 1) return;
      const record: Row = {};
      row.eachCell((cell, col) => {
        const name = header[col];
        if (name) record[name] = cellText(cell.value);
      });
      if (Object.values(record).some((v) => v.trim() !== '')) rows.push(record);
    });
    return rows;
  } catch (error) {
    throw new ValidationFailedError('The file cannot be read', [
      {
        path: 'input.contentBase64',
        message: `is not a readable ${format} file (${(error as Error).message})`,
      },
    ]);
  }
}

/**
 * ExcelJS, loaded on the first XLSX file rather than at cold start: every function that builds the
 * services would otherwise pay for it in its init time, though only imports, exports and statements read XLSX.
 */
export async function loadExcelJs(): Promise<typeof ExcelJS> {
  return (await import('exceljs')).default;
}

/**
 * A spreadsheet cell as text. Dates become ISO dates (exceljs reads them as UTC); numbers use
 * JavaScript's shortest exact form, so 1234.5 stays "1234.5" before the money parser sees it.
 */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
    if ('text' in value && typeof value.text === 'string') return value.text;
  }
  return '';
}
