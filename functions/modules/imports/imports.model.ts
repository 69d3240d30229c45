import type { Principal } from '../../shared/auth/principal.js';

export const IMPORT_KINDS = ['BOOK', 'BANK_STATEMENT'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'] as const;
export type ImportJobStatus = (typeof IMPORT_JOB_STATUSES)[number];

/** A row's outcome: book rows are CREATED, DUPLICATE or REJECTED; statement rows as `ImportOutcome`. */
export const IMPORT_ROW_OUTCOMES = [
  'CREATED',
  'DUPLICATE',
  'REJECTED',
  'MATCHED',
  'PARTIAL',
  'OVERPAID',
  'UNMATCHED',
  'INSURER_COMMISSION',
] as const;
export type ImportRowOutcome = (typeof IMPORT_ROW_OUTCOMES)[number];

/** Rows a book import job may hold: the documented maximum of `importBook`'s input. */
export { MAX_IMPORT_ROWS as MAX_BOOK_JOB_ROWS } from '../book-files/index.js';
/** Rows a bank statement job may hold; the statement's 2 MB cap allows about this many lines. */
export const MAX_STATEMENT_JOB_ROWS = 20_000;

/** Stored rows per chunk item: far below DynamoDB's 400 KB item limit. */
export const MAX_CHUNK_BYTES = 300_000;

/**
 * What a job needs to run its rows: for a book import the mapping (rows are stored mapped already),
 * for a statement the import id every row's payment id derives from.
 */
export type ImportJobParams =
  | {
      kind: 'BOOK';
      bookKind: 'CLIENTS' | 'POLICIES';
      format: 'CSV' | 'XLSX';
      mapping: Array<{ column: string; field: string }>;
    }
  | { kind: 'BANK_STATEMENT'; importId: string };

/** An import running off the request path: progress, counts per outcome, and who started it. */
export interface ImportJob {
  id: string;
  kind: ImportKind;
  status: ImportJobStatus;
  rowsTotal: number;
  rowsDone: number;
  counts: Partial<Record<ImportRowOutcome, number>>;
  createdBy: string;
  /** The starter's rights at start: rows are imported with them, as the synchronous mutation would. */
  principal: Principal;
  params: ImportJobParams;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** Why the job FAILED (a job whose rows merely fail SUCCEEDS, with REJECTED or UNMATCHED rows). */
  error: string | null;
  version: number;
}

/** One problem of a row, in the file's terms. */
export interface ImportRowError {
  column: string | null;
  field: string | null;
  message: string;
}

/** The result of one row, kept as its own item so a 20,000-row result never sits in one item. */
export interface ImportJobRow {
  jobId: string;
  /** 0-based position among the data rows. */
  index: number;
  /** Row number as the synchronous mutation reports it (book: header is row 1; statement: first data row is 1). */
  row: number;
  outcome: ImportRowOutcome;
  externalId: string | null;
  createdId: string | null;
  errors: ImportRowError[];
  invoiceId: string | null;
  invoiceNumber: string | null;
  reason: string | null;
}

/** A stored data row, as the job's kind reads it back. */
export type StoredRow = Record<string, unknown>;
