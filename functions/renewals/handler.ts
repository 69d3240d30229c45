import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import type { TasksModule } from '../modules/tasks/index.js';
import { composeTasks } from '../modules/tasks-wiring.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

/**
 * The daily renewals schedule: one RENEWAL task per policy term ending within each tenant's window.
 * It runs as of the event's time, so the local stack can run it as of another day.
 */
export function renewalsHandler(tasks: TasksModule) {
  return middy(async (event: ScheduledEvent) => {
    const result = await tasks.renewals.run(new Date(event.time));
    logger.info('renewals', { ...result });
    return result;
  }).use(observability('renewals'));
}

const runtime = getRuntime();
export const handler = renewalsHandler(composeTasks(runtime.db, runtime.clock));
