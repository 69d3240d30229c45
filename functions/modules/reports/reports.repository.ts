import type { Db, Page } from '../../shared/db.js';
import { VersionConflictError } from '../../shared/errors.js';
import { fromItem, getRecord, queryRecords, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { ReportJob } from './reports.model.js';

type PageRequest = { limit: number; cursor: string | null };

/** Report jobs: one item each, listed per requester. */
export class ReportsRepository {
  constructor(private readonly db: Db) {}

  /** getReportJob */
  async getReportJob(tenantId: string, id: string): Promise<ReportJob | undefined> {
    return getRecord<ReportJob>(this.db, keys.reportJob(tenantId, id), { consistent: true });
  }

  /** listReportJobsByRequester: newest first. */
  async listReportJobsByRequester(
    tenantId: string,
    userId: string,
    page: PageRequest,
  ): Promise<Page<ReportJob>> {
    return queryRecords<ReportJob>(this.db, {
      index: 'gsi1',
      partition: keys.reportJobsOf(tenantId, userId),
      newestFirst: true,
      limit: page.limit,
      cursor: page.cursor,
    });
  }

  /** Stores a new job; its INSERT is what starts the reports function. */
  async createReportJob(tenantId: string, job: ReportJob): Promise<void> {
    await this.db.put(
      toItem(
        keys.reportJob(tenantId, job.id),
        EntityType.ReportJob,
        tenantId,
        job,
        keys.reportJobIndexes(tenantId, job),
      ),
    );
  }

  /**
   * Moves a job on if it is still at `job.version`; answers the job as stored after the change, or
   * null when another run (a redelivered event) moved it first.
   */
  async checkpoint(tenantId: string, job: ReportJob, changes: Partial<ReportJob>): Promise<ReportJob | null> {
    try {
      const item = await this.db.updateVersioned(keys.reportJob(tenantId, job.id), job.version, changes, {
        entity: 'ReportJob',
        id: job.id,
      });
      return fromItem<ReportJob>(item);
    } catch (error) {
      if (error instanceof VersionConflictError) return null;
      throw error;
    }
  }
}
