import { beforeAll } from 'vitest';
import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage } from '../../support/brokerage.js';
import {
  CREATE_SCHEME,
  mtplSchemeInput,
  must,
  policyChange,
  writeMtplPolicy,
} from './commission-fixtures.js';

/**
 * The ledger over DynamoDB Local, shared by the commission-ledger-*.int.test.ts files: schemes
 * through GraphQL, the stream consumer fed the policy changes the stream would carry (the
 * local-stack test drives the real stream). Each test file gets its own app and two brokerages
 * (`setUpLedgerBrokerages` in the file), read through these live bindings.
 */
export const app = createTestApp();
export let b: Brokerage;
export let other: Brokerage;

/** Creates this file's brokerages and the MTPL scheme before its tests. */
export function setUpLedgerBrokerages(): void {
  beforeAll(async () => {
    b = await createBrokerage(app, 'Commission Ledger Brokerage');
    other = await createBrokerage(app, 'Other Commission Brokerage');
    await must(app, b.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
  });
}

export async function stored(policyId: string, clientId: string): Promise<Policy> {
  const p = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, clientId, policyId);
  if (!p) throw new Error('policy not found');
  return p;
}

/** Writes a policy via GraphQL and feeds its INSERT to the consumer. */
export async function soldPolicy(overrides: Record<string, unknown> = {}) {
  const w = await writeMtplPolicy(app, b, overrides);
  const policy = await stored(w.id, w.clientId);
  const outcome = await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
  return { ...w, policy, outcome };
}

/** Moves a policy's status via GraphQL and feeds the MODIFY to the consumer. */
export async function move(mutation: string, before: Policy, date: string) {
  await must(app, b.as.advisor, mutation, {
    i: { id: before.id, expectedVersion: before.version, date, reason: 'client request' },
  });
  const after = await stored(before.id, before.clientId);
  const outcome = await app.services.commissions.consumer.onChange(policyChange(b.tenantId, after, before));
  return { after, outcome };
}
