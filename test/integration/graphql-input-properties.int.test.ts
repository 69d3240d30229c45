import * as fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type GraphQLResult } from '../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../support/brokerage.js';
import { operationFor, servedSchema, variablesFor } from '../support/schema-arbitraries.js';

/**
 * Every mutation of the served schema, driven with inputs generated from its own input types
 * (hostile strings, ids with key separators, huge numbers, odd dates), as an admin of a real
 * tenant over DynamoDB Local. Whatever the input, the answer is data or a typed error: never
 * INTERNAL_SERVER_ERROR. Runs are bounded so the whole file stays well inside `npm test`.
 */
const RUNS_PER_MUTATION = Number(process.env.PROPERTY_RUNS ?? 12);
const RUNS_PER_QUERY = Math.ceil(RUNS_PER_MUTATION / 2);
/** Fixed, so `npm test` is repeatable; set PROPERTY_SEED (and PROPERTY_RUNS) to explore further. */
const SEED = Number(process.env.PROPERTY_SEED ?? 20261130);

const app = createTestApp();
let b: Brokerage;
let knownIds: string[];

beforeAll(async () => {
  b = await createBrokerage(app, 'Property Brokerage');
  const client = await app.exec<{ createClient: { id: string } }>(
    b.as.advisor,
    'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
    { i: personInput({ email: `prop@${b.tenantId}.test` }) },
  );
  const clientId = client.data?.createClient.id ?? '';
  const policy = await app.exec<{ writePolicy: { id: string } }>(
    b.as.advisor,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    { i: mtplInput(b, clientId) },
  );
  knownIds = [
    clientId,
    policy.data?.writePolicy.id ?? '',
    b.insurerId,
    b.mtplId,
    b.propertyId,
    b.advisorId,
    b.managerId,
    b.ownBranchId,
    b.regionId,
    b.partnerId,
    b.leadSourceId,
    b.juniorGroupId,
  ].filter(Boolean);
});

/** Runs one operation through the real server and keeps the HTTP status it would answer with. */
async function run(query: string, variables: Record<string, unknown>) {
  const response = await app.server.executeOperation(
    { query, variables },
    { contextValue: { principal: b.admin, services: app.services } },
  );
  if (response.body.kind !== 'single') throw new Error('Expected a single result');
  return { status: response.http.status ?? 200, result: response.body.singleResult as GraphQLResult };
}

function internalErrors(result: GraphQLResult): string[] {
  return (result.errors ?? [])
    .filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR' || !e.extensions?.code)
    .map((e) => e.message);
}

const schema = servedSchema();
const mutations = Object.values(schema.getMutationType()?.getFields() ?? {});
const queries = Object.values(schema.getQueryType()?.getFields() ?? {}).filter((q) => q.args.length > 0);

describe('every mutation, driven with inputs generated from the schema', () => {
  it('covers every mutation of the schema', () => {
    expect(mutations.length).toBeGreaterThan(50);
  });

  it.each(mutations.map((m) => [m.name, m] as const))(
    '%s never answers INTERNAL_SERVER_ERROR',
    async (_name, field) => {
      const query = operationFor('mutation', field);
      await fc.assert(
        fc.asyncProperty(variablesFor(field, { knownIds }), async (variables) => {
          const { status, result } = await run(query, variables);
          const input = JSON.stringify(variables).slice(0, 500);
          expect(internalErrors(result), input).toEqual([]);
          expect(status, input).toBeLessThan(500);
        }),
        { numRuns: RUNS_PER_MUTATION, seed: SEED },
      );
    },
  );
});

describe('every query that takes arguments, driven the same way', () => {
  it.each(queries.map((q) => [q.name, q] as const))(
    '%s never answers INTERNAL_SERVER_ERROR',
    async (_name, field) => {
      const query = operationFor('query', field);
      await fc.assert(
        fc.asyncProperty(variablesFor(field, { knownIds }), async (variables) => {
          const { status, result } = await run(query, variables);
          const input = JSON.stringify(variables).slice(0, 500);
          expect(internalErrors(result), input).toEqual([]);
          expect(status, input).toBeLessThan(500);
        }),
        { numRuns: RUNS_PER_QUERY, seed: SEED },
      );
    },
  );
});
