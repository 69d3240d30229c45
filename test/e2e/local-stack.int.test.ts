import { serverAudits } from 'graphql-http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/stack.js';

/**
 * The product as a user runs it: `startLocalStack` is what `npm start` runs (in memory here), and
 * every request goes over HTTP through the adapter into the same Lambda handlers as in the cloud.
 */
describe('the local stack, end to end over HTTP', () => {
  let stack: LocalStack;
  let demo: Record<string, string>;
  let other: Record<string, string>;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, dataDir: null, seed: true, log: () => undefined });
    demo = stack.dev.tokens['demo-brokerage'] ?? {};
    other = stack.dev.tokens['other-brokerage'] ?? {};
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function gql(token: string | null, query: string, variables?: Record<string, unknown>) {
    const response = await fetch(stack.dev.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as {
        data?: Record<string, never> | null;
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      },
    };
  }

  it('lists the seeded branches and users with a demo admin token', async () => {
    const { status, body } = await gql(
      demo.admin ?? null,
      '{ branches { edges { node { name kind } } } users(first: 50) { edges { node { name role } } } }',
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const data = body.data as unknown as {
      branches: { edges: Array<{ node: { name: string; kind: string } }> };
      users: { edges: Array<{ node: { role: string } }> };
    };
    expect(data.branches.edges.map((e) => e.node).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'Brno', kind: 'OWN' },
      { name: 'Olomouc', kind: 'FRANCHISE' },
    ]);
    expect(data.users.edges.filter((e) => e.node.role === 'ADVISOR')).toHaveLength(3);
  });

  it('answers 401 UNAUTHENTICATED with a Bearer challenge without a token and with a forged one', async () => {
    const anonymous = await gql(null, '{ branches { edges { node { id } } } }');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(anonymous.body.data).toBeUndefined();
    const forged = await gql('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', '{ me { role } }');
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    expect(forged.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers a query over the 3,000-token limit with 400, with or without a token never 500', async () => {
    const huge = `{ ${Array.from({ length: 3100 }, () => '__typename').join(' ')} }`;
    const authed = await gql(demo.admin ?? null, huge);
    expect(authed.status).toBe(400);
    expect(authed.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const anonymous = await gql(null, huge);
    expect(anonymous.status).toBe(401);
  });

  it('answers a syntax error with 400', async () => {
    const broken = await gql(demo.admin ?? null, '{ me { role ');
    expect(broken.status).toBe(400);
    expect(broken.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it("shows the other tenant none of the demo brokerage's data", async () => {
    const demoBranches = await gql(demo.admin ?? null, '{ branches { edges { node { id name } } } }');
    const demoIds = (
      demoBranches.body.data as unknown as { branches: { edges: Array<{ node: { id: string } }> } }
    ).branches.edges.map((e) => e.node.id);
    const seen = await gql(other.admin ?? null, '{ branches { edges { node { id name } } } }');
    const otherNames = (
      seen.body.data as unknown as { branches: { edges: Array<{ node: { name: string } }> } }
    ).branches.edges.map((e) => e.node.name);
    expect(otherNames).toEqual(['Praha']);
    for (const id of demoIds) {
      const direct = await gql(other.admin ?? null, 'query($id: ID!) { branch(id: $id) { id } }', { id });
      expect(direct.body.data).toEqual({ branch: null });
    }
  });

  it('refuses an advisor creating a branch with FORBIDDEN', async () => {
    const { body } = await gql(
      demo.advisor ?? null,
      'mutation { createBranch(input: { name: "Zlín", kind: OWN, regionId: "any" }) { id } }',
    );
    expect(body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('answers CONFLICT to a stale expectedVersion and changes nothing', async () => {
    const read = await gql(demo.admin ?? null, '{ branches { edges { node { id name version } } } }');
    const branch = (
      read.body.data as unknown as {
        branches: { edges: Array<{ node: { id: string; name: string; version: number } }> };
      }
    ).branches.edges[0]?.node;
    expect(branch).toBeDefined();
    const mutation = 'mutation($i: UpdateBranchInput!) { updateBranch(input: $i) { name version } }';
    const first = await gql(demo.admin ?? null, mutation, {
      i: { id: branch?.id, expectedVersion: branch?.version, name: `${branch?.name} Centrum` },
    });
    expect(first.body.errors).toBeUndefined();
    const stale = await gql(demo.admin ?? null, mutation, {
      i: { id: branch?.id, expectedVersion: branch?.version, name: 'Overwritten' },
    });
    expect(stale.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const after = await gql(demo.admin ?? null, 'query($id: ID!) { branch(id: $id) { name version } }', {
      id: branch?.id,
    });
    expect(after.body.data).toEqual({
      branch: { name: `${branch?.name} Centrum`, version: (branch?.version ?? 0) + 1 },
    });
  });

  it('passes every MUST audit of the GraphQL-over-HTTP spec (graphql-http serverAudits)', async () => {
    const token = demo.admin ?? '';
    const authedFetch: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    };
    const audits = serverAudits({ url: stack.dev.graphqlUrl, fetchFn: authedFetch });
    const must = audits.filter((a) => a.name.startsWith('MUST'));
    expect(must.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const audit of must) {
      const result = await audit.fn();
      if (result.status !== 'ok') failures.push(`${audit.name}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers an unsigned webhook delivery with 401 problem details', async () => {
    const response = await fetch(`${stack.url}/webhooks/insurers/unknown`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('answers a signed webhook delivery that is not JSON with 415, and one nested 5,000 deep with 400', async () => {
    const insurer = stack.dev.insurers[0];
    if (!insurer) throw new Error('the seed has an insurer');
    const send = (body: string, contentType: string | null) => {
      const id = `msg_${Date.now()}_${Math.random().toString(36).slice(2)}`;
      const at = new Date();
      const headers: Record<string, string> = {
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(insurer.secret).sign(id, at, body),
        ...(contentType ? { 'content-type': contentType } : {}),
      };
      return fetch(insurer.webhookUrl, { method: 'POST', headers, body: Buffer.from(body) });
    };
    const plain = await send('{"id":"evt-plain","type":"policy.issued","data":{}}', 'text/plain');
    expect(plain.status).toBe(415);
    expect(plain.headers.get('content-type')).toBe('application/problem+json');
    expect(await plain.json()).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect((await send('{"id":"evt-none","type":"policy.issued","data":{}}', null)).status).toBe(415);
    const deep = `{"id":"evt-deep","type":"policy.issued","data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const tooDeep = await send(deep, 'application/json');
    expect(tooDeep.status).toBe(400);
    expect(await tooDeep.json()).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
  });

  it('answers CORS preflight for a loopback front end and for no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(stack.dev.graphqlUrl, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
    const local = await preflight('http://localhost:5173');
    expect(local.status).toBe(204);
    expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(local.headers.get('access-control-allow-headers')).toContain('authorization');
    const foreign = await preflight('https://evil.example.com');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    const response = await fetch(stack.dev.graphqlUrl, {
      method: 'POST',
      headers: { origin: 'http://localhost:5173', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('serves the GraphiQL IDE with local assets (no CDN)', async () => {
    const page = await (await fetch(stack.dev.graphqlUrl, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('/local/assets/graphiql.js');
    expect(page).not.toMatch(/https?:\/\/(unpkg|cdn|jsdelivr)/);
    const asset = await fetch(`${stack.url}/local/assets/graphiql.js`);
    expect(asset.status).toBe(200);
  });

  it('lets an advisor create a client and a policy and read the card over HTTP', async () => {
    const created = await gql(
      demo.advisor ?? null,
      'mutation($i: CreateClientInput!) { createClient(input: $i) { id status } }',
      {
        i: {
          kind: 'PERSON',
          firstName: 'Karel',
          lastName: 'Hrubý',
          segment: 'INDIVIDUAL',
          acquisitionType: 'ADVISOR',
        },
      },
    );
    expect(created.body.errors).toBeUndefined();
    const clientId = (created.body.data as unknown as { createClient: { id: string } }).createClient.id;
    const refs = await gql(
      demo.advisor ?? null,
      '{ insurers { edges { node { id name } } } productLines { edges { node { id code } } } }',
    );
    const data = refs.body.data as unknown as {
      insurers: { edges: Array<{ node: { id: string; name: string } }> };
      productLines: { edges: Array<{ node: { id: string; code: string } }> };
    };
    const written = await gql(
      demo.advisor ?? null,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id policyNumber } }',
      {
        i: {
          clientId,
          insurerId: data.insurers.edges[0]?.node.id,
          productLineId: data.productLines.edges.find((e) => e.node.code === 'TRAVEL')?.node.id,
          policyNumber: 'E2E-TRAVEL-1',
          insuredObjects: [
            {
              kind: 'TRAVELLER',
              attributes: [
                { name: 'name', value: 'Karel Hrubý' },
                { name: 'birthDate', value: '1980-01-01' },
              ],
            },
          ],
          premium: { amount: '89.90', currency: 'EUR' },
          writtenDate: '2026-11-20',
          termStart: '2026-12-01',
          termEnd: '2026-12-15',
        },
      },
    );
    expect(written.body.errors).toBeUndefined();
    const card = await gql(
      demo.advisor ?? null,
      'query($id: ID!) { clientCard(id: $id) { client { status } policies { policyNumber premium { amount } } } }',
      {
        id: clientId,
      },
    );
    expect(card.body.data).toEqual({
      clientCard: {
        client: { status: 'ACTIVE' },
        policies: [{ policyNumber: 'E2E-TRAVEL-1', premium: { amount: '89.90' } }],
      },
    });
    const otherTenant = await gql(other.admin ?? null, 'query($id: ID!) { client(id: $id) { id } }', {
      id: clientId,
    });
    expect(otherTenant.body.data).toEqual({ client: null });
  });

  it('exports the seeded clients to S3 and the signed link downloads the file', async () => {
    const result = await gql(
      demo.admin ?? null,
      'mutation($i: ExportBookInput!) { exportBook(input: $i) { url rowCount } }',
      {
        i: { kind: 'CLIENTS', format: 'CSV', clientFilter: { status: 'ACTIVE' } },
      },
    );
    expect(result.body.errors).toBeUndefined();
    const exported = (result.body.data as unknown as { exportBook: { url: string; rowCount: number } })
      .exportBook;
    expect(exported.rowCount).toBeGreaterThanOrEqual(2);
    const download = await fetch(exported.url);
    expect(download.status).toBe(200);
    const text = await download.text();
    expect(text).toContain('Nováková Jana');
    expect(text).toContain('Stavby Brno s.r.o.');
  });
});
