import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import type { CrossSellService } from '../modules/cross-sell/index.js';
import { composeCrossSell } from '../modules/cross-sell-wiring.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

/** The daily cross-sell schedule: relearns each tenant's association rules from its own book. */
export function crossSellHandler(crossSell: CrossSellService) {
  return middy(async (_event: ScheduledEvent) => {
    const result = await crossSell.learnAll();
    logger.info('cross-sell', { ...result });
    return result;
  }).use(observability('cross-sell'));
}

const runtime = getRuntime();
export const handler = crossSellHandler(composeCrossSell(runtime.db, runtime.clock));
