import * as fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH } from '../../../functions/modules/webhooks/body-limits.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage } from '../../support/brokerage.js';
import { hostileString } from '../../support/schema-arbitraries.js';
import { createMappedInsurer, issuedEvent, signedHeaders } from './webhook-support.js';

const app = createTestApp();
let b: Brokerage;
let insurerId: string;
let secret: string;

beforeAll(async () => {
  b = await createBrokerage(app, 'Webhook Limits Brokerage');
  ({ insurerId, secret } = await createMappedInsurer(app, b, 'Limits Insurer'));
});

function receive(body: string, contentType: string | undefined) {
  const { 'content-type': _json, ...signed } = signedHeaders(secret, body);
  const headers = contentType === undefined ? signed : { ...signed, 'content-type': contentType };
  return app.services.webhooks.deliveries.receive({ insurerId, headers, body });
}

function archived(): number {
  return [...app.objects.objects.keys()].filter((k) => k.startsWith('test-archive/')).length;
}

describe('what a signed delivery body must be', () => {
  it.each([
    ['text/plain', 'text/plain'],
    ['no content type', undefined],
    ['form data', 'application/x-www-form-urlencoded'],
  ])(
    'refuses a signed delivery sent as %s with 415 problem details, storing nothing',
    async (_label, type) => {
      const before = archived();
      const response = await receive(JSON.stringify(issuedEvent()), type);
      expect(response.statusCode).toBe(415);
      expect(response.contentType).toBe('application/problem+json');
      expect(JSON.parse(response.body)).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(archived()).toBe(before);
    },
  );

  it('accepts application/json with a charset parameter', async () => {
    const response = await receive(JSON.stringify(issuedEvent()), 'application/json; charset=utf-8');
    expect(response.statusCode).toBe(200);
  });

  it(`refuses a body nested 5,000 levels deep with 400 (limit ${MAX_BODY_DEPTH}), not a 500 the insurer retries`, async () => {
    const deep = `{"id":"evt-deep","type":"policy.issued","data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const response = await receive(deep, 'application/json');
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'body', message: `is nested deeper than ${MAX_BODY_DEPTH} levels` }],
    });
  });

  it(`takes a body nested exactly ${MAX_BODY_DEPTH} levels deep to the event checks`, async () => {
    const nested = `${'{"a":'.repeat(MAX_BODY_DEPTH - 2)}1${'}'.repeat(MAX_BODY_DEPTH - 2)}`;
    const body = `{"id":"evt-nested","type":"policy.issued","data":${nested}}`;
    const response = await receive(body, 'application/json');
    expect(response.statusCode).toBeLessThan(500);
    expect(response.statusCode).not.toBe(415);
    expect(JSON.parse(response.body).fieldErrors?.[0]?.path).not.toBe('body');
  });
});

/** Bodies an insurer's buggy or hostile system may send: any JSON, deep nesting, hostile strings. */
const hostileBody: fc.Arbitrary<string> = fc.oneof(
  fc.json({ depthSize: 'medium' }),
  hostileString,
  fc.integer({ min: 1, max: 3000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc
    .integer({ min: 1, max: 5000 })
    .map((n) => `{"id":"evt-${n}","type":"policy.issued","data":{"a":${'['.repeat(n)}${']'.repeat(n)}}}`),
  fc
    .record({
      id: hostileString,
      type: fc.constantFrom('policy.issued', 'policy.cancelled', 'premium.paid', 'commission.statement', 'x'),
      data: fc.anything({ maxDepth: 6 }),
    })
    .map((e) => JSON.stringify(e)),
  fc
    .array(fc.record({ id: fc.string(), type: fc.constant('policy.issued'), data: fc.object() }), {
      maxLength: 5,
    })
    .map((events) => JSON.stringify({ events })),
);

describe('the webhook endpoint body, driven with generated deliveries', () => {
  it('never answers 5xx to a signed delivery, whatever its body', async () => {
    await fc.assert(
      fc.asyncProperty(hostileBody, async (body) => {
        const response = await receive(body, 'application/json');
        expect(response.statusCode, body.slice(0, 300)).toBeLessThan(500);
      }),
      { numRuns: 60, seed: Number(process.env.PROPERTY_SEED ?? 20261130) },
    );
  });
});
