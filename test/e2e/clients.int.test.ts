import { createHash } from 'node:crypto';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { fetchExchange, Client as UrqlClient } from '@urql/core';
import { GraphQLClient } from 'graphql-request';
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORS_POLICY } from '../../infra/cors.js';
import { type LocalStack, startLocalStack } from '../../infra/local/stack.js';

/**
 * Contract tests: the GraphQL clients front-end teams use, with their defaults, run real operations
 * against the local stack (in memory, a free port), as the README's API section shows them.
 */
describe('mainstream GraphQL clients against the local stack', () => {
  let stack: LocalStack;
  let admin: string;
  let advisor: string;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, dataDir: null, seed: true, log: () => undefined });
    admin = stack.dev.tokens['demo-brokerage']?.admin ?? '';
    advisor = stack.dev.tokens['demo-brokerage']?.advisor ?? '';
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const BRANCHES_PAGE = `query BranchesPage($after: String) {
    branches(first: 1, after: $after) {
      edges { cursor node { id name } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;
  interface BranchesPage {
    branches: {
      edges: Array<{ cursor: string; node: { id: string; name: string } }>;
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    };
  }

  it('Apollo Client (HttpLink, InMemoryCache, clientAwareness, persisted queries over GET) reads two pages', async () => {
    const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
    const client = new ApolloClient({
      link: new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
        new HttpLink({ uri: stack.dev.graphqlUrl, headers: { authorization: `Bearer ${admin}` } }),
      ),
      cache: new InMemoryCache(),
      clientAwareness: { name: 'contract-test', version: '1.0.0' },
    });
    const first = await client.query<BranchesPage>({
      query: gql(BRANCHES_PAGE),
      fetchPolicy: 'network-only',
    });
    expect(first.error).toBeUndefined();
    const page = first.data?.branches;
    expect(page?.edges).toHaveLength(1);
    expect(page?.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(page?.pageInfo.startCursor).toBe(page?.edges[0]?.cursor);
    const second = await client.query<BranchesPage>({
      query: gql(BRANCHES_PAGE),
      variables: { after: page?.pageInfo.endCursor },
      fetchPolicy: 'network-only',
    });
    expect(second.data?.branches.pageInfo.hasPreviousPage).toBe(true);
    expect(second.data?.branches.edges[0]?.node.id).not.toBe(page?.edges[0]?.node.id);
    client.stop();
  });

  it('urql with its defaults (short queries as GET without a content type) reads a query', async () => {
    const sent: Array<{ method: string; contentType: string | null }> = [];
    const client = new UrqlClient({
      url: stack.dev.graphqlUrl,
      exchanges: [fetchExchange],
      fetchOptions: { headers: { authorization: `Bearer ${admin}` } },
      fetch: (input, init) => {
        sent.push({
          method: init?.method ?? 'GET',
          contentType: new Headers(init?.headers).get('content-type'),
        });
        return fetch(input, init);
      },
    });
    const result = await client.query(BRANCHES_PAGE, {}).toPromise();
    expect(result.error).toBeUndefined();
    expect((result.data as BranchesPage).branches.edges).toHaveLength(1);
    expect(sent).toEqual([{ method: 'GET', contentType: null }]);
  });

  it('graphql-request reads over POST and over GET', async () => {
    const headers = { authorization: `Bearer ${admin}` };
    const post = await new GraphQLClient(stack.dev.graphqlUrl, { headers }).request<BranchesPage>(
      BRANCHES_PAGE,
    );
    const get = await new GraphQLClient(stack.dev.graphqlUrl, {
      headers,
      method: 'GET',
    }).request<BranchesPage>(BRANCHES_PAGE);
    expect(post.branches.edges).toHaveLength(1);
    expect(get.branches.edges[0]?.node.id).toBe(post.branches.edges[0]?.node.id);
  });

  it('plain fetch: a GET with a bearer token and no content type answers; one with neither is refused as CSRF', async () => {
    const url = `${stack.dev.graphqlUrl}?query=${encodeURIComponent('{ me { role } }')}`;
    const authed = await fetch(url, { headers: { authorization: `Bearer ${admin}` } });
    expect(authed.status).toBe(200);
    expect(await authed.json()).toEqual({ data: { me: { role: 'ADMIN' } } });
    const bare = await fetch(`${stack.dev.graphqlUrl}?query=${encodeURIComponent('{ health }')}`);
    expect(bare.status).toBe(400);
    expect(await bare.text()).toMatch(/Cross-Site Request Forgery/);
  });

  it('allows a browser front end on another (loopback) origin to send the clients’ and tracing headers', async () => {
    const wanted = [
      'authorization',
      'content-type',
      'apollographql-client-name',
      'apollographql-client-version',
      'x-apollo-operation-name',
      'traceparent',
      'tracestate',
      'x-api-key',
    ];
    const preflight = await fetch(stack.dev.graphqlUrl, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'GET',
        'access-control-request-headers': wanted.join(','),
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(wanted));
    expect(allowed).toEqual([...CORS_POLICY.headers]);
  });

  it('graphql-sse streams the advisor’s accrual when a new policy earns commission', async () => {
    const client = createSseClient({
      url: stack.dev.streamUrl,
      headers: { authorization: `Bearer ${advisor}` },
      retryAttempts: 0,
    });
    const subscription = client.iterate<{ commissionAccrualChanged: Record<string, unknown> }>({
      query: 'subscription { commissionAccrualChanged { period accrued { amount currency } lineCount } }',
    });
    const firstEvent = subscription.next();
    // The stream is open once the server has registered the subscription.
    await waitFor(() => stack.live.size > 0);

    await writeMtplPolicy(advisor);
    const event = await Promise.race([
      firstEvent,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no live event in 20 s')), 20_000)),
    ]);
    await subscription.return?.();
    client.dispose();
    const accrual = (event.value as { data: { commissionAccrualChanged: Record<string, unknown> } }).data
      .commissionAccrualChanged;
    expect(accrual.period).toMatch(/^\d{4}-\d{2}$/);
    expect(accrual.accrued).toMatchObject({ currency: 'EUR' });
    expect(Number(accrual.lineCount)).toBeGreaterThan(0);
  });

  it('answers 401 on the stream without a token', async () => {
    const response = await fetch(stack.dev.streamUrl, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'subscription { commissionAccrualChanged { period } }' }),
    });
    expect(response.status).toBe(401);
  });

  async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Writes an MTPL policy for a new client as the advisor (README's book example). */
  async function writeMtplPolicy(token: string): Promise<void> {
    const api = new GraphQLClient(stack.dev.graphqlUrl, { headers: { authorization: `Bearer ${token}` } });
    const refs = await api.request<{
      insurers: { edges: Array<{ node: { id: string } }> };
      productLines: { edges: Array<{ node: { id: string; code: string } }> };
    }>('{ insurers { edges { node { id } } } productLines { edges { node { id code } } } }');
    const client = await api.request<{ createClient: { id: string } }>(
      'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
      {
        i: {
          kind: 'PERSON',
          firstName: 'Eva',
          lastName: 'Živá',
          segment: 'INDIVIDUAL',
          acquisitionType: 'ADVISOR',
        },
      },
    );
    const today = new Date().toISOString().slice(0, 10);
    await api.request('mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }', {
      i: {
        clientId: client.createClient.id,
        insurerId: refs.insurers.edges[0]?.node.id,
        productLineId: refs.productLines.edges.find((e) => e.node.code === 'MTPL')?.node.id,
        policyNumber: `LIVE-${Date.now()}`,
        insuredObjects: [
          {
            kind: 'VEHICLE',
            attributes: [
              { name: 'registrationPlate', value: '1B2 3456' },
              { name: 'vin', value: 'TMBJJ7NE8J0000002' },
            ],
          },
        ],
        premium: { amount: '4860.00', currency: 'EUR' },
        frequency: 'QUARTERLY',
        writtenDate: today,
        termStart: today,
        termEnd: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`,
      },
    });
  }
});
