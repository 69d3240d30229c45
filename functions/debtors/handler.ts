import middy from '@middy/core';
import { bookRepositories } from '../modules/book-wiring.js';
import type { InvoicesModule } from '../modules/invoices/index.js';
import { composeInvoices } from '../modules/money-wiring.js';
import { composeTasks, dunningFollowUps } from '../modules/tasks-wiring.js';
import type { TableChangeEvent } from '../shared/change-event.js';
import { invoiceAdapters } from '../shared/invoice-adapters.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';
import { EntityType } from '../shared/table-design.js';

/**
 * The invoices module's change-bus subscriber: invoice writes drive dunning, and premium payments
 * an insurer reported are applied to the policy's invoices. A thrown error makes the bus retry the
 * event; a step recorded but not yet sent is finished by that retry, never repeated, and a payment
 * already applied is recognised by its id. Built over a given invoices module so a test can inject a clock.
 */
export function debtorsHandler(invoices: Pick<InvoicesModule, 'payments' | 'dunning'>) {
  return middy(async (event: TableChangeEvent) => {
    if (event.detail.entityType === EntityType.InsurerPremiumPayment) {
      const settled = await invoices.payments.onInsurerPayment(event.detail);
      logger.info('insurer payment', { eventID: event.detail.eventID, ...settled });
      return settled;
    }
    const result = await invoices.dunning.onChange(event.detail);
    if (result.taken.length > 0 || result.waiting) {
      logger.info('dunning', { eventID: event.detail.eventID, ...result });
    }
    return result;
  }).use(observability('debtors'));
}

const runtime = getRuntime();
export const handler = debtorsHandler(
  composeInvoices(
    runtime.db,
    runtime.clock,
    bookRepositories(runtime.db),
    invoiceAdapters(runtime),
    dunningFollowUps(composeTasks(runtime.db, runtime.clock)),
  ),
);
