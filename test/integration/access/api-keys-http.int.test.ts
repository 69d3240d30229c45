import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.js';

/**
 * A machine client on the local stack, over HTTP through the adapter into the GraphQL function: an
 * admin creates a key with a bearer token, the client calls `/graphql` with `x-api-key` alone, is
 * limited per minute (HTTP 429 with Retry-After), and is turned away once the key is revoked.
 */
describe('API keys on /graphql', () => {
  let stack: LocalStack;
  let adminToken: string;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, dataDir: null, seed: true, log: () => undefined });
    adminToken = stack.dev.tokens['demo-brokerage']?.admin ?? '';
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const post = (headers: Record<string, string>, query: string, variables?: Record<string, unknown>) =>
    fetch(stack.dev.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });

  async function createKey(rateLimitPerMinute: number): Promise<{ key: string; id: string }> {
    const response = await post(
      { authorization: `Bearer ${adminToken}` },
      'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }',
      {
        i: {
          name: 'Portal backend',
          role: 'BACKOFFICE',
          expiresAt: '2027-12-31T00:00:00Z',
          rateLimitPerMinute,
        },
      },
    );
    const body = (await response.json()) as {
      data: { createApiKey: { key: string; apiKey: { id: string } } };
    };
    return { key: body.data.createApiKey.key, id: body.data.createApiKey.apiKey.id };
  }

  it('authenticates with x-api-key alone, as the key in its tenant and role', async () => {
    const { key, id } = await createKey(100);
    const response = await post({ 'x-api-key': key }, '{ me { userId tenantId role scope } }');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      data: { me: { userId: `apikey:${id}`, tenantId: 'demo-brokerage', role: 'BACKOFFICE', scope: 'ALL' } },
    });
    const listed = await post({ 'x-api-key': key }, '{ clients(first: 1) { edges { node { id } } } }');
    expect(
      ((await listed.json()) as { data: { clients: { edges: unknown[] } } }).data.clients.edges,
    ).toHaveLength(1);
  });

  it('answers 429 with Retry-After once the per-minute limit is spent', async () => {
    const { key } = await createKey(2);
    // Six requests span at most two fixed windows, so one window sees a third request.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const response = await post({ 'x-api-key': key }, '{ health }');
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
        expect(body.errors[0]?.extensions.code).toBe('RATE_LIMITED');
      } else await response.body?.cancel();
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(4);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  });

  it('answers 401 once the key is revoked, and for a forged key', async () => {
    const { key, id } = await createKey(100);
    expect((await post({ 'x-api-key': key }, '{ health }')).status).toBe(200);
    const revoked = await post(
      { authorization: `Bearer ${adminToken}` },
      'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { status } }',
      { i: { id } },
    );
    expect(await revoked.json()).toEqual({ data: { revokeApiKey: { status: 'REVOKED' } } });
    const refused = await post({ 'x-api-key': key }, '{ health }');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(
      ((await refused.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions
        .code,
    ).toBe('UNAUTHENTICATED');
    expect((await post({ 'x-api-key': `${key.slice(0, -4)}AAAA` }, '{ health }')).status).toBe(401);
  });
});
