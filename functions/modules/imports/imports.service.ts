import { performance } from 'node:perf_hooks';
import { authorize, canReadImportJob } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TableChangeDetail } from '../../shared/change-event.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { NotFoundError, ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { mapLimit } from '../../shared/map-limit.js';
import { type BookFilesModule, type BookRow, IMPORT_CONCURRENCY } from '../book-files/index.js';
import type { StatementImports } from '../invoices/index.js';
import { importJobImage } from './change-images.js';
import {
  type ImportJob,
  type ImportJobParams,
  type ImportJobRow,
  type ImportKind,
  MAX_CHUNK_BYTES,
  MAX_STATEMENT_JOB_ROWS,
  type StoredRow,
} from './imports.model.js';
import type { ImportsRepository } from './imports.repository.js';

/** What an import job asks of the book-files module: a file prepared once, then row by row. */
export type BookImporter = Pick<
  BookFilesModule['imports'],
  'prepareBookImport' | 'importReferences' | 'importBookRow'
>;

/** How a job run paces itself; tests shrink these to make a job resume across several runs. */
export interface ImportRunOptions {
  /** Wall-clock budget of one run: it checkpoints after the batch that crosses it (catalog timeout 60 s). */
  runBudgetMs: number;
  /** Most rows one run processes. */
  maxRowsPerRun: number;
  /** Rows between budget checks (and per read of stored results). */
  batchRows: number;
  /** Most bytes of rows per stored chunk item. */
  chunkBytes: number;
}

const DEFAULTS: ImportRunOptions = {
  runBudgetMs: 20_000,
  maxRowsPerRun: Number.POSITIVE_INFINITY,
  batchRows: 24,
  chunkBytes: MAX_CHUNK_BYTES,
};

/** What one run of a job did, for the handler's log and for tests. */
export interface ImportRunResult {
  jobId: string | null;
  status: ImportJob['status'] | null;
  rowsDone: number;
  /** Rows this run imported (results reused from an interrupted run not counted). */
  imported: number;
  /** False when another run had moved the job on first: this run's checkpoint was dropped. */
  checkpointed: boolean;
}

type RowRunner = {
  concurrency: number;
  run: (row: StoredRow, index: number) => Promise<Omit<ImportJobRow, 'jobId' | 'index'>>;
};

/**
 * Imports that cannot finish inside an API request run as jobs. Starting one checks the whole file
 * as the synchronous mutation does (nothing is written for a bad file), stores its rows in chunks and
 * the job; the imports function, a change-bus subscriber of ImportJob writes, then imports rows
 * within a time budget and checkpoints progress on the job with an optimistic version. Every
 * checkpoint is a MODIFY of the job, which triggers the next run, until the job SUCCEEDS.
 *
 * Exactly once: a row's result item is written right after its effect, and a run reuses stored
 * results instead of running those rows again; a row whose effect landed but whose result was not
 * stored is run again, and the row's effect itself is idempotent (a book row's external id, a
 * statement row's payment id), so it reports DUPLICATE and writes nothing. A replayed event finds the
 * job moved on (or finished) and its checkpoint, if any, loses the version check.
 */
export class ImportsService {
  private readonly options: ImportRunOptions;

  constructor(
    private readonly repo: ImportsRepository,
    private readonly bookFiles: BookImporter,
    private readonly invoices: StatementImports,
    private readonly clock: Clock,
    options: Partial<ImportRunOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Starts a book import job; the input and its checks are `importBook`'s. */
  async startBookImport(principal: Principal | null, rawInput: unknown): Promise<ImportJob> {
    const { p, input, rows } = await this.bookFiles.prepareBookImport(principal, rawInput);
    const params: ImportJobParams = {
      kind: 'BOOK',
      bookKind: input.kind,
      format: input.format,
      mapping: input.mapping,
    };
    return this.create(p, 'BOOK', params, rows as unknown as StoredRow[], 'input.contentBase64');
  }

  /** Starts a bank statement import job; the input and its checks are `importBankStatement`'s. */
  async startBankStatementImport(principal: Principal | null, rawInput: unknown): Promise<ImportJob> {
    const { p, importId, records, field } = await this.invoices.prepareBankStatement(principal, rawInput);
    if (records.length > MAX_STATEMENT_JOB_ROWS) {
      throw new ValidationFailedError('Too many rows', [
        {
          path: field,
          message: `has ${records.length} rows; import at most ${MAX_STATEMENT_JOB_ROWS} at once`,
        },
      ]);
    }
    return this.create(p, 'BANK_STATEMENT', { kind: 'BANK_STATEMENT', importId }, records, field);
  }

  private async create(
    p: Principal,
    kind: ImportKind,
    params: ImportJobParams,
    rows: StoredRow[],
    path: string,
  ): Promise<ImportJob> {
    const now = this.clock.now().toISOString();
    const empty = rows.length === 0;
    const job: ImportJob = {
      id: newId(),
      kind,
      status: empty ? 'SUCCEEDED' : 'QUEUED',
      rowsTotal: rows.length,
      rowsDone: 0,
      counts: {},
      createdBy: p.userId,
      principal: p,
      params,
      createdAt: now,
      updatedAt: now,
      finishedAt: empty ? now : null,
      error: null,
      version: 1,
    };
    await this.repo.createImportJob(p.tenantId, job, chunksOf(rows, this.options.chunkBytes, path));
    return job;
  }

  /** One job the caller may read; another tenant's, or one outside the caller's rights, is NOT_FOUND. */
  async getJob(principal: Principal | null, id: string): Promise<ImportJob> {
    const p = authorize(principal, 'self:read');
    const job = await this.repo.getImportJob(p.tenantId, id);
    if (!job || !canReadImportJob(p, job)) throw new NotFoundError('ImportJob', id);
    return job;
  }

  /** The caller's tenant's jobs the caller may read, newest first. */
  async listJobs(
    principal: Principal | null,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<ImportJob>> {
    const p = authorize(principal, 'imports:read');
    const result = await this.repo.listImportJobs(p.tenantId, page);
    const keep = result.items.map((job) => canReadImportJob(p, job));
    return {
      ...result,
      items: result.items.filter((_, i) => keep[i]),
      cursors: result.cursors.filter((_, i) => keep[i]),
    };
  }

  /** A job's per-row results in file order; the job was read through {@link getJob} or {@link listJobs}. */
  async listRows(
    principal: Principal | null,
    job: ImportJob,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<ImportJobRow>> {
    const p = authorize(principal, 'self:read');
    if (!canReadImportJob(p, job)) throw new NotFoundError('ImportJob', job.id);
    return this.repo.listImportJobRows(p.tenantId, job.id, page);
  }

  /** The change-bus entry: any INSERT or MODIFY of a job runs its next rows. */
  async onChange(change: TableChangeDetail): Promise<ImportRunResult> {
    if (!change.tenantId || !change.newImage)
      return { jobId: null, status: null, rowsDone: 0, imported: 0, checkpointed: false };
    return this.runJob(change.tenantId, importJobImage(change.newImage).id);
  }

  /** Imports the job's next rows within the run's budget and checkpoints them. */
  async runJob(tenantId: string, jobId: string): Promise<ImportRunResult> {
    const job = await this.repo.getImportJob(tenantId, jobId);
    if (!job || job.status === 'SUCCEEDED' || job.status === 'FAILED') {
      return {
        jobId,
        status: job?.status ?? null,
        rowsDone: job?.rowsDone ?? 0,
        imported: 0,
        checkpointed: false,
      };
    }
    const startedAt = performance.now();
    const runner = await this.runnerFor(job);
    const end = Math.min(job.rowsTotal, job.rowsDone + this.options.maxRowsPerRun);
    const counts = { ...job.counts };
    let index = job.rowsDone;
    let imported = 0;
    let error: string | null = null;
    while (
      index < end &&
      (index === job.rowsDone || performance.now() - startedAt < this.options.runBudgetMs)
    ) {
      const chunk = await this.repo.chunkHolding(tenantId, jobId, index);
      if (!chunk || index >= chunk.start + chunk.rows.length) {
        error = `The stored rows from row ${index + 1} on are missing`;
        break;
      }
      const batchEnd = Math.min(end, chunk.start + chunk.rows.length, index + this.options.batchRows);
      const stored = await this.repo.rowResults(tenantId, jobId, index, batchEnd);
      const positions = Array.from({ length: batchEnd - index }, (_, k) => index + k);
      const results = await mapLimit(positions, runner.concurrency, async (i) => {
        const done = stored.get(i);
        if (done) return done;
        const result: ImportJobRow = {
          jobId,
          index: i,
          ...(await runner.run(chunk.rows[i - chunk.start] as StoredRow, i)),
        };
        await this.repo.saveRowResult(tenantId, result);
        imported++;
        return result;
      });
      for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
      index = batchEnd;
    }
    const now = this.clock.now().toISOString();
    const status = error ? 'FAILED' : index >= job.rowsTotal ? 'SUCCEEDED' : 'RUNNING';
    const checkpointed = await this.repo.checkpoint(tenantId, job, {
      rowsDone: index,
      counts,
      status,
      error,
      updatedAt: now,
      finishedAt: status === 'RUNNING' ? null : now,
    });
    return { jobId, status, rowsDone: index, imported, checkpointed };
  }

  private async runnerFor(job: ImportJob): Promise<RowRunner> {
    const p = job.principal;
    const params = job.params;
    if (params.kind === 'BANK_STATEMENT') {
      // One row after another, as the synchronous import: two rows may pay the same invoice.
      return {
        concurrency: 1,
        run: async (row, index) => {
          const r = await this.invoices.importStatementRow(
            p,
            params.importId,
            index,
            row as Record<string, string>,
          );
          return {
            row: r.row,
            outcome: r.outcome,
            externalId: null,
            createdId: r.insurerSettlementId ?? null,
            errors: [],
            invoiceId: r.invoiceId ?? null,
            invoiceNumber: r.invoiceNumber ?? null,
            reason: r.reason ?? null,
          };
        },
      };
    }
    const input = {
      kind: params.bookKind,
      format: params.format,
      mapping: params.mapping,
      contentBase64: '',
    };
    const refs = await this.bookFiles.importReferences(p);
    return {
      concurrency: IMPORT_CONCURRENCY,
      run: async (row, index) => {
        const r = await this.bookFiles.importBookRow(p, input, row as unknown as BookRow, index, refs);
        return { row: index + 2, ...r, invoiceId: null, invoiceNumber: null, reason: null };
      },
    };
  }
}

/** Splits rows into chunks of at most `maxBytes` of JSON; a single row above it is refused. */
function chunksOf(
  rows: StoredRow[],
  maxBytes: number,
  path: string,
): Array<{ start: number; rows: StoredRow[] }> {
  const chunks: Array<{ start: number; rows: StoredRow[] }> = [];
  let current: { start: number; rows: StoredRow[] } = { start: 0, rows: [] };
  let bytes = 0;
  rows.forEach((row, i) => {
    const size = Buffer.byteLength(JSON.stringify(row));
    if (size > maxBytes) {
      throw new ValidationFailedError('A row is too long', [
        { path, message: `row ${i + 1} has ${size} bytes of mapped values; at most ${maxBytes}` },
      ]);
    }
    if (bytes + size > maxBytes && current.rows.length > 0) {
      chunks.push(current);
      current = { start: i, rows: [] };
      bytes = 0;
    }
    current.rows.push(row);
    bytes += size;
  });
  if (current.rows.length > 0) chunks.push(current);
  return chunks;
}
