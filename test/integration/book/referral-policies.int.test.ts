import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { must } from '../commissions/commission-fixtures.js';

/**
 * The partner portal's `ReferredClient.policies` and `productLines` over DynamoDB Local: a page of
 * referrals loads its clients' policies in one batch per request (one BatchGetItem for the clients'
 * referral check, one Query per client's policies), shared by both fields.
 */
const app = createTestApp();
let b: Brokerage;
const CLIENTS = 4;

beforeAll(async () => {
  b = await createBrokerage(app, 'Referral Batching Brokerage');
  for (let i = 0; i < CLIENTS; i++) {
    const client = await must<{ createClient: { id: string } }>(
      app,
      b.as.advisor,
      'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
      { i: personInput({ acquisitionType: 'PARTNER_REFERRAL', referringPartnerId: b.partnerId }) },
    );
    await must(app, b.as.advisor, 'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }', {
      i: mtplInput(b, client.createClient.id),
    });
  }
});

describe('ReferredClient.policies', () => {
  it("reads a page's policies in one batch: one BatchGetItem and one Query per client, not two card reads per client", async () => {
    app.db.stats.reset();
    const data = await must<{
      referredClients: {
        edges: Array<{ node: { policies: Array<{ status: string }>; productLines: string[] } }>;
      };
    }>(
      app,
      b.as.partner,
      '{ referredClients(first: 10) { edges { node { policies { status } productLines } } } }',
    );
    const nodes = data.referredClients.edges.map((e) => e.node);
    expect(nodes).toHaveLength(CLIENTS);
    for (const node of nodes) {
      expect(node.policies).toHaveLength(1);
      expect(node.productLines).toEqual(['MTPL']);
    }
    expect(app.db.stats.requests.BatchGetItem).toBe(1);
    // The list's own Query, then one per client's policies.
    expect(app.db.stats.requests.Query).toBe(1 + CLIENTS);
  });
});
