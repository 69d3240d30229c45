import middy from '@middy/core';
import { createServices } from '../modules/services.js';
import type { TableChangeEvent } from '../shared/change-event.js';
import { invoiceAdapters } from '../shared/invoice-adapters.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

const runtime = getRuntime();
const services = createServices(runtime.db, runtime.clock, { invoices: invoiceAdapters(runtime) });

/**
 * The debtors consumer: a change-bus subscriber for invoice writes. A thrown error makes the bus
 * retry the event; a step recorded but not yet sent is finished by that retry, never repeated.
 */
export const handler = middy(async (event: TableChangeEvent) => {
  const result = await services.debtors.onChange(event.detail);
  if (result.taken.length > 0 || result.waiting) {
    logger.info('dunning', { eventID: event.detail.eventID, ...result });
  }
  return result;
}).use(observability('debtors'));
