import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../support/app.js';
import {
  type Brokerage,
  createBrokerage,
  fieldPaths,
  mtplInput,
  personInput,
} from '../../support/brokerage.js';
import { CREATE_SCHEME, lines, must, policyChange, writeMtplPolicy } from './commission-fixtures.js';

/** A policy carrying a target premium, written through GraphQL and booked by the consumer. */
const app = createTestApp();
let b: Brokerage;

beforeAll(async () => {
  b = await createBrokerage(app, 'Target Premium Brokerage');
  await must(app, b.as.manager, CREATE_SCHEME, {
    i: {
      name: 'Life',
      currency: 'CZK',
      versions: [
        {
          validFrom: '2026-01-01',
          rules: [
            {
              id: 'first-year',
              name: 'First year on target',
              ledger: 'ADVISOR',
              match: { businessType: 'NEW' },
              computation: { type: 'PERCENT', base: { kind: 'TARGET_PREMIUM' }, rate: '50' },
            },
            {
              id: 'renewal',
              name: 'Renewal on premium',
              ledger: 'ADVISOR',
              match: { businessType: 'RENEWAL' },
              computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '5' },
            },
          ],
        },
      ],
    },
  });
});

describe('target premium', () => {
  it('stores a policy’s target premium and pays the first year on it', async () => {
    const w = await writeMtplPolicy(app, b, { targetPremium: { amount: '9000.00', currency: 'CZK' } });
    const read = await must<{ policy: { premium: { amount: string }; targetPremium: { amount: string } } }>(
      app,
      b.as.advisor,
      'query($id: ID!) { policy(id: $id) { premium { amount } targetPremium { amount } } }',
      { id: w.id },
    );
    expect(read.policy).toEqual({ premium: { amount: '12000.00' }, targetPremium: { amount: '9000.00' } });
    const policy = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, w.clientId, w.id);
    if (!policy) throw new Error('policy not found');
    await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
    const booked = await lines(app, b.as.advisor, { policyId: w.id });
    expect(booked.map((l) => [l.explanation.ruleId, l.amount.amount, l.explanation.formula])).toEqual([
      ['first-year', '4500.00', '9,000.00 × 50% (First year on target, v1) = 4,500.00'],
    ]);
  });

  it('refuses a target premium in another currency than the premium', async () => {
    const client = await must<{ createClient: { id: string } }>(
      app,
      b.as.advisor,
      'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
      { i: personInput() },
    );
    const result = await app.exec(
      b.as.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      {
        i: mtplInput(b, client.createClient.id, { targetPremium: { amount: '9000.00', currency: 'EUR' } }),
      },
    );
    expect(fieldPaths(result)).toEqual(['input.targetPremium.currency']);
  });
});
