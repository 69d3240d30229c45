import { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { lambdaContext } from '../../../infra/local/http-adapter.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, LocalTokenIssuer } from '../../../infra/local/token-issuer.js';

/**
 * The function URL's streaming entry, built as Lambda builds it: a stand-in for the runtime's
 * `awslambda` global (streamifyResponse, HttpResponseStream.from) records the response metadata and
 * body middy writes. Nothing here reaches the table: the token and the operation are refused first.
 */
type StreamingHandler = (event: APIGatewayProxyEventV2, stream: Writable, context: unknown) => Promise<void>;

let handler: StreamingHandler;
let issuer: LocalTokenIssuer;
const metadata: Array<{ statusCode: number; headers?: Record<string, string> }> = [];

function sink(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString('utf8') });
}

function urlEvent(
  overrides: Partial<APIGatewayProxyEventV2> & { method?: string } = {},
): APIGatewayProxyEventV2 {
  const { method = 'POST', ...rest } = overrides;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/graphql/stream',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    requestContext: {
      domainName: 'abc.lambda-url.eu-central-1.on.aws',
      http: {
        method,
        path: '/graphql/stream',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
    } as APIGatewayProxyEventV2['requestContext'],
    isBase64Encoded: false,
    ...rest,
  };
}

beforeAll(async () => {
  issuer = await LocalTokenIssuer.create();
  Object.assign(process.env, {
    TABLE_NAME: 'broker-crm-unit',
    AUTH_ISSUER: LOCAL_ISSUER,
    AUTH_AUDIENCE: LOCAL_AUDIENCE,
    AUTH_JWKS_JSON: JSON.stringify(issuer.jwks()),
  });
  globalThis.awslambda = {
    streamifyResponse: (fn: unknown) => fn,
    HttpResponseStream: {
      from: (stream: Writable, meta: { statusCode: number; headers?: Record<string, string> }) => {
        metadata.push(meta);
        return stream;
      },
    },
  } as never;
  handler = (await import('../../../functions/graphql/stream-handler.js')).handler as never;
});

afterAll(() => {
  Reflect.deleteProperty(globalThis, 'awslambda');
});

describe('the streaming entry (function URL, response streaming)', () => {
  it('answers 401 with UNAUTHENTICATED before streaming anything when there is no bearer token', async () => {
    const out = sink();
    const body = JSON.stringify({ query: 'subscription { commissionAccrualChanged { period } }' });
    await handler(urlEvent({ body }), out, lambdaContext('graphql-stream', 900));
    expect(metadata.at(-1)?.statusCode).toBe(401);
    expect(metadata.at(-1)?.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(out.text()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('verifies the token, reads a base64 body and streams the error of an operation the schema lacks, then completes', async () => {
    const principal: Principal = {
      tenantId: 't1',
      userId: 'advisor-1',
      role: 'advisor',
      scope: 'own',
      branchId: null,
      regionId: null,
      partnerId: null,
    };
    const token = await issuer.sign(principal, '5m');
    const out = sink();
    const body = Buffer.from(JSON.stringify({ query: 'subscription { noSuchField }' })).toString('base64');
    await handler(
      urlEvent({
        body,
        isBase64Encoded: true,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
        },
      }),
      out,
      lambdaContext('graphql-stream', 900),
    );
    // Once authenticated, graphql-sse answers in the stream: the validation error, then complete.
    expect(metadata.at(-1)?.statusCode).toBe(200);
    expect(metadata.at(-1)?.headers?.['content-type']).toContain('text/event-stream');
    const events = out
      .text()
      .split('\n\n')
      .filter((e) => e.startsWith('event:'));
    expect(events[0]).toContain('event: next');
    expect(events[0]).toContain('The subscription field \\"noSuchField\\" is not defined');
    expect(events[1]).toMatch(/^event: complete/);
  });
});
