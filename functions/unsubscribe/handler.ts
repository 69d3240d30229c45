import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { unsubscribeKeysFrom } from '../modules/campaigns/index.js';
import { composeUnsubscribe } from '../modules/campaigns-wiring.js';
import { cursorKeysFromEnv } from '../shared/cursor-keys.js';
import { observability } from '../shared/observability.js';
import { getRuntime } from '../shared/runtime.js';

const runtime = getRuntime();
const unsubscribe = composeUnsubscribe(
  runtime.db,
  runtime.clock,
  unsubscribeKeysFrom(cursorKeysFromEnv(runtime.env, () => new SecretsManagerClient({}))),
);

/**
 * GET /unsubscribe/{token}: the link in every campaign e-mail. Public (the signed token is the
 * credential); answers a small HTML page that is never cached, so a repeat reaches the service.
 */
export const handler = middy(
  async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const response = await unsubscribe.unsubscribe(event.pathParameters?.token ?? '');
    return {
      statusCode: response.statusCode,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      body: response.html,
    };
  },
).use(observability('unsubscribe'));
