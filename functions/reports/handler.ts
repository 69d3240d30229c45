import middy from '@middy/core';
import type { ReportsModule } from '../modules/reports/index.js';
import { composeReports } from '../modules/reports-wiring.js';
import type { TableChangeEvent } from '../shared/change-event.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

/**
 * The reports module's change-bus subscriber: a report job's INSERT builds the report into the
 * reports bucket, moving the job's progress as it reads. A thrown error makes the bus retry the
 * event; the rerun writes the same object key, and a run that loses a version check stops.
 */
export function reportsHandler(reports: ReportsModule) {
  return middy(async (event: TableChangeEvent) => {
    const result = await reports.jobs.onChange(event.detail);
    logger.info('report job run', { eventID: event.detail.eventID, ...result });
    return result;
  }).use(observability('reports'));
}

const runtime = getRuntime();
const bucket = runtime.env.REPORTS_BUCKET;
export const handler = reportsHandler(
  composeReports(runtime.db, runtime.clock, bucket ? { store: runtime.objects, bucket } : null),
);
