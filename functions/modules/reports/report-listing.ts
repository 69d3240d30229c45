import type { Page } from '../../shared/db.js';
import type { BuildContext } from './build-context.js';
import { type Cell, type Column, isMoney, type ReportDocument } from './report-document.js';
import { MoneySums } from './report-totals.js';

/** One row of a table, keyed by column. */
export type Row = Record<string, Cell>;

/** A page request of a list: the API's own `first`/`after`. */
export type PageRequest = { limit: number; cursor: string | null };

/** One list read page by page, its items already turned into rows. */
export type RowPages = (page: PageRequest) => Promise<Page<Row>>;

/**
 * A one-table report that is a list and nothing else: its columns, the list reads in the order the
 * rows appear (one per month, or one for the whole list), and the money column totalled under it.
 * Being only that, it can be written as it is read (a streamed XLSX or CSV) or collected whole (PDF).
 */
export interface ListReport {
  columns: Column[];
  reads: RowPages[];
  /** The money column summed per currency in the totals rows; null: no totals. */
  totalKey: string | null;
}

/** A list's page reader whose items are mapped to rows (the cursor and page are the list's own). */
export function rowPages<T>(fetch: (page: PageRequest) => Promise<Page<T>>, row: (item: T) => Row): RowPages {
  return async (page) => {
    const read = await fetch(page);
    return { ...read, items: read.items.map(row) };
  };
}

/** Adds a row's money in `key` to the sums. */
export function addTotal(sums: MoneySums, key: string | null, row: Row): void {
  const cell = key ? (row[key] ?? null) : null;
  if (isMoney(cell)) sums.add(cell);
}

/** The list collected whole into a document (the PDF path, and any caller that wants every row). */
export async function documentOf(ctx: BuildContext, report: ListReport): Promise<ReportDocument> {
  const rows: Row[] = [];
  for (const read of report.reads) rows.push(...(await ctx.collect<Row>(read)));
  const sums = new MoneySums();
  for (const row of rows) addTotal(sums, report.totalKey, row);
  return ctx.document([
    {
      title: null,
      columns: report.columns,
      rows,
      totals: report.totalKey ? sums.rows(report.totalKey, ctx.t('total')) : [],
    },
  ]);
}

/**
 * Reads a list to its end, handing each page to `visit` in order. The next page is requested as soon
 * as the cursor is known, so it is on its way while `visit` writes the current one (and records the
 * job's progress): the reads and the writing overlap instead of taking turns.
 */
export async function eachPage<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
  visit: (items: T[]) => Promise<void>,
): Promise<void> {
  const request = (cursor: string | null) => {
    const page = fetch({ limit, cursor });
    // A prefetched page may fail while the current one is written: it is marked handled here and
    // its error is thrown where it is awaited (or dropped, when writing failed first).
    page.catch(() => undefined);
    return page;
  };
  let next = request(null);
  for (;;) {
    const page = await next;
    const cursor = page.nextCursor;
    if (cursor) next = request(cursor);
    await visit(page.items);
    if (!cursor) return;
  }
}
