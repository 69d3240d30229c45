import { type ItemKey, seg, tenantPrefix } from './key-segments.js';

/**
 * Key builders of the jobs that run off the request path (imports, report jobs), spread into `keys`
 * by table-design.ts: the code asks `keys`, never this file.
 */
export const jobKeys = {
  // ---- import jobs (long imports run off the request path) -------------------------------------
  /** An import job; its file's rows (in chunks) and its per-row results share its collection. */
  importJob: (tenantId: string, jobId: string): ItemKey => ({
    pk: jobKeys.importJobCollection(tenantId, jobId),
    sk: 'IMPORT_JOB',
  }),
  importJobCollection: (tenantId: string, jobId: string) =>
    `${tenantPrefix(tenantId)}#IMPORT_JOB#${seg(jobId)}`,
  importJobIndexes: (tenantId: string, job: { id: string; createdAt: string }): Record<string, string> => ({
    gsi1pk: jobKeys.importJobs(tenantId),
    gsi1sk: `${job.createdAt}#${job.id}`,
  }),
  importJobs: (tenantId: string) => `${tenantPrefix(tenantId)}#IMPORT_JOBS`,
  /** Rows of the file from row index `start` on (0-based), sorted so a row's chunk is one Query. */
  importJobChunk: (tenantId: string, jobId: string, start: number): ItemKey => ({
    pk: jobKeys.importJobCollection(tenantId, jobId),
    sk: `${jobKeys.importJobChunkPrefix}${String(start).padStart(6, '0')}`,
  }),
  importJobChunkPrefix: 'CHUNK#',
  /** The result of one row (0-based index), in file order. */
  importJobRow: (tenantId: string, jobId: string, index: number): ItemKey => ({
    pk: jobKeys.importJobCollection(tenantId, jobId),
    sk: `${jobKeys.importJobRowPrefix}${String(index).padStart(6, '0')}`,
  }),
  importJobRowPrefix: 'ROW#',
  // ---- report jobs (reports built off the request path) ----------------------------------------
  reportJob: (tenantId: string, jobId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#REPORT_JOB#${seg(jobId)}`,
    sk: 'REPORT_JOB',
  }),
  /** A requester's report jobs, newest first. */
  reportJobIndexes: (
    tenantId: string,
    job: { id: string; createdBy: string; createdAt: string },
  ): Record<string, string> => ({
    gsi1pk: jobKeys.reportJobsOf(tenantId, job.createdBy),
    gsi1sk: `${job.createdAt}#${job.id}`,
  }),
  reportJobsOf: (tenantId: string, userId: string) => `${tenantPrefix(tenantId)}#OWNER#${seg(userId)}#REPORT`,
  /** A scheduled report's e-mail to one recipient (or a run's done mark): written before the send, so it goes out once. */
  reportDispatch: (tenantId: string, dispatchId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#REPORT_DISPATCH#${seg(dispatchId)}`,
    sk: 'REPORT_DISPATCH',
  }),
} as const;
