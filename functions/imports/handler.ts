import middy from '@middy/core';
import { bookRepositories } from '../modules/book-wiring.js';
import type { ImportsModule } from '../modules/imports/index.js';
import { composeImports } from '../modules/money-wiring.js';
import type { TableChangeEvent } from '../shared/change-event.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

/**
 * The imports module's change-bus subscriber: each INSERT or MODIFY of an import job runs its next
 * rows within a time budget and checkpoints them, and that checkpoint's MODIFY runs the rows after.
 * A thrown error makes the bus retry the event; rows whose results were stored are not run again.
 * Built over a given imports module so a test can shrink a run.
 */
export function importsHandler(imports: Pick<ImportsModule, 'jobs'>) {
  return middy(async (event: TableChangeEvent) => {
    const result = await imports.jobs.onChange(event.detail);
    if (result.imported > 0 || !result.checkpointed) {
      logger.info('import job run', { eventID: event.detail.eventID, ...result });
    }
    return result;
  }).use(observability('imports'));
}

const runtime = getRuntime();
export const handler = importsHandler(
  composeImports(runtime.db, runtime.clock, bookRepositories(runtime.db)),
);
