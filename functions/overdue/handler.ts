import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { createServices } from '../modules/services.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

const runtime = getRuntime();
const services = createServices(runtime.db, runtime.clock);

/** The daily overdue sweep: writes each due invoice's age, which drives escalation through the bus. */
export const handler = middy(async (_event: ScheduledEvent) => {
  const result = await services.debtors.sweepOverdue();
  logger.info('overdue sweep', { ...result });
  return result;
}).use(observability('overdue'));
