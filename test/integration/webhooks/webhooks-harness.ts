import { beforeAll, expect } from 'vitest';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage } from '../../support/brokerage.js';
import { createMappedInsurer } from './webhook-support.js';

/**
 * Insurer webhooks over DynamoDB Local, shared by the webhooks-*.int.test.ts files: each file gets its
 * own app, brokerage and signed insurer (`setUpSignedInsurer` in the file), read through these live
 * bindings.
 */
export const app = createTestApp();
export let b: Brokerage;
export let insurerId: string;
export let secret: string;

export function setUpSignedInsurer(): void {
  beforeAll(async () => {
    b = await createBrokerage(app, 'Webhook Brokerage');
    ({ insurerId, secret } = await createMappedInsurer(app, b, 'Signed Insurer'));
  });
}

const POLICIES_OF_INSURER = `query($f: PolicyListFilter) { policies(filter: $f, first: 100) {
  edges { node { id policyNumber status source premium { amount currency } } } } }`;

export type PolicyNode = {
  id: string;
  policyNumber: string;
  status: string;
  source: string;
  premium: { amount: string; currency: string };
};

/** Every policy of an insurer, in every status, as the admin lists them. */
export async function policiesOf(id: string): Promise<PolicyNode[]> {
  const statuses = ['ACTIVE', 'CANCELLED', 'REACTIVATED', 'RENEWED', 'OFFER'];
  const all: PolicyNode[] = [];
  for (const status of statuses) {
    const result = await app.exec<{ policies: { edges: Array<{ node: PolicyNode }> } }>(
      b.admin,
      POLICIES_OF_INSURER,
      { f: { insurerId: id, status } },
    );
    expect(result.errors).toBeUndefined();
    all.push(...(result.data?.policies.edges.map((e) => e.node) ?? []));
  }
  return all;
}

/** The archive objects of a delivery. */
export function archivedKeys(webhookId: string): string[] {
  return [...app.objects.objects.keys()].filter(
    (k) => k.startsWith('test-archive/') && k.endsWith(`/${webhookId}.json`),
  );
}
