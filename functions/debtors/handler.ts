import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createServices, type Services } from '../modules/services.js';
import type { TableChangeEvent } from '../shared/change-event.js';
import { invoiceAdapters } from '../shared/invoice-adapters.js';
import { logger } from '../shared/logger.js';
import { getRuntime } from '../shared/runtime.js';

/**
 * The debtors consumer: a change-bus subscriber for invoice writes. A thrown error makes the bus
 * retry the event; a step recorded but not yet sent is finished by that retry, never repeated.
 * Built over given services so a test can host it with a simulated clock.
 */
export function debtorsHandler(services: Services) {
  return middy(async (event: TableChangeEvent) => {
    const result = await services.debtors.onChange(event.detail);
    if (result.taken.length > 0 || result.waiting) {
      logger.info('dunning', { eventID: event.detail.eventID, ...result });
    }
    return result;
  }).use(injectLambdaContext(logger));
}

const runtime = getRuntime();
export const handler = debtorsHandler(
  createServices(runtime.db, runtime.clock, { invoices: invoiceAdapters(runtime) }),
);
