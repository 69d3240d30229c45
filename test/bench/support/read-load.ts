import { ACCRUALS, CARD, LIST } from '../scenarios/graphql-paths.js';

/** What `npm start` writes to its data directory's dev.json that a read load needs. */
interface DevFile {
  graphqlUrl: string;
  tokens: Record<string, Record<string, string>>;
}

const CLIENT_IDS = `query { clients(first: 100) { edges { node { id } } } }`;

async function gql(url: string, token: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  if (response.status !== 200 || body.errors || !body.data)
    throw new Error(`GraphQL answered ${response.status}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

/**
 * The bench's read scenarios (client card, 50-policy list, monthly accrual) against a running
 * `npm start`, as each demo role of each demo tenant in turn, `concurrency` requests in flight,
 * until `seconds` have passed. Calls `sample` between requests so the caller can watch memory.
 * Returns the number of requests answered.
 */
export async function readLoad(
  dev: DevFile,
  seconds: number,
  concurrency: number,
  sample: () => void,
): Promise<number> {
  const period = new Date().toISOString().slice(0, 7);
  const callers: Array<{ token: string; clientIds: string[] }> = [];
  for (const roles of Object.values(dev.tokens)) {
    for (const [role, token] of Object.entries(roles)) {
      if (role === 'partner') continue;
      const data = (await gql(dev.graphqlUrl, token, CLIENT_IDS)) as {
        clients: { edges: Array<{ node: { id: string } }> };
      };
      callers.push({ token, clientIds: data.clients.edges.map((e) => e.node.id) });
    }
  }
  const until = performance.now() + seconds * 1000;
  let answered = 0;
  const worker = async (w: number) => {
    for (let i = w; performance.now() < until; i += concurrency) {
      const caller = callers[i % callers.length] as (typeof callers)[number];
      const id = caller.clientIds[i % Math.max(1, caller.clientIds.length)];
      const kind = i % 3;
      if (kind === 0 && id) await gql(dev.graphqlUrl, caller.token, CARD, { id });
      else if (kind === 1) await gql(dev.graphqlUrl, caller.token, LIST);
      else await gql(dev.graphqlUrl, caller.token, ACCRUALS, { p: period });
      answered++;
      sample();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return answered;
}
