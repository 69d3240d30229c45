import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.js';
import { issuedEvent, signedHeaders } from './webhook-support.js';

/**
 * An insurer's delivery as `npm start` serves it: signed with the seeded insurer's secret from
 * `.local/dev.json` (here `stack.dev`), POSTed over HTTP through the adapter into the webhook
 * function, the policy read back through GraphQL, and its commissions made by the stream consumer.
 */
describe('insurer webhooks on the local stack', () => {
  let stack: LocalStack;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    // Two deliveries a minute per insurer on this stack (it keeps a variable set before it starts):
    // the tests below send at most one new delivery per insurer, except the rate-limit test.
    process.env.WEBHOOK_INSURER_DELIVERIES_PER_MINUTE = '2';
    stack = await startLocalStack({ port: 0, dataDir: null, seed: true, log: () => undefined });
    tokens = stack.dev.tokens['demo-brokerage'] ?? {};
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    delete process.env.WEBHOOK_INSURER_DELIVERIES_PER_MINUTE;
  });

  async function gql<T>(
    token: string | undefined,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<T> {
    const response = await fetch(stack.dev.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }

  it('writes a policy from a signed delivery that GraphQL shows and commissions follow by the stream, and answers a repeat the same', async () => {
    const insurer = stack.dev.insurers.find((i) => i.tenant === 'demo-brokerage' && i.name === 'Kooperativa');
    if (!insurer) throw new Error('no seeded insurer');
    const event = issuedEvent();
    const body = JSON.stringify(event);
    const post = () =>
      fetch(insurer.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...signedHeaders(insurer.secret, body, { id: 'msg_e2e' }),
        },
        body,
      });

    const response = await post();
    expect(response.status).toBe(200);
    const report = (await response.json()) as { accepted: number; events: Array<{ policyId: string }> };
    expect(report.accepted).toBe(1);
    const policyId = report.events[0]?.policyId;

    const { policy } = await gql<{
      policy: { policyNumber: string; source: string; client: { status: string } };
    }>(tokens.admin, 'query($id: ID!) { policy(id: $id) { policyNumber source client { status } } }', {
      id: policyId,
    });
    expect(policy).toEqual({
      policyNumber: event.data.policyNumber,
      source: 'WEBHOOK',
      client: { status: 'ACTIVE' },
    });

    await stack.changes.idle();
    const { commissionLines } = await gql<{
      commissionLines: { edges: Array<{ node: { ledger: string; amount: { amount: string } } }> };
    }>(
      tokens.manager,
      'query($f: CommissionLineFilter) { commissionLines(filter: $f, first: 10) { edges { node { ledger amount { amount } } } } }',
      { f: { policyId } },
    );
    // The seed's demo scheme applies: the insurer owes the brokerage, the advisor earns a share.
    const ledgers = commissionLines.edges.map((e) => e.node);
    expect(ledgers.map((l) => l.ledger)).toEqual(expect.arrayContaining(['RECEIVABLE', 'ADVISOR']));
    expect(
      ledgers.filter((l) => l.amount.amount.startsWith('-') || /^0+(\.0+)?$/.test(l.amount.amount)),
    ).toEqual([]);

    const repeat = await post();
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toEqual(report);

    // The admin replays it from the S3 archive through GraphQL: nothing is applied twice.
    const { reprocessWebhookDelivery } = await gql<{
      reprocessWebhookDelivery: { accepted: number; duplicates: number };
    }>(
      tokens.admin,
      'mutation($i: ID!, $w: String!) { reprocessWebhookDelivery(insurerId: $i, webhookId: $w) { accepted duplicates } }',
      { i: insurer.id, w: 'msg_e2e' },
    );
    expect(reprocessWebhookDelivery).toEqual({ accepted: 0, duplicates: 1 });
    expect(stack.changes.failures()).toEqual([]);
  });

  it('answers a delivery past its insurer’s rate with 429 problem details and Retry-After through the handler, and lists nothing of it', async () => {
    const insurer = stack.dev.insurers.find((i) => i.tenant !== 'demo-brokerage');
    if (!insurer) throw new Error('no seeded insurer of the other brokerage');
    const send = (id: string) => {
      const body = JSON.stringify(issuedEvent());
      return fetch(insurer.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders(insurer.secret, body, { id }) },
        body,
      });
    };
    const statuses = [(await send('msg_rl_1')).status, (await send('msg_rl_2')).status];
    expect(statuses.every((s) => s !== 429)).toBe(true);

    const refused = await send('msg_rl_3');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(await refused.json()).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      retryAfterSeconds: retryAfter,
    });

    const { webhookDeliveries } = await gql<{
      webhookDeliveries: { edges: Array<{ node: { webhookId: string } }> };
    }>(
      stack.dev.tokens[insurer.tenant]?.admin,
      'query($i: ID!) { webhookDeliveries(insurerId: $i) { edges { node { webhookId } } } }',
      { i: insurer.id },
    );
    expect(webhookDeliveries.edges.map((e) => e.node.webhookId).sort()).toEqual(['msg_rl_1', 'msg_rl_2']);
  });

  it('refuses a tampered delivery with 401 problem details', async () => {
    const insurer = stack.dev.insurers[0];
    if (!insurer) throw new Error('no seeded insurer');
    const body = JSON.stringify(issuedEvent());
    const response = await fetch(insurer.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders(insurer.secret, body) },
      body: body.replace('4860.00', '1.00'),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});
