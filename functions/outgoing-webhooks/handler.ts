import middy from '@middy/core';
import type { TableChangeEvent } from '../shared/change-event.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';
import { outgoingWebhooks } from './compose.js';

/**
 * The outgoing webhooks' change-bus subscriber: a change that means an event becomes one signed
 * delivery per subscribed endpoint, tried at once. A failed attempt is not an error of this
 * function (the retry schedule owns it); a thrown error (the table) makes the bus retry the event,
 * and delivery ids derived from the change make that retry create nothing twice.
 */
export function outgoingWebhooksHandler(service: ReturnType<typeof outgoingWebhooks>) {
  return middy(async (event: TableChangeEvent) => {
    const result = await service.onChange(event.detail);
    if (result.deliveries > 0) logger.info('outgoing webhooks', { eventID: event.detail.eventID, ...result });
    return result;
  }).use(observability('outgoing-webhooks'));
}

export const handler = outgoingWebhooksHandler(outgoingWebhooks(getRuntime()));
