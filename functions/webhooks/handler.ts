import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { problemResponse } from '../shared/problem.js';

/**
 * POST /webhooks/insurers/{insurerId}. Signed policy ingestion is the subject of the webhooks issue;
 * until it lands, the route exists on both hosts and answers 501 with problem details, so insurers'
 * integration tests get a clear, typed answer rather than a 404.
 */
export const handler = middy(
  async (_event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> =>
    problemResponse({
      type: 'https://broker-crm.dev/problems/not-implemented',
      title: 'Webhook ingestion is not available yet',
      status: 501,
      code: 'NOT_IMPLEMENTED',
    }),
);
