import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../infra/catalog.js';

/**
 * What one tenant's burst may take (docs/scale.md, section 5), as the catalog declares it; that each
 * function's reserved concurrency reaches its Lambda is asserted on a synthesized stack in
 * change-consumers.test.ts.
 */
describe('reserved concurrency in the catalog', () => {
  const reserved = (name: string) => CATALOG.find((f) => f.name === name)?.reservedConcurrency;

  it('caps the functions one tenant’s burst could multiply: imports 4, webhooks 10, bus consumers 10, reports 5, the API 100', () => {
    expect({
      imports: reserved('imports'),
      webhooks: reserved('webhooks'),
      debtors: reserved('debtors'),
      'outgoing-webhooks': reserved('outgoing-webhooks'),
      reports: reserved('reports'),
      graphql: reserved('graphql'),
    }).toEqual({ imports: 4, webhooks: 10, debtors: 10, 'outgoing-webhooks': 10, reports: 5, graphql: 100 });
  });

  it('leaves at least 100 of an account’s default 1,000 concurrent executions unreserved', () => {
    const total = CATALOG.reduce((sum, spec) => sum + (spec.reservedConcurrency ?? 0), 0);
    expect(1000 - total).toBeGreaterThanOrEqual(100);
  });
});
