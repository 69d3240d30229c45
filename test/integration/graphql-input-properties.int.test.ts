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
const RUNS_PER_MUTATION = 12;

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

function internalErrors(result: GraphQLResult): string[] {
  return (result.errors ?? [])
    .filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR' || !e.extensions?.code)
    .map((e) => e.message);
}

const mutations = Object.values(servedSchema().getMutationType()?.getFields() ?? {});

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
          const result = await app.exec(b.admin, query, variables);
          expect(internalErrors(result), JSON.stringify(variables).slice(0, 500)).toEqual([]);
        }),
        { numRuns: RUNS_PER_MUTATION, seed: Number(process.env.PROPERTY_SEED ?? 20261130) },
      );
    },
  );
});
