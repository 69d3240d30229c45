import { beforeAll } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { createTestApp, type GraphQLResult } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { execWith, type InvoiceHarness, invoiceHarness } from '../../support/invoices.js';

/**
 * The invoices module through the real GraphQL server over DynamoDB Local, shared by the
 * invoices-graphql-*.int.test.ts files: each file gets its own app, brokerages and invoices
 * (`setUpInvoiceBook` in the file), read through these live bindings.
 */
export const clock = new FixedClock(new Date('2026-03-10T09:00:00Z'));
export const app = createTestApp(clock);
export let b: Brokerage;
export let other: Brokerage;
export let h: InvoiceHarness;

export type Inv = { id: string; number: string; reference: string; version: number; status: string };
export const ids: Record<'small' | 'policy' | 'franchise' | 'future', Inv> = {} as never;
export let clientId: string;
export let franchiseClientId: string;

export function gql<T = Record<string, never>>(
  principal: Principal | null,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResult<T>> {
  return execWith<T>(app, h.services, principal, query, variables);
}

export function data<T>(result: GraphQLResult<T>): T {
  if (result.errors || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

export async function issued(
  as: Principal,
  client: string,
  amount: string,
  dueDate: string,
  policyId?: string,
): Promise<Inv> {
  const created = data(
    await gql<{ createInvoice: { id: string } }>(
      as,
      'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id } }',
      {
        i: {
          clientId: client,
          ...(policyId ? { policyId } : {}),
          currency: 'EUR',
          lines: [{ description: 'Premium', unitPrice: amount }],
          issueDate: '2025-12-01',
          dueDate,
        },
      },
    ),
  );
  return data(
    await gql<{ issueInvoice: Inv }>(
      b.as.backoffice,
      'mutation($i: IssueInvoiceInput!) { issueInvoice(input: $i) { id number reference version status } }',
      { i: { id: created.createInvoice.id } },
    ),
  ).issueInvoice;
}

/** This file's brokerages, clients and four issued invoices (small, policy, franchise, future), swept once. */
export function setUpInvoiceBook(): void {
  beforeAll(async () => {
    [b, other] = await Promise.all([
      createBrokerage(app, 'GraphQL Invoices'),
      createBrokerage(app, 'Other Invoices Brokerage'),
    ]);
    h = invoiceHarness(app, clock);
    clientId = (
      await h.services.clients.records.createClient(b.as.advisor, personInput({ email: 'gq@example.com' }))
    ).id;
    franchiseClientId = (await h.services.clients.records.createClient(b.as.franchiseAdvisor, personInput()))
      .id;
    const policy = data(
      await gql<{ writePolicy: { id: string } }>(
        b.as.advisor,
        'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
        { i: mtplInput(b, clientId) },
      ),
    ).writePolicy.id;
    ids.small = await issued(b.as.advisor, clientId, '100.00', '2026-02-28');
    ids.policy = await issued(b.as.advisor, clientId, '500.00', '2025-12-31', policy);
    ids.franchise = await issued(b.as.franchiseAdvisor, franchiseClientId, '200.00', '2026-01-15');
    ids.future = await issued(b.as.advisor, clientId, '50.00', '2026-03-31');
    await h.services.invoices.dunning.sweepTenant(b.tenantId);
  });
}
