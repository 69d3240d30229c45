import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { bookRepositories } from '../modules/book-wiring.js';
import type { InvoicesModule } from '../modules/invoices/index.js';
import { composeInvoices } from '../modules/money-wiring.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

/**
 * The daily overdue sweep: writes each due invoice's age, which drives escalation through the bus.
 * Built over a given invoices module so a test can run simulated days with its own clock.
 */
export function overdueHandler(invoices: Pick<InvoicesModule, 'dunning'>) {
  return middy(async (_event: ScheduledEvent) => {
    const result = await invoices.dunning.sweepOverdue();
    logger.info('overdue sweep', { ...result });
    return result;
  }).use(observability('overdue'));
}

const runtime = getRuntime();
export const handler = overdueHandler(
  composeInvoices(runtime.db, runtime.clock, bookRepositories(runtime.db), null),
);
