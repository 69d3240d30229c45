import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_AWS } from '../../../infra/local/dynamodb.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, LocalTokenIssuer } from '../../../infra/local/token-issuer.js';
import { createTenant, createTestApp } from '../../support/app.js';
import { LIST_PAGE_QUERIES } from '../../unit/graphql/list-queries.js';

/**
 * The per-tenant rate limit through the graphql Lambda handler itself (its own runtime, env and
 * buckets), against DynamoDB Local: a tenant past its burst gets HTTP 429 RATE_LIMITED with
 * Retry-After while another tenant on the same instance is still served, and a heavy query spends
 * more of the burst than `{ health }`. The limit is injected small through the environment: 4 tokens,
 * refilling one per 100 s, so nothing refills while the test runs.
 */
type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const app = createTestApp();
let handler: Handler;
let issuer: LocalTokenIssuer;

beforeAll(async () => {
  issuer = await LocalTokenIssuer.create();
  Object.assign(process.env, {
    TABLE_NAME: inject('tableName'),
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
    AWS_ACCESS_KEY_ID: LOCAL_AWS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.secretAccessKey,
    STAGE: 'local',
    AUTH_ISSUER: LOCAL_ISSUER,
    AUTH_AUDIENCE: LOCAL_AUDIENCE,
    AUTH_JWKS_JSON: JSON.stringify(issuer.jwks()),
    CURSOR_KEYS: 'rate-limit-test-cursor-secret-0123456789abcdef',
    API_TENANT_RATE_PER_SECOND: '0.01',
    API_TENANT_BURST: '4',
  });
  ({ handler } = (await import('../../../functions/graphql/handler.js')) as unknown as { handler: Handler });
}, 60_000);

async function post(token: string, query: string): Promise<APIGatewayProxyStructuredResultV2> {
  const event = {
    version: '2.0',
    routeKey: 'POST /graphql',
    rawPath: '/graphql',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requestContext: { http: { method: 'POST', path: '/graphql' }, requestId: 'r' },
    body: JSON.stringify({ query }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
  const context = { functionName: 'graphql', awsRequestId: 'r', getRemainingTimeInMillis: () => 10_000 };
  return handler(event, context as unknown as Context);
}

const bodyOf = (r: APIGatewayProxyStructuredResultV2) =>
  JSON.parse(String(r.body)) as { data?: unknown; errors?: Array<{ extensions: Record<string, unknown> }> };

describe('per-tenant rate limit on /graphql', () => {
  it('refuses a tenant past its burst with 429 RATE_LIMITED and Retry-After, while another tenant is served', async () => {
    const [a, b] = await Promise.all([
      createTenant(app, 'Busy Brokerage'),
      createTenant(app, 'Quiet Brokerage'),
    ]);
    const [tokenA, tokenB] = await Promise.all([issuer.sign(a.admin, '10m'), issuer.sign(b.admin, '10m')]);

    // A 100-row clients page is estimated at ~2,500 (operation-cost.ts): 3 of tenant A's 4 tokens.
    const page = await post(tokenA, LIST_PAGE_QUERIES.clients ?? '');
    expect(page.statusCode, String(page.body)).toBe(200);
    expect(bodyOf(page).errors).toBeUndefined();
    expect((await post(tokenA, '{ health }')).statusCode).toBe(200);

    const refused = await post(tokenA, '{ health }');
    expect(refused.statusCode).toBe(429);
    // Empty at 0.01 tokens/s: one token is ~100 s away (less what refilled while the test ran).
    const retryAfter = Number(refused.headers?.['retry-after']);
    expect(retryAfter).toBeGreaterThan(80);
    expect(retryAfter).toBeLessThanOrEqual(100);
    expect(bodyOf(refused).errors?.[0]?.extensions).toEqual({
      code: 'RATE_LIMITED',
      retryAfterSeconds: retryAfter,
    });

    // Tenant B has its own whole burst on the same instance: four cheap requests, then its own refusal.
    const statusesB: number[] = [];
    for (let i = 0; i < 5; i++) statusesB.push((await post(tokenB, '{ health }')).statusCode ?? 0);
    expect(statusesB).toEqual([200, 200, 200, 200, 429]);
  });
});
