import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import type { TasksModule } from '../modules/tasks/index.js';
import { composeTasks } from '../modules/tasks-wiring.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

/**
 * The daily renewals schedule: one RENEWAL task per policy term ending within each tenant's window,
 * then the pool rule (clients whose owner misses contacts, or nobody reached, go to the pool) and the
 * interval follow-ups (a client past its usual policy interval gets a call). It runs as of the event's time, so the local stack can run it as of another day.
 */
export function renewalsHandler(tasks: TasksModule) {
  return middy(async (event: ScheduledEvent) => {
    const at = new Date(event.time);
    const result = await tasks.renewals.run(at);
    logger.info('renewals', { ...result });
    const pool = await tasks.pool.run(at);
    logger.info('pool rule', { ...pool });
    const intervals = await tasks.intervals.run(at);
    logger.info('interval follow-ups', { ...intervals });
    return { ...result, pool, intervals };
  }).use(observability('renewals'));
}

const runtime = getRuntime();
export const handler = renewalsHandler(composeTasks(runtime.db, runtime.clock));
