import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { recipientKey } from '../../../functions/modules/commissions/index.js';
import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import {
  POLICY_NUMBER_FIELD,
  policyNumberClaim,
} from '../../../functions/modules/policies/policies.repository.js';
import type { Services } from '../../../functions/modules/services.js';
import type { StoredItem } from '../../../functions/shared/db.js';
import { newId } from '../../../functions/shared/ids.js';
import { fromItem } from '../../../functions/shared/items.js';
import { keys, OrgKind } from '../../../functions/shared/table-design.js';
import type { SeededBook } from '../support/book.js';
import type { DynamoDbMeter } from '../support/dynamodb-meter.js';
import { percentile, type Spread, spread, timed } from '../support/stats.js';

/** What one side (the product through GraphQL, or the raw floor) costs per operation. */
export interface SideFigures {
  p50Ms: Spread;
  p95Ms: Spread;
  /** DynamoDB requests of one operation, by API call, as seen in the last measured operation. */
  requests: Record<string, number>;
  requestsPerOperation: Spread;
  capacityUnitsPerOperation: Spread;
}

export interface PathFigures {
  name: string;
  description: string;
  product: SideFigures;
  floor: SideFigures;
  floorDescription: string;
  /** Product p50 ÷ floor p50, per run. */
  ratioP50: Spread;
  /**
   * The same operations invoked at the GraphQL Lambda handler (an API Gateway v2 event in, the
   * result out), as Lambda runs it: without the local HTTP hop, which in the cloud is API Gateway's.
   */
  atHandler?: { p50Ms: Spread; ratioP50: Spread };
  target: string;
  met: boolean | null;
}

export interface GraphQLPathsContext {
  graphqlUrl: string;
  token: string;
  /** Invokes the GraphQL handler in process with a POST /graphql body (API Gateway v2 event). */
  invoke: (body: string) => Promise<{ statusCode?: number; body?: string }>;
  book: SeededBook;
  services: Services;
  tableName: string;
  /** The meter on the GraphQL handler's own DynamoDB client. */
  productMeter: DynamoDbMeter;
  /** A raw document client for the floor, with its own meter. */
  raw: DynamoDBDocumentClient;
  floorMeter: DynamoDbMeter;
  runs: number;
  iterations: number;
  warmup: number;
  /** The current commission period (the month of today's written policies). */
  period: string;
  /** Waits until every change so far reached the stream consumers (the commission ledger). */
  settle: () => Promise<void>;
  /** Holds the stream consumers during a measured run and lets them catch up after it. */
  consumers: { hold(): void; release(): void };
  log: (line: string) => void;
}

interface Path {
  name: string;
  description: string;
  floorDescription: string;
  target: string;
  check?: (product: SideFigures, ratio: Spread) => boolean;
  /** Runs once before the path is measured. */
  prepare?: () => Promise<void>;
  /** A write (not repeatable on the same data): measured over HTTP only. */
  writes?: boolean;
  product: (i: number) => Promise<void>;
  floor: (i: number) => Promise<void>;
}

export const CARD = `query($id: ID!) { clientCard(id: $id) {
  client { id name status version ownerAdvisor { name } branch { name kind } }
  contacts { id name role }
  policies { id policyNumber status premium { amount currency } insurer { name } productLine { code } seller { name } }
  openTasks { id } openInvoices { id } balance { amount } } }`;

export const LIST = `query { policies(first: 50) {
  edges { cursor node { id policyNumber holderName status termEnd premium { amount currency } insurer { name } } }
  pageInfo { hasNextPage endCursor } } }`;

export const ACCRUALS = `query($p: String!) { commissionAccruals(period: $p) {
  recipient { kind id } period accrued { amount currency } clawedBack { amount } adjusted { amount }
  total { amount } approved { amount } paid { amount } lineCount } }`;

const WRITE = `mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id policyNumber status } }`;

type GraphQLBody = { data?: Record<string, unknown> | null; errors?: Array<{ message: string }> };

/** Where the product's calls go: over HTTP to the local stack, or straight to the handler. */
let transport: 'http' | 'handler' = 'http';

async function gql(ctx: GraphQLPathsContext, query: string, variables?: Record<string, unknown>) {
  let status: number;
  let body: GraphQLBody;
  if (transport === 'handler') {
    const result = await ctx.invoke(JSON.stringify({ query, variables }));
    status = result.statusCode ?? 200;
    body = JSON.parse(result.body ?? '{}') as GraphQLBody;
  } else {
    const response = await fetch(ctx.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ctx.token}` },
      body: JSON.stringify({ query, variables }),
    });
    status = response.status;
    body = (await response.json()) as GraphQLBody;
  }
  if (status !== 200 || body.errors || !body.data) {
    throw new Error(`GraphQL answered ${status}: ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data;
}

/** Runs `work` with the product's calls going straight to the handler. */
async function atHandler<T>(work: () => Promise<T>): Promise<T> {
  transport = 'handler';
  try {
    return await work();
  } finally {
    transport = 'http';
  }
}

/** The names a card or list shows come from org items: one BatchGetItem for all of them. */
async function batchGetOrg(ctx: GraphQLPathsContext, refs: Array<[OrgKind, string | null | undefined]>) {
  const unique = new Map<string, { pk: string; sk: string }>();
  for (const [kind, id] of refs) {
    if (id) {
      const key = keys.orgItem(ctx.book.tenantId, kind, id);
      unique.set(`${key.pk}|${key.sk}`, { pk: key.pk, sk: key.sk });
    }
  }
  if (unique.size === 0) return [];
  // One chunk (≤ 100 keys) is all a card or a 50-row page needs.
  const out = await ctx.raw.send(
    new BatchGetCommand({
      RequestItems: { [ctx.tableName]: { Keys: [...unique.values()] } },
      ReturnConsumedCapacity: 'TOTAL',
    }),
  );
  if (Object.keys(out.UnprocessedKeys ?? {}).length > 0)
    throw new Error('floor BatchGet left keys unprocessed');
  return out.Responses?.[ctx.tableName] ?? [];
}

function expectCount(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what}: expected ${expected}, got ${actual}`);
}

function paths(ctx: GraphQLPathsContext, template: Policy): Path[] {
  const t = ctx.book.tenantId;
  const clientIds = ctx.book.measured.clientIds;
  const clientAt = (i: number) => clientIds[i % clientIds.length] as string;
  const perClient = ctx.book.counts.policies / ctx.book.counts.clients;
  const advisorId = ctx.book.measured.user.id;
  const mtpl = ctx.book.productLineIds.MTPL;
  // 50, unless a scaled-down book gives the advisor fewer policies.
  const listRows = Math.min(50, clientIds.length * perClient);
  let written = 0;
  return [
    {
      name: 'client card',
      description: `clientCard: client, contact, ${perClient} policies with insurer, product line and seller names; as its advisor`,
      floorDescription: 'Query on the client collection (A# prefix) + BatchGetItem of the org names it shows',
      target: '1 Query + ≤ 1 BatchGetItem; p50 ratio ≤ 1.5',
      check: (product, ratio) =>
        product.requests.Query === 1 &&
        (product.requests.BatchGetItem ?? 0) <= 1 &&
        Object.keys(product.requests).every((api) => api === 'Query' || api === 'BatchGetItem') &&
        ratio.median <= 1.5,
      product: async (i) => {
        const data = (await gql(ctx, CARD, { id: clientAt(i) })) as { clientCard: { policies: unknown[] } };
        expectCount('card policies', data.clientCard.policies.length, perClient);
      },
      floor: async (i) => {
        const out = await ctx.raw.send(
          new QueryCommand({
            TableName: ctx.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :card)',
            ExpressionAttributeValues: {
              ':pk': keys.clientCollection(t, clientAt(i)),
              ':card': keys.cardPrefix,
            },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        const items = (out.Items ?? []) as StoredItem[];
        const refs: Array<[OrgKind, string | null | undefined]> = [];
        for (const item of items) {
          if (item.type === 'Client') refs.push([OrgKind.User, item.ownerAdvisorId as string]);
          if (item.type === 'Client') refs.push([OrgKind.Branch, item.branchId as string]);
          if (item.type === 'Policy') {
            refs.push([OrgKind.Insurer, item.insurerId as string]);
            refs.push([OrgKind.ProductLine, item.productLineId as string]);
            refs.push([OrgKind.User, item.sellerId as string]);
          }
        }
        await batchGetOrg(ctx, refs);
        expectCount('floor card policies', items.filter((x) => x.type === 'Policy').length, perClient);
      },
    },
    {
      name: 'policy list (50)',
      description:
        'policies(first: 50) as an advisor (own scope): number, holder, status, term end, premium, insurer name',
      floorDescription: 'Query on the by-advisor index (Limit 50) + BatchGetItem of the insurer names',
      target: '1 Query + ≤ 1 BatchGetItem; p50 ratio ≤ 1.5',
      check: (_product, ratio) => ratio.median <= 1.5,
      product: async () => {
        const data = (await gql(ctx, LIST)) as { policies: { edges: unknown[] } };
        expectCount('list rows', data.policies.edges.length, listRows);
      },
      floor: async () => {
        const out = await ctx.raw.send(
          new QueryCommand({
            TableName: ctx.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.policiesByAdvisor(t, advisorId) },
            Limit: 50,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        const items = (out.Items ?? []) as StoredItem[];
        expectCount('floor list rows', items.length, listRows);
        await batchGetOrg(
          ctx,
          items.map((p) => [OrgKind.Insurer, p.insurerId as string]),
        );
      },
    },
    {
      name: 'create policy',
      writes: true,
      description: 'writePolicy (MTPL, one vehicle, quarterly) on an existing active client, as its advisor',
      floorDescription:
        'one TransactWriteItems: the policy item, its policy-number claim and its timeline entry (conditional puts)',
      target: '≤ 3 requests before the one transaction; p50 ratio ≤ 2',
      check: (product, ratio) => product.requestsPerOperation.median <= 4 && ratio.median <= 2,
      product: async (i) => {
        written++;
        const data = (await gql(ctx, WRITE, {
          i: {
            clientId: clientAt(i),
            insurerId: ctx.book.insurerIds[0],
            productLineId: mtpl,
            policyNumber: `BENCH-GQL-${written}`,
            insuredObjects: [
              {
                kind: 'VEHICLE',
                attributes: [
                  { name: 'registrationPlate', value: `9B${written}` },
                  { name: 'vin', value: `TMBBENCH${written}` },
                ],
              },
            ],
            premium: { amount: '4860.00', currency: 'EUR' },
            frequency: 'QUARTERLY',
            writtenDate: template.writtenDate,
            termStart: template.termStart,
            termEnd: template.termEnd,
          },
        })) as { writePolicy: { status: string } };
        if (data.writePolicy.status !== 'ACTIVE')
          throw new Error('writePolicy did not answer an ACTIVE policy');
      },
      floor: async (i) => {
        written++;
        const policy: Policy = {
          ...template,
          id: newId(),
          clientId: clientAt(i),
          policyNumber: `BENCH-FLOOR-${written}`,
        };
        const repos = ctx.services.repositories;
        const ops = [
          repos.policies.insertOp(t, policy),
          repos.policies.claimOp(
            t,
            POLICY_NUMBER_FIELD,
            policyNumberClaim(policy.insurerId, policy.policyNumber),
            policy.id,
            'policyNumber',
          ),
          repos.clients.timelineOp(t, {
            id: newId(),
            clientId: policy.clientId,
            kind: 'POLICY_WRITTEN',
            at: new Date().toISOString(),
            by: advisorId,
            summary: `MTPL ${policy.policyNumber} written`,
            noteKind: null,
            text: null,
            fromStatus: null,
            toStatus: null,
            reason: null,
            policyId: policy.id,
          }),
        ];
        await ctx.raw.send(
          new TransactWriteCommand({
            TransactItems: ops.map((op) => ({ Put: { ...op.item.Put, TableName: ctx.tableName } })) as never,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
      },
    },
    {
      name: 'monthly accrual',
      description:
        'commissionAccruals(period) as the advisor: what they earned this month so far, from the accrual items the commission consumer keeps current',
      floorDescription: 'Query on the advisor’s accrual partition (sort key prefix = the period)',
      target: '1 read; p50 ratio ≤ 1.5',
      check: (product, ratio) => product.requestsPerOperation.median <= 1 && ratio.median <= 1.5,
      // The create-policy path above wrote this month's policies; their lines must be in the ledger.
      prepare: () => ctx.settle(),
      product: async () => {
        const data = (await gql(ctx, ACCRUALS, { p: ctx.period })) as {
          commissionAccruals: Array<{ lineCount: number }>;
        };
        if (!data.commissionAccruals.some((a) => a.lineCount > 0))
          throw new Error('no accrual for the advisor');
      },
      floor: async () => {
        const out = await ctx.raw.send(
          new QueryCommand({
            TableName: ctx.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :period)',
            ExpressionAttributeValues: {
              ':pk': keys.commissionAccruals(t, recipientKey({ kind: 'USER', id: advisorId })),
              ':period': `${ctx.period}#`,
            },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        if ((out.Items ?? []).length === 0) throw new Error('floor: no accrual item');
      },
    },
  ];
}

/** Lets held consumers run and waits until they have caught up, between measured runs. */
async function catchUp(ctx: GraphQLPathsContext): Promise<void> {
  ctx.consumers.release();
  await ctx.settle();
}

interface Sample {
  ms: number;
  requests: number;
  capacity: number;
}

async function sample(meter: DynamoDbMeter, work: () => Promise<void>): Promise<Sample> {
  meter.reset();
  const { ms } = await timed(work);
  return { ms, requests: meter.total(), capacity: meter.capacityUnits };
}

function side(runs: Sample[][], meter: DynamoDbMeter): SideFigures {
  const all = runs.flat();
  return {
    p50Ms: spread(
      runs.map((r) =>
        percentile(
          r.map((s) => s.ms),
          50,
        ),
      ),
    ),
    p95Ms: spread(
      runs.map((r) =>
        percentile(
          r.map((s) => s.ms),
          95,
        ),
      ),
    ),
    requests: { ...meter.requests },
    requestsPerOperation: spread(all.map((s) => s.requests)),
    capacityUnitsPerOperation: spread(all.map((s) => s.capacity)),
  };
}

/**
 * The GraphQL paths over the full local path (HTTP → adapter → handler → DynamoDB Local), each
 * against its floor: the same data read or written with the fewest raw DynamoDB calls, from the
 * same process, interleaved with the product's calls so both see the same machine load.
 */
export async function benchGraphQLPaths(
  ctx: GraphQLPathsContext,
): Promise<{ paths: PathFigures[]; overheadP50Ms: Spread; handlerOverheadP50Ms: Spread }> {
  const page = await ctx.raw.send(
    new QueryCommand({
      TableName: ctx.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: {
        ':pk': keys.policiesByAdvisor(ctx.book.tenantId, ctx.book.measured.user.id),
      },
      Limit: 1,
    }),
  );
  const first = page.Items?.[0] as StoredItem | undefined;
  if (!first) throw new Error('the measured advisor has no policies');
  const template = fromItem<Policy>(first);

  // The fixed cost of a request that reads nothing: HTTP, adapter, middy, token check, Apollo.
  const overhead: number[] = [];
  for (let run = 0; run < ctx.runs; run++) {
    const ms: number[] = [];
    for (let i = 0; i < ctx.iterations + (run === 0 ? ctx.warmup : 0); i++) {
      ms.push((await timed(() => gql(ctx, '{ __typename }'))).ms);
    }
    overhead.push(percentile(ms.slice(run === 0 ? ctx.warmup : 0), 50));
  }
  const handlerOverhead: number[] = [];
  for (let run = 0; run < ctx.runs; run++) {
    const ms: number[] = [];
    for (let i = 0; i < ctx.iterations; i++) {
      ms.push((await atHandler(() => timed(() => gql(ctx, '{ __typename }')))).ms);
    }
    handlerOverhead.push(percentile(ms, 50));
  }

  const results: PathFigures[] = [];
  for (const path of paths(ctx, template)) {
    await path.prepare?.();
    ctx.consumers.hold();
    for (let i = 0; i < ctx.warmup; i++) {
      ctx.productMeter.reset();
      await path.product(i);
      if (ctx.productMeter.total() === 0)
        throw new Error(`${path.name}: the meter saw no request from the handler`);
      await path.floor(i);
    }
    await catchUp(ctx);
    const product: Sample[][] = [];
    const floor: Sample[][] = [];
    const ratios: number[] = [];
    const handlerP50: number[] = [];
    const handlerRatios: number[] = [];
    // Reads are repeatable, so each is also invoked at the handler, interleaved with the other two.
    const alsoAtHandler = !path.writes;
    const p50 = (samples: Sample[]) =>
      percentile(
        samples.map((x) => x.ms),
        50,
      );
    for (let run = 0; run < ctx.runs; run++) {
      ctx.consumers.hold();
      const p: Sample[] = [];
      const f: Sample[] = [];
      const h: Sample[] = [];
      for (let i = 0; i < ctx.iterations; i++) {
        const n = ctx.warmup + run * ctx.iterations + i;
        p.push(await sample(ctx.productMeter, () => path.product(n)));
        f.push(await sample(ctx.floorMeter, () => path.floor(n)));
        if (alsoAtHandler) h.push(await atHandler(() => sample(ctx.productMeter, () => path.product(n))));
      }
      await catchUp(ctx);
      product.push(p);
      floor.push(f);
      ratios.push(p50(p) / p50(f));
      if (alsoAtHandler) {
        handlerP50.push(p50(h));
        handlerRatios.push(p50(h) / p50(f));
      }
    }
    const productFigures = side(product, ctx.productMeter);
    const ratioP50 = spread(ratios);
    const handler = alsoAtHandler
      ? { p50Ms: spread(handlerP50), ratioP50: spread(handlerRatios) }
      : undefined;
    results.push({
      name: path.name,
      description: path.description,
      product: productFigures,
      floor: side(floor, ctx.floorMeter),
      floorDescription: path.floorDescription,
      ratioP50,
      ...(handler ? { atHandler: handler } : {}),
      target: path.target,
      met: path.check ? path.check(productFigures, handler?.ratioP50 ?? ratioP50) : null,
    });
    ctx.log(
      `  ${path.name}: p50 ${productFigures.p50Ms.median} ms vs floor ${results.at(-1)?.floor.p50Ms.median} ms (×${ratioP50.median}${handler ? `; at the handler ${handler.p50Ms.median} ms, ×${handler.ratioP50.median}` : ''}); ${JSON.stringify(productFigures.requests)}`,
    );
  }
  return { paths: results, overheadP50Ms: spread(overhead), handlerOverheadP50Ms: spread(handlerOverhead) };
}
