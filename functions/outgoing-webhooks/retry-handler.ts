import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';
import { outgoingWebhooks } from './compose.js';

/** Every minute: sends the outgoing webhook deliveries whose retry is due, in every tenant. */
export function outgoingWebhookRetriesHandler(service: ReturnType<typeof outgoingWebhooks>) {
  return middy(async (_event: ScheduledEvent) => {
    const result = await service.retryDue();
    if (result.attempted > 0) logger.info('outgoing webhook retries', { ...result });
    return result;
  }).use(observability('outgoing-webhook-retries'));
}

export const handler = outgoingWebhookRetriesHandler(outgoingWebhooks(getRuntime()));
