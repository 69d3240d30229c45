import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { DispatchRepository } from './dispatch.repository.js';
import type { ReportDirectory, ReportLists, ReportMailChannel, ReportSchedule } from './ports.js';
import type { EnumGroup } from './report-enum-messages.js';
import type { ReportBucket } from './report-runner.js';
import { ReportsRepository } from './reports.repository.js';
import { ReportsService } from './reports.service.js';
import { ScheduledReports } from './scheduled-reports.js';

/**
 * The reports module's public entry: its composition and what other modules, entry points and tests
 * may use. Everything else in this folder is internal.
 */
export type {
  NameDirectory,
  ReportCampaignFunnel,
  ReportDirectory,
  ReportLists,
  ReportMailChannel,
  ReportSchedule,
  ScheduledReportUser,
} from './ports.js';
export type { EnumGroup } from './report-enum-messages.js';
export type { ReportBucket, ReportRunResult } from './report-runner.js';
export { REPORT_RETENTION_DAYS, type ReportJob } from './reports.model.js';
export type { ReportLink } from './reports.service.js';
export type { ScheduledReports, ScheduledRunResult } from './scheduled-reports.js';

/** The reports module's services. */
export interface ReportsModule {
  /** Report jobs: requested and read through GraphQL, built by the reports function. */
  jobs: ReportsService;
}

/**
 * Builds the reports module. The runner (builders, renderers, message catalogs) is imported on the
 * first run only, so the GraphQL function, which only requests and reads jobs, does not carry it.
 */
export function createReportsModule(deps: ReportsDeps): ReportsModule {
  const repo = new ReportsRepository(deps.db);
  return { jobs: new ReportsService(repo, deps.directory, deps.bucket, deps.clock, runnerOf(repo, deps)) };
}

/** What the reports module is built from. */
export interface ReportsDeps {
  db: Db;
  clock: Clock;
  lists: ReportLists;
  directory: ReportDirectory;
  bucket: ReportBucket | null;
  /** Rows per page read from a list (tests shrink it to see progress move). */
  pageRows?: number;
}

function runnerOf(repo: ReportsRepository, deps: ReportsDeps) {
  return async () => {
    const { ReportRunner } = await import('./report-runner.js');
    if (!deps.bucket) throw new Error('The reports function needs REPORTS_BUCKET');
    return new ReportRunner(repo, deps.lists, deps.directory, deps.bucket, deps.clock, deps.pageRows);
  };
}

/**
 * Scheduled reports (statements on a month's approval, monthly reports), for the statements
 * schedule: the reports module with the tenants, users and approved months it mails, and a mailer.
 */
export function createScheduledReports(
  deps: ReportsDeps & { schedule: ReportSchedule; mail: ReportMailChannel },
): ScheduledReports {
  const repo = new ReportsRepository(deps.db);
  const runner = runnerOf(repo, deps);
  const jobs = new ReportsService(repo, deps.directory, deps.bucket, deps.clock, runner);
  return new ScheduledReports(
    deps.schedule,
    deps.directory,
    repo,
    new DispatchRepository(deps.db),
    runner,
    (job) => jobs.link(job),
    deps.mail,
    deps.clock,
  );
}

/**
 * An enum value as every document prints it, in one of the six languages (`ACTIVE` → "Aktivní"),
 * for other modules' documents; a language outside the six falls back to English.
 */
export async function documentEnumText(
  language: string,
  group: EnumGroup,
  value: string | null | undefined,
): Promise<string | null> {
  const { enumText, translator } = await import('./report-messages.js');
  const { REPORT_LANGUAGES } = await import('./reports.model.js');
  const known = (REPORT_LANGUAGES as readonly string[]).includes(language) ? language : 'en';
  return enumText(translator(known as (typeof REPORT_LANGUAGES)[number]), group, value);
}
