import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { composeWebhooks } from '../modules/webhooks-wiring.js';
import { logger } from '../shared/logger.js';
import { observability } from '../shared/observability.js';
import { problemResponse } from '../shared/problem.js';
import { getRuntime } from '../shared/runtime.js';

const runtime = getRuntime();
const webhooks = composeWebhooks(runtime.db, runtime.clock, {
  archive: runtime.env.ARCHIVE_BUCKET ? { store: runtime.objects, bucket: runtime.env.ARCHIVE_BUCKET } : null,
  log: (message, fields) => logger.warn(message, fields),
  deliveryLimits: {
    tenantPerMinute: runtime.env.WEBHOOK_TENANT_DELIVERIES_PER_MINUTE,
    insurerPerMinute: runtime.env.WEBHOOK_INSURER_DELIVERIES_PER_MINUTE,
    maxKeys: runtime.env.RATE_LIMIT_MAX_KEYS,
  },
});

/**
 * POST /webhooks/insurers/{insurerId}: a signed delivery from an insurer (Standard Webhooks). The
 * service verifies, archives and applies it; this only unwraps the raw body, exactly as signed, and
 * turns anything unexpected into a 500 problem (logged without the body) so the insurer retries.
 */
export const handler = middy(
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const insurerId = event.pathParameters?.insurerId ?? '';
    const raw = event.body ?? '';
    const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    try {
      const response = await webhooks.deliveries.receive({
        insurerId,
        headers: event.headers,
        body,
      });
      return {
        statusCode: response.statusCode,
        headers: { ...response.headers, 'content-type': response.contentType },
        body: response.body,
      };
    } catch (error) {
      logger.error('webhook delivery failed', { insurerId, error: error as Error });
      return problemResponse({
        type: 'https://broker-crm.dev/problems/internal',
        title: 'The delivery could not be processed; retry it',
        status: 500,
        code: 'INTERNAL_SERVER_ERROR',
      });
    }
  },
).use(observability('webhooks'));
