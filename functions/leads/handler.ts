import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { composeLeads } from '../modules/leads-wiring.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { problemResponse } from '../shared/problem.js';
import { getRuntime } from '../shared/runtime.js';

const runtime = getRuntime();
const leads = composeLeads(runtime.db, runtime.clock);

/**
 * POST (and the CORS preflight OPTIONS) /leads/{formId}: a public lead from a landing page or a
 * partner site. The intake service decides everything; this unwraps the request and turns anything
 * unexpected into a 500 problem, logged without the body (it holds personal data).
 */
export const handler = middy(
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const formId = event.pathParameters?.formId ?? '';
    const raw = event.body ?? '';
    try {
      return await leads.intake.receive({
        method: event.requestContext.http.method.toUpperCase(),
        formId,
        origin: event.headers.origin ?? null,
        sourceAddress: event.requestContext.http.sourceIp,
        body: event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw,
      });
    } catch (error) {
      logger.error('lead intake failed', { formId, error: error as Error });
      return problemResponse({
        type: 'https://broker-crm.dev/problems/internal',
        title: 'The lead could not be filed; retry it',
        status: 500,
        code: 'INTERNAL_SERVER_ERROR',
      });
    }
  },
).use(observability('leads'));
