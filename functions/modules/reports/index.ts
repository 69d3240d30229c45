import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import type { ReportDirectory, ReportLists } from './ports.js';
import type { ReportBucket } from './report-runner.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';

/**
 * The reports module's public entry: its composition and what other modules, entry points and tests
 * may use. Everything else in this folder is internal.
 */
export type { NameDirectory, ReportDirectory, ReportLists } from './ports.js';
export type { ReportBucket, ReportRunResult } from './report-runner.js';
export { REPORT_RETENTION_DAYS, type ReportJob } from './reports.model.js';
export type { ReportLink } from './reports.service.js';

/** The reports module's services. */
export interface ReportsModule {
  /** Report jobs: requested and read through GraphQL, built by the reports function. */
  jobs: ReportsService;
}

/**
 * Builds the reports module. The runner (builders, renderers, message catalogs) is imported on the
 * first run only, so the GraphQL function, which only requests and reads jobs, does not carry it.
 */
export function createReportsModule(deps: {
  db: Db;
  clock: Clock;
  lists: ReportLists;
  directory: ReportDirectory;
  bucket: ReportBucket | null;
  /** Rows per page read from a list (tests shrink it to see progress move). */
  pageRows?: number;
}): ReportsModule {
  const repo = new ReportsRepository(deps.db);
  const runner = async () => {
    const { ReportRunner } = await import('./report-runner.js');
    if (!deps.bucket) throw new Error('The reports function needs REPORTS_BUCKET');
    return new ReportRunner(repo, deps.lists, deps.directory, deps.bucket, deps.clock, deps.pageRows);
  };
  return { jobs: new ReportsService(repo, deps.directory, deps.bucket, deps.clock, runner) };
}
