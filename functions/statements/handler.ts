import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import type { ScheduledReports } from '../modules/reports/index.js';
import { composeScheduledReports } from '../modules/reports-wiring.js';
import { logger } from '../shared/logger.js';
import { SesMailer } from '../shared/mailer.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

/**
 * The statements schedule (hourly): statements to everyone with lines in a newly approved commission
 * month, and last month's reports to managers and partners on the month's first run, each e-mailed
 * once as a signed link. It runs as of the event's time, so the local stack can run it as of another day.
 */
export function statementsHandler(reports: ScheduledReports) {
  return middy(async (event: ScheduledEvent) => {
    const result = await reports.run(new Date(event.time));
    logger.info('statements', { ...result });
    return result;
  }).use(observability('statements'));
}

const runtime = getRuntime();
const { MAIL_FROM, REPORTS_BUCKET } = runtime.env;
export const handler = statementsHandler(
  composeScheduledReports(
    runtime.db,
    runtime.clock,
    REPORTS_BUCKET ? { store: runtime.objects, bucket: REPORTS_BUCKET } : null,
    { mailer: new SesMailer(), mailFrom: MAIL_FROM ?? '' },
  ),
);
