import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import type { TestApp } from '../../support/app.js';
import { type Brokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { must, policyChange } from '../commissions/commission-fixtures.js';

/**
 * What the settlement tests share: a policy sold through GraphQL with its commission lines booked by
 * the consumer, and the stored file behind a signed link.
 */

/** A new client's MTPL policy written on `writtenDate` (a year's term), its lines booked. */
export async function sell(app: TestApp, b: Brokerage, as: Principal, writtenDate: string): Promise<Policy> {
  const client = await must<{ createClient: { id: string } }>(
    app,
    as,
    'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
    { i: personInput() },
  );
  const written = await must<{ writePolicy: { id: string } }>(
    app,
    as,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    {
      i: mtplInput(b, client.createClient.id, {
        writtenDate,
        termStart: writtenDate,
        termEnd: `${Number(writtenDate.slice(0, 4)) + 1}${writtenDate.slice(4, 8)}${String(Number(writtenDate.slice(8)) - 1).padStart(2, '0')}`,
      }),
    },
  );
  const policy = await app.services.repositories.policies.getPolicyOfClient(
    b.tenantId,
    client.createClient.id,
    written.writePolicy.id,
  );
  if (!policy) throw new Error('policy not found');
  await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
  return policy;
}

/** The stored file behind a signed link (the memory store's link names bucket and key). */
export function fileOf(app: TestApp, url: string): string {
  const key = decodeURIComponent(new URL(url).pathname.slice(1));
  const body = app.objects.objects.get(`test-reports/${key}`)?.body;
  if (body === undefined) throw new Error(`no object behind ${url}`);
  return typeof body === 'string' ? body : new TextDecoder().decode(body);
}
