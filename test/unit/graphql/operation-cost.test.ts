import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { buildSchema, getNamedType, parse, specifiedRules, validate } from 'graphql';
import { beforeEach, describe, expect, it } from 'vitest';
import { typeDefs } from '../../../functions/graphql/__generated__/type-defs.js';
import { costLimitRule } from '../../../functions/graphql/operation-cost.js';
import { createGraphQLServer, OPERATION_LIMITS } from '../../../functions/graphql/server.js';
import { createServices } from '../../../functions/modules/services.js';
import { systemPrincipal } from '../../../functions/shared/auth/principal.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { createDocumentClient, Db } from '../../../functions/shared/db.js';
import { LIST_PAGE_QUERIES } from './list-queries.js';

// Storage is mocked to answer nothing: these tests are about which operations get past validation.
const ddb = mockClient(DynamoDBDocumentClient);
const services = createServices(
  new Db(createDocumentClient({ region: 'eu-central-1' }), 'broker-crm-unit'),
  new FixedClock(new Date('2026-11-15T09:00:00Z')),
);
const schema = buildSchema(typeDefs);
const connectionQueries = Object.values(schema.getQueryType()?.getFields() ?? {})
  .filter((f) => getNamedType(f.type).name.endsWith('Connection'))
  .map((f) => f.name)
  .sort();

const costOf = (query: string): number => {
  let found = 0;
  const errors = validate(schema, parse(query), [...specifiedRules, costLimitRule(0)]);
  for (const error of errors) {
    const match = /found (\d+)\./.exec(error.message);
    if (match) found = Number(match[1]);
    else throw error;
  }
  return found;
};

beforeEach(() => {
  ddb.reset();
  ddb.onAnyCommand().resolves({});
});

describe('the cost limit and the documented page size (first: 100)', () => {
  it('has a pinned front-end page for every list (connection) of Query', () => {
    expect(Object.keys(LIST_PAGE_QUERIES).sort()).toEqual(connectionQueries);
  });

  for (const [list, query] of Object.entries(LIST_PAGE_QUERIES)) {
    it(`lets a 100-row ${list} page through, with the names of its related objects`, async () => {
      expect(costOf(query)).toBeLessThanOrEqual(OPERATION_LIMITS.maxCost);
      const server = createGraphQLServer({ production: true });
      const response = await server.executeOperation(
        { query },
        { contextValue: { principal: systemPrincipal('t1', 'admin-1'), services } },
      );
      if (response.body.kind !== 'single') throw new Error('Expected a single result');
      const codes = (response.body.singleResult.errors ?? []).map((e) => e.extensions?.code);
      expect(codes).not.toContain('GRAPHQL_VALIDATION_FAILED');
      expect(response.http.status).not.toBe(400);
    });
  }

  it('counts a page by the rows it asks for: 100 rows cost 5× the default 20, a variable counts as the cap', () => {
    const lines = (first: string) =>
      `query${first.includes('$n') ? '($n: Int)' : ''} { commissionLines${first} { edges { node { id amount { amount currency } } } } }`;
    const perRow = costOf(lines('(first: 2)')) - costOf(lines('(first: 1)'));
    const base = costOf(lines('(first: 1)')) - perRow;
    expect(perRow).toBeGreaterThan(base);
    expect(costOf(lines('(first: 100)'))).toBe(base + 100 * perRow);
    expect(costOf(lines(''))).toBe(base + 20 * perRow);
    expect(costOf(lines('(first: $n)'))).toBe(base + 100 * perRow);
  });

  it('refuses fifteen default-size user lists nested seven managers deep, and three 100-row policy pages in one operation', () => {
    const chain = (depth: number): string =>
      depth === 0 ? 'id name email phone' : `id name email manager { ${chain(depth - 1)} }`;
    const nested = Array.from({ length: 15 }, (_, i) => `a${i}: users { edges { node { ${chain(6)} } } }`);
    expect(costOf(`{ ${nested.join(' ')} }`)).toBeGreaterThan(OPERATION_LIMITS.maxCost);
    const policies = (LIST_PAGE_QUERIES.policies ?? '').slice(1, -1);
    const three = `{ a: ${policies} b: ${policies} c: ${policies} }`;
    expect(costOf(three)).toBeGreaterThan(OPERATION_LIMITS.maxCost);
  });
});
