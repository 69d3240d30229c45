import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../functions/shared/clock.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { policyChange } from '../commissions/commission-fixtures.js';

/**
 * Outgoing webhooks end to end over DynamoDB Local and real HTTP on loopback: a change becomes a
 * delivery signed the Standard Webhooks way, which a receiver verifies with the reference library;
 * a 500 is retried by the schedule after its backoff, a delivery is replayed, and an endpoint that
 * keeps failing is disabled.
 */
/** Real time (whole seconds): receivers refuse a signature timestamp more than 5 minutes off. */
const base = Math.floor(Date.now() / 1000) * 1000;
const at = (seconds: number) => new Date(base + seconds * 1000);
const clock = new FixedClock(at(0));
const app = createTestApp(clock);
let b: Brokerage;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on loopback that answers the given statuses in turn (the last one from then on). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, server };
}

const servers: Server[] = [];

async function endpointFor(url: string): Promise<{ id: string; secret: string }> {
  const result = await app.exec<{ createWebhookEndpoint: { endpoint: { id: string }; secret: string } }>(
    b.admin,
    'mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } secret } }',
    { i: { url, eventTypes: ['POLICY_ISSUED'], description: 'Partner portal backend' } },
  );
  expect(result.errors).toBeUndefined();
  const created = result.data?.createWebhookEndpoint;
  if (!created) throw new Error('no endpoint');
  return { id: created.endpoint.id, secret: created.secret };
}

/** A policy written through GraphQL, and its INSERT as the change bus delivers it. */
async function issuedPolicyChange() {
  const client = await app.services.clients.records.createClient(b.as.advisor, personInput());
  const written = await app.exec<{ writePolicy: { id: string } }>(
    b.as.advisor,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    { i: mtplInput(b, client.id) },
  );
  const policyId = written.data?.writePolicy.id ?? '';
  const policy = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, client.id, policyId);
  if (!policy) throw new Error('policy not found');
  return { change: policyChange(b.tenantId, policy), policyId, clientId: client.id };
}

const DELIVERIES = `query($e: ID!) { webhookEndpointDeliveries(endpointId: $e, first: 10) { edges { node {
  id status eventType nextAttemptAt deliveredAt attempts { statusCode latencyMs error replay } } } } }`;

interface DeliveryNode {
  id: string;
  status: string;
  eventType: string;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  attempts: Array<{ statusCode: number | null; latencyMs: number; error: string | null; replay: boolean }>;
}

async function deliveries(endpointId: string): Promise<DeliveryNode[]> {
  const result = await app.exec<{ webhookEndpointDeliveries: { edges: Array<{ node: DeliveryNode }> } }>(
    b.admin,
    DELIVERIES,
    { e: endpointId },
  );
  expect(result.errors).toBeUndefined();
  return result.data?.webhookEndpointDeliveries.edges.map((e) => e.node) ?? [];
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Outgoing Webhooks Brokerage');
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('outgoing webhooks', () => {
  it('signs a delivery the receiver verifies, retries it after a 500 and replays it with the same id', async () => {
    const hook = await receiver([500, 200]);
    servers.push(hook.server);
    const endpoint = await endpointFor(hook.url);
    const { change, policyId, clientId } = await issuedPolicyChange();

    await expect(app.services.outgoingWebhooks.onChange(change)).resolves.toEqual({ deliveries: 1 });
    const verifier = new Webhook(endpoint.secret);
    const first = hook.received[0];
    if (!first) throw new Error('nothing received');
    const payload = verifier.verify(first.body, first.headers as Record<string, string>) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(payload.type).toBe('policy.issued');
    expect(payload.data).toMatchObject({ policyId, clientId, productLineCode: 'MTPL', status: 'ACTIVE' });
    expect(first.body).not.toMatch(/12000|MT-/);
    let [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({ status: 'PENDING', nextAttemptAt: at(30).toISOString() });
    expect(delivery?.attempts).toEqual([
      { statusCode: 500, latencyMs: expect.any(Number), error: 'HTTP 500', replay: false },
    ]);

    // Not due yet: nothing is sent. After the 30 s backoff the schedule sends it again.
    await app.services.outgoingWebhooks.retryDue();
    expect(hook.received).toHaveLength(1);
    clock.set(at(31));
    await app.services.outgoingWebhooks.retryDue();
    expect(hook.received).toHaveLength(2);
    [delivery] = await deliveries(endpoint.id);
    expect(delivery).toMatchObject({
      status: 'DELIVERED',
      nextAttemptAt: null,
      deliveredAt: at(31).toISOString(),
    });
    expect(delivery?.attempts.map((a) => a.statusCode)).toEqual([500, 200]);

    // The bus delivering the same change again sends nothing new.
    await expect(app.services.outgoingWebhooks.onChange(change)).resolves.toEqual({ deliveries: 0 });

    const replayed = await app.exec<{ replayWebhookEndpointDelivery: DeliveryNode }>(
      b.admin,
      'mutation($i: ReplayWebhookEndpointDeliveryInput!) { replayWebhookEndpointDelivery(input: $i) { status attempts { statusCode replay } } }',
      { i: { endpointId: endpoint.id, deliveryId: delivery?.id } },
    );
    expect(replayed.data?.replayWebhookEndpointDelivery.attempts.at(-1)).toEqual({
      statusCode: 200,
      replay: true,
    });
    expect(hook.received).toHaveLength(3);
    const ids = hook.received.map((r) => r.headers['webhook-id']);
    expect(new Set(ids)).toEqual(new Set([delivery?.id]));
    for (const r of hook.received)
      expect(() => verifier.verify(r.body, r.headers as Record<string, string>)).not.toThrow();
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32).toString('base64')}`).verify(
        first.body,
        first.headers as Record<string, string>,
      ),
    ).toThrow();
  });

  it('disables an endpoint whose attempts fail ten times in a row, and stops retrying its delivery', async () => {
    clock.set(at(60));
    const hook = await receiver([503]);
    servers.push(hook.server);
    const endpoint = await endpointFor(hook.url);
    const { change } = await issuedPolicyChange();
    await app.services.outgoingWebhooks.onChange(change);
    for (let i = 0; i < 12; i++) {
      clock.set(new Date(clock.now().getTime() + 2 * 3_600_000));
      await app.services.outgoingWebhooks.retryDue();
    }
    expect(hook.received).toHaveLength(10);
    const listed = await app.exec<{
      webhookEndpoints: {
        edges: Array<{ node: { id: string; active: boolean; disabledReason: string | null } }>;
      };
    }>(
      b.admin,
      '{ webhookEndpoints(first: 100) { edges { node { id active disabledReason consecutiveFailures } } } }',
    );
    expect(listed.data?.webhookEndpoints.edges.find((e) => e.node.id === endpoint.id)?.node).toEqual({
      id: endpoint.id,
      active: false,
      disabledReason: 'Disabled after 10 failed attempts in a row',
      consecutiveFailures: 10,
    });
    const [delivery] = await deliveries(endpoint.id);
    expect(delivery?.status).toBe('FAILED');
  });

  it('refuses endpoints to everyone but admins, plain http beyond localhost, and private or metadata addresses', async () => {
    const input = { url: 'https://example.test/hook', eventTypes: ['POLICY_CANCELLED'] };
    const CREATE =
      'mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret } }';
    expect(errorCode(await app.exec(b.as.manager, CREATE, { i: input }))).toBe('FORBIDDEN');
    const plain = await app.exec(b.admin, CREATE, { i: { ...input, url: 'http://example.test/hook' } });
    expect(plain.errors?.[0]?.extensions?.fieldErrors).toEqual([
      { path: 'input.url', message: 'must be an https URL (http only for localhost)' },
    ]);
    // SSRF guard: the cloud metadata service and private networks are refused as typed input errors.
    for (const url of ['https://169.254.169.254/latest/meta-data/', 'https://10.1.2.3/hook']) {
      const refused = await app.exec(b.admin, CREATE, { i: { ...input, url } });
      expect(errorCode(refused)).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.extensions?.fieldErrors).toEqual([
        { path: 'input.url', message: expect.stringMatching(/private, link-local or reserved address$/) },
      ]);
    }
  });
});
