import type { Policy } from '../../../functions/modules/policies/index.js';
import type { TestApp } from '../../support/app.js';
import { type Brokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { CREATE_SCHEME, must, policyChange } from '../commissions/commission-fixtures.js';

/**
 * A referral scheme (the partner 5 %, the advisor 6 % of the written premium) and one MTPL policy of
 * a client the brokerage's partner referred, booked by the commission consumer: the partner and the
 * advisor each get one line in 2026-01 (CZK 600.00 and CZK 720.00 of the CZK 12,000.00 premium).
 */
export async function referredPolicyWithLines(
  app: TestApp,
  b: Brokerage,
  client: Record<string, unknown> = {},
): Promise<{ clientId: string }> {
  const percent = (rate: string) => ({ type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate });
  await must(app, b.as.manager, CREATE_SCHEME, {
    i: {
      name: 'Referrals',
      currency: 'CZK',
      versions: [
        {
          validFrom: '2026-01-01',
          rules: [
            { id: 'referral', name: 'Referral fee', ledger: 'PARTNER', computation: percent('5') },
            { id: 'advisor', name: 'Advisor', ledger: 'ADVISOR', computation: percent('6') },
          ],
        },
      ],
    },
  });
  const created = await must<{ createClient: { id: string } }>(
    app,
    b.as.advisor,
    'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
    { i: personInput({ ...client, acquisitionType: 'PARTNER_REFERRAL', referringPartnerId: b.partnerId }) },
  );
  const clientId = created.createClient.id;
  const written = await must<{ writePolicy: { id: string } }>(
    app,
    b.as.advisor,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    { i: mtplInput(b, clientId) },
  );
  const policy = await app.services.repositories.policies.getPolicyOfClient(
    b.tenantId,
    clientId,
    written.writePolicy.id,
  );
  await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy as Policy));
  return { clientId };
}
