import { HeaderMap } from '@apollo/server';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGraphQLServer, OPERATION_LIMITS } from '../../../functions/graphql/server.js';
import { createServices } from '../../../functions/modules/services.js';
import { type Principal, systemPrincipal } from '../../../functions/shared/auth/principal.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { createDocumentClient, Db } from '../../../functions/shared/db.js';
import { logger } from '../../../functions/shared/logger.js';

// The server runs against a mocked DynamoDB client: these tests never reach a network.
const ddb = mockClient(DynamoDBDocumentClient);
const services = createServices(
  new Db(createDocumentClient({ region: 'eu-central-1' }), 'broker-crm-unit'),
  new FixedClock(new Date('2026-01-15T09:00:00Z')),
);
const admin: Principal = systemPrincipal('t1', 'admin-1');

interface Result {
  status: number | undefined;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function run(
  query: string,
  options: { production?: boolean; principal?: Principal | null; variables?: Record<string, unknown> } = {},
): Promise<Result> {
  const server = createGraphQLServer({ production: options.production ?? false });
  const response = await server.executeOperation(
    { query, ...(options.variables ? { variables: options.variables } : {}) },
    { contextValue: { principal: options.principal === undefined ? admin : options.principal, services } },
  );
  if (response.body.kind !== 'single') throw new Error('Expected a single result');
  return { status: response.http.status, ...(response.body.singleResult as Omit<Result, 'status'>) };
}

const managerChain = (depth: number): string =>
  depth === 0 ? 'id name email phone' : `id name email manager { ${managerChain(depth - 1)} }`;

beforeEach(() => {
  ddb.reset();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('operation limits', () => {
  it('answers health without a token', async () => {
    expect(await run('{ health }', { principal: null })).toMatchObject({ data: { health: 'ok' } });
  });

  it(`rejects a query nested deeper than ${OPERATION_LIMITS.maxDepth} levels before resolving anything`, async () => {
    const result = await run(`{ me { user { ${managerChain(11)} } } }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/depth limit of 12 exceeded/);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(ddb.calls()).toHaveLength(0);
  });

  it(`rejects more than ${OPERATION_LIMITS.maxAliases} aliases`, async () => {
    const aliases = Array.from({ length: 16 }, (_, i) => `a${i}: health`).join(' ');
    const result = await run(`{ ${aliases} }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded, found 16/);
  });

  it('accepts exactly 15 aliases', async () => {
    const aliases = Array.from({ length: 15 }, (_, i) => `a${i}: health`).join(' ');
    const result = await run(`{ ${aliases} }`);
    expect(result.errors).toBeUndefined();
    expect(Object.keys(result.data ?? {})).toHaveLength(15);
  });

  it(`rejects a query whose estimated cost exceeds ${OPERATION_LIMITS.maxCost}, within depth and alias limits`, async () => {
    const lists = Array.from(
      { length: 15 },
      (_, i) => `a${i}: users { edges { node { ${managerChain(6)} } } }`,
    );
    const result = await run(`{ ${lists.join(' ')} }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/Cost limit of 5000 exceeded/);
    expect(ddb.calls()).toHaveLength(0);
  });

  it(`refuses to parse a query of more than ${OPERATION_LIMITS.maxTokens} tokens with HTTP 400, not 500`, async () => {
    const fields = Array.from({ length: 3000 }, () => 'health').join(' ');
    const result = await run(`{ ${fields} }`);
    expect(result.status).toBe(400);
    expect(result.errors?.[0]?.message).toMatch(/^Syntax Error: Document contains more th\w+ 3000 tokens/);
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(ddb.calls()).toHaveLength(0);
  });

  it(`parses a query of exactly ${OPERATION_LIMITS.maxTokens} tokens`, async () => {
    const fields = Array.from({ length: 2998 }, () => 'health').join(' ');
    const result = await run(`{ ${fields} }`);
    expect(result.errors?.[0]?.message ?? '').not.toMatch(/tokens/);
  });
});

describe('introspection', () => {
  it('is available outside production', async () => {
    const result = await run('{ __schema { queryType { name } } }');
    expect(result.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('is disabled in production', async () => {
    const result = await run('{ __schema { queryType { name } } }', { production: true });
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/introspection/i);
  });

  it('suggests no field names in production', async () => {
    const dev = await run('{ healt }');
    const prod = await run('{ healt }', { production: true });
    expect(dev.errors?.[0]?.message).toMatch(/Did you mean/);
    expect(prod.errors?.[0]?.message).not.toMatch(/Did you mean|health/);
  });
});

describe('errors through the server', () => {
  it('answers UNAUTHENTICATED for a field that needs a principal', async () => {
    const result = await run('{ tenant { id } }', { principal: null });
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('answers BAD_USER_INPUT with field paths prefixed by input', async () => {
    const result = await run('mutation { createRegion(input: { name: "  " }) { id } }');
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'input.name', message: 'is required' }],
    });
  });

  it('refuses a string for an Int variable as BAD_USER_INPUT, not as an internal error', async () => {
    const result = await run('query($f: Int) { regions(first: $f) { edges { cursor } } }', {
      variables: { f: 'abc' },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses an impossible Date variable as BAD_USER_INPUT', async () => {
    const result = await run(
      'mutation($d: Date!) { moveUser(input: { id: "u1", expectedVersion: 1, effectiveDate: $d }) { id } }',
      { variables: { d: '2026-02-30' } },
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(/Date must be a real date/);
  });

  it('masks a storage failure as INTERNAL_SERVER_ERROR, hiding its message, and logs it', async () => {
    const log = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    ddb.on(GetCommand).rejects(new Error('connect ECONNREFUSED 10.0.3.7:8000'));
    const result = await run('{ tenant { id } }');
    expect(result.errors?.[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(result)).not.toMatch(/ECONNREFUSED|stacktrace/);
    expect(log).toHaveBeenCalledTimes(1);
  });
});

describe('CSRF prevention on GET', () => {
  /** A GET as urql, graphql-request or plain fetch send it: no content type unless given. */
  async function get(headers: Record<string, string>): Promise<{ status: number; body: string }> {
    const server = createGraphQLServer({ production: false });
    await server.start();
    try {
      const headerMap = new HeaderMap();
      for (const [name, value] of Object.entries(headers)) headerMap.set(name, value);
      const response = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: 'GET',
          headers: headerMap,
          search: '?query=%7Bhealth%7D',
          body: undefined,
        },
        context: async () => ({ principal: null, services }),
      });
      const body = response.body.kind === 'complete' ? response.body.string : '(chunked)';
      return { status: response.status ?? 200, body };
    } finally {
      await server.stop();
    }
  }

  it.each([
    ['a bearer token', { authorization: 'Bearer any' }],
    ['an API key', { 'x-api-key': 'key-1' }],
    ["Apollo's operation-name header", { 'x-apollo-operation-name': 'Health' }],
  ])('answers a GET query that carries %s', async (_, headers) => {
    const response = await get(headers);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ data: { health: 'ok' } });
  });

  it.each([
    ['no header at all', {}],
    ['only a simple content type', { 'content-type': 'text/plain' }],
    ['an empty authorization header', { authorization: '' }],
  ])('blocks a GET query with %s as a potential cross-site request forgery', async (_, headers) => {
    const response = await get(headers);
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/Cross-Site Request Forgery/);
  });
});

describe('subscriptions', () => {
  it('answers BAD_REQUEST, naming the stream, to a subscription sent to /graphql', async () => {
    const result = await run('subscription { commissionAccrualChanged { period } }');
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(result.errors?.[0]?.message).toMatch(/\/graphql\/stream/);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('per-process work', () => {
  it('parses and validates an operation once per process, not once per request (issue 18)', async () => {
    const server = createGraphQLServer({ production: true });
    const work = { parsed: 0, validated: 0 };
    server.addPlugin({
      async requestDidStart() {
        return {
          async parsingDidStart() {
            work.parsed++;
          },
          async validationDidStart() {
            work.validated++;
          },
        };
      },
    });
    for (let i = 0; i < 3; i++) {
      const response = await server.executeOperation(
        { query: '{ health }' },
        { contextValue: { principal: null, services } },
      );
      expect(response.body.kind === 'single' && response.body.singleResult.data).toEqual({ health: 'ok' });
    }
    expect(work).toEqual({ parsed: 1, validated: 1 });
  });
});
