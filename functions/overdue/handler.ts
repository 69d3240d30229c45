import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { createServices, type Services } from '../modules/services.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

/**
 * The daily overdue sweep: writes each due invoice's age, which drives escalation through the bus.
 * Built over given services so a test can run simulated days with its own clock.
 */
export function overdueHandler(services: Services) {
  return middy(async (_event: ScheduledEvent) => {
    const result = await services.invoices.dunning.sweepOverdue();
    logger.info('overdue sweep', { ...result });
    return result;
  }).use(observability('overdue'));
}

const runtime = getRuntime();
export const handler = overdueHandler(createServices(runtime.db, runtime.clock));
