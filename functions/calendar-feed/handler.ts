import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { TasksModule } from '../modules/tasks/index.js';
import { composeTasks } from '../modules/tasks-wiring.js';
import { observability } from '../shared/observability.js';
import { problemResponse } from '../shared/problem.js';
import { getRuntime } from '../shared/runtime.js';

/**
 * GET /calendar/{token}.ics: a user's tasks as an iCalendar feed for Google or Outlook to poll. The
 * token is the only credential; a malformed, revoked or replaced one answers the same 404 problem,
 * so a caller learns nothing about which tokens exist.
 */
export function calendarFeedHandler(tasks: TasksModule) {
  return middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const body = await tasks.feeds.render(event.pathParameters?.token ?? '');
    if (body === null) {
      return problemResponse({
        type: 'https://broker-crm.dev/problems/not-found',
        title: 'No calendar feed has this address',
        status: 404,
        code: 'NOT_FOUND',
      });
    }
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': 'private, max-age=300' },
      body,
    };
  }).use(observability('calendar-feed'));
}

const runtime = getRuntime();
export const handler = calendarFeedHandler(composeTasks(runtime.db, runtime.clock));
