import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import type { TasksModule } from '../modules/tasks/index.js';
import { composeTasks } from '../modules/tasks-wiring.js';
import { logger } from '../shared/logger.js';
import { SesMailer } from '../shared/mailer.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';
import { createSmsSender } from '../shared/sms.js';

/**
 * The reminders schedule (every 5 minutes): due-soon e-mails, the morning digest and meeting SMS,
 * each sent once, then the late-checkpoint alerts to managers. It runs as of the event's time, so the local stack can run it as of another instant.
 */
export function remindersHandler(tasks: TasksModule) {
  return middy(async (event: ScheduledEvent) => {
    const at = new Date(event.time);
    const result = await tasks.reminders.run(at);
    if (result.sent > 0 || result.failed > 0) logger.info('reminders', { ...result });
    const alerts = await tasks.alerts.run(at);
    if (alerts.raised > 0 || alerts.failed > 0) logger.info('alerts', { ...alerts });
    return { ...result, alerts };
  }).use(observability('reminders'));
}

const runtime = getRuntime();
const { MAIL_FROM, SMS_SINK_URL } = runtime.env;
export const handler = remindersHandler(
  composeTasks(
    runtime.db,
    runtime.clock,
    MAIL_FROM ? { mailer: new SesMailer(), mailFrom: MAIL_FROM, sms: createSmsSender(SMS_SINK_URL) } : null,
  ),
);
