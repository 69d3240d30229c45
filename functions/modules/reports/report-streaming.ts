import type { Readable } from 'node:stream';
import { csvTableStream, type TableStream, xlsxTableStream } from './render-stream.js';
import { addTotal, eachPage, type ListReport } from './report-listing.js';
import { MoneySums } from './report-totals.js';

/** What a streamed list report needs besides the list: where the bytes go and how progress is told. */
export interface StreamTarget {
  format: 'CSV' | 'XLSX';
  /** The sheet's name (XLSX). */
  title: string;
  totalLabel: string;
  pageRows: number;
  /** Stores the body as it is produced (ObjectStore.putStream); rejects when the upload fails. */
  store(body: Readable): Promise<void>;
  /** After each page is written, with the rows written so far. */
  onPage(rows: number): Promise<void>;
}

/**
 * Writes a list report straight from its pages into the file and the file straight into the store:
 * one page of rows (and the upload's few parts) in memory at a time, whatever the list's length; the
 * totals are summed on the way. Answers the number of data rows. When reading fails (a domain error,
 * a superseded run) or the upload does, the output is destroyed, so the upload stops and stores
 * nothing (a multipart upload is aborted), and the first failure is thrown.
 */
export async function streamListReport(report: ListReport, target: StreamTarget): Promise<number> {
  const table: TableStream =
    target.format === 'XLSX'
      ? await xlsxTableStream(target.title, report.columns, target.totalLabel)
      : await csvTableStream(report.columns);
  let uploadError: unknown = null;
  const uploaded = target.store(table.output).then(
    () => null,
    (error: unknown) => {
      uploadError = error ?? new Error('upload failed');
      table.output.destroy(uploadError as Error);
      return uploadError;
    },
  );
  const sums = new MoneySums();
  let rows = 0;
  try {
    for (const read of report.reads)
      await eachPage(read, target.pageRows, async (items) => {
        if (uploadError) throw uploadError;
        await table.write(items);
        for (const row of items) addTotal(sums, report.totalKey, row);
        rows += items.length;
        await target.onPage(rows);
      });
    if (uploadError) throw uploadError;
    await table.end(report.totalKey ? sums.rows(report.totalKey, target.totalLabel) : []);
  } catch (error) {
    if (!table.output.destroyed) table.output.destroy(error as Error);
    await uploaded;
    throw error;
  }
  const failed = await uploaded;
  if (failed) throw failed;
  return rows;
}
