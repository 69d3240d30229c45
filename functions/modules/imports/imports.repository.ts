import type { Db, Page, StoredItem } from '../../shared/db.js';
import { VersionConflictError } from '../../shared/errors.js';
import { fromItem, getRecord, queryRecords, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { ImportJob, ImportJobRow, StoredRow } from './imports.model.js';

type PageRequest = { limit: number; cursor: string | null };

/** Import jobs, the rows they were given (in chunks) and their per-row results: one collection per job. */
export class ImportsRepository {
  constructor(private readonly db: Db) {}

  /** getImportJob */
  async getImportJob(tenantId: string, id: string): Promise<ImportJob | undefined> {
    return getRecord<ImportJob>(this.db, keys.importJob(tenantId, id), { consistent: true });
  }

  /** listImportJobs: newest first. */
  async listImportJobs(tenantId: string, page: PageRequest): Promise<Page<ImportJob>> {
    return queryRecords<ImportJob>(this.db, {
      index: 'gsi1',
      partition: keys.importJobs(tenantId),
      newestFirst: true,
      limit: page.limit,
      cursor: page.cursor,
    });
  }

  /** listImportJobRows: results in file order. */
  async listImportJobRows(tenantId: string, jobId: string, page: PageRequest): Promise<Page<ImportJobRow>> {
    return queryRecords<ImportJobRow>(this.db, {
      partition: keys.importJobCollection(tenantId, jobId),
      beginsWith: keys.importJobRowPrefix,
      limit: page.limit,
      cursor: page.cursor,
    });
  }

  /**
   * Stores the rows in chunks, then the job. The job's INSERT is what starts processing, so it is
   * written last: a processor never finds a job whose rows are not all stored.
   */
  async createImportJob(
    tenantId: string,
    job: ImportJob,
    chunks: Array<{ start: number; rows: StoredRow[] }>,
  ) {
    await this.db.batchWrite(
      chunks.map((c) =>
        toItem(keys.importJobChunk(tenantId, job.id, c.start), EntityType.ImportJobChunk, tenantId, {
          jobId: job.id,
          start: c.start,
          rows: JSON.stringify(c.rows),
        }),
      ),
    );
    await this.db.put(
      toItem(
        keys.importJob(tenantId, job.id),
        EntityType.ImportJob,
        tenantId,
        job,
        keys.importJobIndexes(tenantId, job),
      ),
    );
  }

  /** getImportJobChunk: the stored chunk holding row `index` (the last chunk starting at or before it). */
  async chunkHolding(
    tenantId: string,
    jobId: string,
    index: number,
  ): Promise<{ start: number; rows: StoredRow[] } | undefined> {
    const page = await this.db.queryPage<StoredItem & { start: number; rows: string }>({
      partition: keys.importJobCollection(tenantId, jobId),
      between: [keys.importJobChunk(tenantId, jobId, 0).sk, keys.importJobChunk(tenantId, jobId, index).sk],
      newestFirst: true,
      limit: 1,
    });
    const item = page.items[0];
    return item ? { start: item.start, rows: JSON.parse(item.rows) as StoredRow[] } : undefined;
  }

  /** The results already stored for rows `from`…`to - 1` (a retried run reuses them). */
  async rowResults(
    tenantId: string,
    jobId: string,
    from: number,
    to: number,
  ): Promise<Map<number, ImportJobRow>> {
    if (to <= from) return new Map();
    const page = await this.db.queryPage({
      partition: keys.importJobCollection(tenantId, jobId),
      between: [keys.importJobRow(tenantId, jobId, from).sk, keys.importJobRow(tenantId, jobId, to - 1).sk],
      limit: to - from,
    });
    return new Map(page.items.map((i) => [Number(i.index), fromItem<ImportJobRow>(i)]));
  }

  /** Writes a row's result; its key is the job and row, so a rewrite replaces it. */
  async saveRowResult(tenantId: string, result: ImportJobRow): Promise<void> {
    await this.db.put(
      toItem(
        keys.importJobRow(tenantId, result.jobId, result.index),
        EntityType.ImportJobRow,
        tenantId,
        result,
      ),
    );
  }

  /**
   * Checkpoints a run: applies `changes` only if the job is still at `version`. Answers false when
   * another run (a replayed event) got there first; the caller then leaves the job to it.
   */
  async checkpoint(tenantId: string, job: ImportJob, changes: Partial<ImportJob>): Promise<boolean> {
    try {
      await this.db.updateVersioned(keys.importJob(tenantId, job.id), job.version, changes, {
        entity: 'ImportJob',
        id: job.id,
      });
      return true;
    } catch (error) {
      if (error instanceof VersionConflictError) return false;
      throw error;
    }
  }
}
