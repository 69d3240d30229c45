import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/stack.js';
import type { StreamHandler } from '../../infra/local/stream-poller.js';

/**
 * No silent loss on the local stack: the commission consumer gives up on one policy's record (a
 * test-only fault in front of the real handler, as a bug would), the record lands in the failure
 * store, an admin sees it through GraphQL and replays it through the real consumer after the fix.
 */
const POISON = 'FAILED-CHANGE-1';
let faulty = true;

function isPoison(event: DynamoDBStreamEvent): boolean {
  return event.Records.some(
    (r) => r.eventName === 'INSERT' && r.dynamodb?.NewImage?.policyNumber?.S === POISON,
  );
}

/** The real commission handler, loaded on first use (after the stack has set the environment). */
const commissions: StreamHandler = async (event, context) => {
  if (faulty && isPoison(event)) throw new RangeError('premium overflows the commission engine');
  const real = (await import('../../functions/commissions/handler.js')).handler;
  return real(event, context);
};

describe('failed changes on the local stack', () => {
  let stack: LocalStack;
  let demo: Record<string, string>;
  let other: Record<string, string>;

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      dataDir: null,
      seed: true,
      log: () => undefined,
      handlers: { commissions },
    });
    demo = stack.dev.tokens['demo-brokerage'] ?? {};
    other = stack.dev.tokens['other-brokerage'] ?? {};
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function gql(token: string | undefined, query: string, variables?: Record<string, unknown>) {
    const response = await fetch(stack.dev.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: Record<string, never> | null;
      errors?: Array<{ message: string; extensions?: { code?: string } }>;
    };
  }

  async function data<T>(token: string | undefined, query: string, variables?: Record<string, unknown>) {
    const body = await gql(token, query, variables);
    expect(body.errors).toBeUndefined();
    return body.data as unknown as T;
  }

  async function writePolicy(number: string): Promise<string> {
    const { createClient } = await data<{ createClient: { id: string } }>(
      demo.advisor,
      'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
      {
        i: {
          kind: 'PERSON',
          firstName: 'Failed',
          lastName: number,
          segment: 'INDIVIDUAL',
          acquisitionType: 'ADVISOR',
        },
      },
    );
    const refs = await data<{
      insurers: { edges: Array<{ node: { id: string } }> };
      productLines: { edges: Array<{ node: { id: string; code: string } }> };
    }>(demo.advisor, '{ insurers { edges { node { id } } } productLines { edges { node { id code } } } }');
    const year = new Date().getUTCFullYear();
    const { writePolicy } = await data<{ writePolicy: { id: string } }>(
      demo.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      {
        i: {
          clientId: createClient.id,
          insurerId: refs.insurers.edges[0]?.node.id,
          productLineId: refs.productLines.edges.find((e) => e.node.code === 'MTPL')?.node.id,
          policyNumber: number,
          insuredObjects: [
            {
              kind: 'VEHICLE',
              attributes: [
                { name: 'registrationPlate', value: '1F4 0001' },
                { name: 'vin', value: 'TMBJJ7NE8J0000007' },
              ],
            },
          ],
          premium: { amount: '1000.00', currency: 'EUR' },
          frequency: 'ANNUAL',
          writtenDate: `${year}-03-15`,
          termStart: `${year}-03-16`,
          termEnd: `${year + 1}-03-15`,
        },
      },
    );
    return writePolicy.id;
  }

  async function lineIds(policyId: string): Promise<string[]> {
    const result = await data<{ commissionLines: { edges: Array<{ node: { id: string } }> } }>(
      demo.admin,
      'query($p: ID!) { commissionLines(filter: { policyId: $p }, first: 100) { edges { node { id } } } }',
      { p: policyId },
    );
    return result.commissionLines.edges.map((e) => e.node.id).sort();
  }

  const LIST =
    'query($s: FailedChangeStatus) { failedChanges(first: 10, status: $s) { edges { cursor node { id consumer change error attempts status replayedAt } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }';
  const REPLAY =
    'mutation($id: ID!) { replayFailedChange(input: { id: $id }) { id status attempts error replayedAt replayedBy } }';

  interface Listed {
    failedChanges: {
      edges: Array<{
        cursor: string;
        node: {
          id: string;
          consumer: string;
          change: string;
          error: string;
          attempts: number;
          status: string;
        };
      }>;
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    };
  }

  it('stores the change the consumer gave up on, moves past it, and books it exactly once on replay', async () => {
    const policyId = await writePolicy(POISON);
    await stack.changes.idle();
    expect(await lineIds(policyId)).toEqual([]);

    // The checkpoint moved on: a later policy is booked while the poisoned one waits.
    const later = await writePolicy('FAILED-CHANGE-2');
    await stack.changes.idle();
    expect((await lineIds(later)).length).toBeGreaterThan(0);

    const open = await data<Listed>(demo.admin, LIST, { s: 'OPEN' });
    expect(open.failedChanges.edges).toHaveLength(1);
    const failed = open.failedChanges.edges[0]?.node;
    expect(failed).toMatchObject({
      consumer: 'commissions',
      error: 'premium overflows the commission engine',
      attempts: 6,
      status: 'OPEN',
    });
    expect(JSON.parse(failed?.change ?? '{}')).toMatchObject({
      eventName: 'INSERT',
      entityType: 'Policy',
      newImage: { id: policyId, policyNumber: POISON },
    });
    expect(open.failedChanges.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect(open.failedChanges.pageInfo.startCursor).toBe(open.failedChanges.edges[0]?.cursor);

    // Another tenant's admin sees nothing and cannot replay it; an advisor may not list.
    const foreign = await data<Listed>(other.admin, LIST, {});
    expect(foreign.failedChanges.edges).toEqual([]);
    const foreignReplay = await gql(other.admin, REPLAY, { id: failed?.id });
    expect(foreignReplay.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const advisor = await gql(demo.advisor, LIST, {});
    expect(advisor.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    faulty = false;
    const replayed = await data<{ replayFailedChange: { status: string; replayedAt: string | null } }>(
      demo.admin,
      REPLAY,
      { id: failed?.id },
    );
    expect(replayed.replayFailedChange.status).toBe('REPLAYED');
    expect(replayed.replayFailedChange.replayedAt).not.toBeNull();
    const booked = await lineIds(policyId);
    expect(booked.length).toBeGreaterThan(0);

    const again = await data<{ replayFailedChange: { status: string; replayedAt: string | null } }>(
      demo.admin,
      REPLAY,
      { id: failed?.id },
    );
    expect(again.replayFailedChange).toMatchObject({
      status: 'REPLAYED',
      attempts: 6,
      replayedAt: replayed.replayFailedChange.replayedAt,
    });
    await stack.changes.idle();
    expect(await lineIds(policyId)).toEqual(booked);
    expect((await data<Listed>(demo.admin, LIST, { s: 'OPEN' })).failedChanges.edges).toEqual([]);
    expect((await data<Listed>(demo.admin, LIST, { s: 'REPLAYED' })).failedChanges.edges).toHaveLength(1);
  }, 60_000);

  it('answers NOT_FOUND to an id of no failed change, BAD_USER_INPUT to one that is no id', async () => {
    const unknown = await gql(demo.admin, REPLAY, { id: '0'.repeat(32) });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    for (const id of ['T#x#FAILED', '']) {
      const body = await gql(demo.admin, REPLAY, { id });
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});
