import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLContext } from '../../../functions/graphql/context.js';
import { createGraphQLServer } from '../../../functions/graphql/server.js';
import { createServices } from '../../../functions/modules/services.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { createDocumentClient, Db } from '../../../functions/shared/db.js';
import { MemoryObjectStore } from '../../../functions/shared/object-store.js';
import { LOCAL_AWS } from '../../../infra/local/dynamodb.js';
import { lambdaContext } from '../../../infra/local/http-adapter.js';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.js';
import type { GraphQLResult, TestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage } from '../../support/brokerage.js';
import {
  accruals,
  CANCEL,
  CREATE_SCHEME,
  lines,
  mtplSchemeInput,
  must,
  writeMtplPolicy,
} from './commission-fixtures.js';

/**
 * The commission consumer as the catalog hosts it: `startLocalStack` runs the real catalog, so the
 * commissions function reads DynamoDB Local's stream through the poller with its catalog filter.
 * GraphQL runs in process against the stack's table (the same services the graphql function builds),
 * and every line read here was written by the stream consumer, not by the test.
 */
type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<unknown>;

let stack: LocalStack;
let app: TestApp;
let b: Brokerage;
const delivered: DynamoDBRecord[] = [];
let realHandler: StreamHandler | undefined;

async function commissionHandler(): Promise<StreamHandler> {
  // Loaded on first delivery, after the stack has set the environment the handler reads at cold start.
  realHandler ??= (await import('../../../functions/commissions/handler.js'))
    .handler as unknown as StreamHandler;
  return realHandler;
}

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    dataDir: null,
    seed: false,
    log: () => undefined,
    handlers: {
      commissions: async (event: DynamoDBStreamEvent, context: Context) => {
        delivered.push(...event.Records);
        return (await commissionHandler())(event, context);
      },
    },
  });
  const db = new Db(
    createDocumentClient({
      endpoint: stack.dynamo.endpoint,
      region: LOCAL_AWS.region,
      credentials: LOCAL_AWS,
    }),
    'broker-crm-local',
  );
  const services = createServices(db, systemClock);
  const server = createGraphQLServer({ production: false });
  app = {
    db,
    services,
    server,
    objects: new MemoryObjectStore(),
    async exec(principal, query, variables) {
      const response = await server.executeOperation(
        { query, ...(variables ? { variables } : {}) },
        { contextValue: { principal, services } satisfies GraphQLContext },
      );
      if (response.body.kind !== 'single') throw new Error('Expected a single result');
      return response.body.singleResult as GraphQLResult<never>;
    },
  };
  b = await createBrokerage(app, 'Stream Commission Brokerage');
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

describe('commissions on the local stack', () => {
  let policyId: string;

  it('makes the advisor accrual, the upline override and the receivable readable within 5 seconds of writePolicy answering', async () => {
    await must(app, b.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
    const sale = await writeMtplPolicy(app, b);
    policyId = sale.id;
    // From the moment writePolicy answered: the rest is the stream, the poller and the consumer.
    const started = Date.now();
    let mine = await accruals(app, b.as.advisor, '2026-01');
    while (mine.length === 0 && Date.now() - started < 5000) {
      await new Promise((r) => setTimeout(r, 50));
      mine = await accruals(app, b.as.advisor, '2026-01');
    }
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(5000);
    expect(mine[0]?.accrued).toEqual({ amount: '720.00', currency: 'CZK' });
    await stack.changes.idle();
    const [override] = await accruals(app, b.as.manager, '2026-01');
    expect(override?.accrued.amount).toBe('36.00');
    const [receivable] = await accruals(app, b.as.manager, '2026-01', { kind: 'BROKERAGE' });
    expect(receivable?.accrued.amount).toBe('1800.00');
    const explained = await lines(app, b.as.manager, { policyId });
    expect(explained.map((l) => l.explanation.formula).sort()).toEqual([
      '1,800.00 × 2% (MTPL advisor, v1, override level 1) = 36.00',
      '1,800.00 × 40% (MTPL advisor, v1) = 720.00',
      '12,000.00 × 15% (MTPL receivable, v1) = 1,800.00',
    ]);
    expect(stack.changes.failures()).toEqual([]);
  });

  it('claws back on cancellation through the stream', async () => {
    const policy = await must<{ policy: { version: number } }>(
      app,
      b.as.advisor,
      'query($id: ID!) { policy(id: $id) { version } }',
      { id: policyId },
    );
    await must(app, b.as.advisor, CANCEL, {
      i: { id: policyId, expectedVersion: policy.policy.version, date: '2026-05-20', reason: 'sold the car' },
    });
    await stack.changes.idle();
    const clawbacks = (await lines(app, b.as.manager, { policyId })).filter((l) => l.kind === 'CLAWBACK');
    expect(clawbacks.map((l) => l.amount.amount).sort()).toEqual(['-1200.00', '-24.00', '-480.00']);
    const [may] = await accruals(app, b.as.advisor, '2026-05');
    expect(may?.clawedBack.amount).toBe('-480.00');
  });

  it('changes nothing when every delivered record is handed to the handler three more times', async () => {
    const policyRecords = delivered.filter((r) => r.dynamodb?.NewImage?.type?.S === 'Policy');
    expect(policyRecords.length).toBeGreaterThanOrEqual(2);
    const before = {
      lines: await lines(app, b.as.manager, { policyId }),
      jan: await accruals(app, b.as.advisor, '2026-01'),
      may: await accruals(app, b.as.advisor, '2026-05'),
      brokerage: await accruals(app, b.as.manager, '2026-01', { kind: 'BROKERAGE' }),
    };
    const handler = await commissionHandler();
    for (let i = 0; i < 3; i += 1) {
      const result = await handler({ Records: delivered }, lambdaContext('commissions', 60));
      expect(result).toEqual({ batchItemFailures: [] });
    }
    expect({
      lines: await lines(app, b.as.manager, { policyId }),
      jan: await accruals(app, b.as.advisor, '2026-01'),
      may: await accruals(app, b.as.advisor, '2026-05'),
      brokerage: await accruals(app, b.as.manager, '2026-01', { kind: 'BROKERAGE' }),
    }).toEqual(before);
  });
});
