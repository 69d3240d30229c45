import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { createTestApp, errorCode, principalFor } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * The partner portal's self-service: the brokerage makes a partner's admin, who adds a portal user
 * and a sub-agent with a user of its own; each sees only the clients its own partner referred.
 */
const app = createTestApp();
let b: Brokerage;

const CREATE_USER =
  'mutation($i: CreatePartnerUserInput!) { createPartnerUser(input: $i) { id name partnerId partnerAdmin active } }';
const REFERRED = '{ referredClients(first: 100) { edges { node { id status } } } }';

async function createPartnerUser(as: Principal, input: Record<string, unknown>) {
  const result = await app.exec<{
    createPartnerUser: { id: string; partnerId: string; partnerAdmin: boolean };
  }>(as, CREATE_USER, { i: input });
  expect(result.errors).toBeUndefined();
  const user = result.data?.createPartnerUser;
  if (!user) throw new Error('no user');
  return user;
}

/** The token such a user would carry. */
const portalPrincipal = (user: { id: string; partnerId: string }) =>
  principalFor(b.tenantId, 'partner', { userId: user.id, partnerId: user.partnerId });

async function referredBy(partnerId: string): Promise<string> {
  const client = await app.services.clients.records.createClient(
    b.as.advisor,
    personInput({ acquisitionType: 'PARTNER_REFERRAL', referringPartnerId: partnerId }),
  );
  return client.id;
}

async function referredIds(as: Principal): Promise<string[]> {
  const result = await app.exec<{ referredClients: { edges: Array<{ node: { id: string } }> } }>(
    as,
    REFERRED,
  );
  expect(result.errors).toBeUndefined();
  return (result.data?.referredClients.edges ?? []).map((e) => e.node.id).sort();
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Partner Portal Brokerage');
});

describe('the partner portal', () => {
  it('lets a partner admin add a sub-agent whose user then sees only the sub-agent’s own referrals', async () => {
    const headAdmin = portalPrincipal(
      await createPartnerUser(b.as.manager, {
        partnerId: b.partnerId,
        name: 'Head Admin',
        email: `head-admin@${b.tenantId}.test`,
        partnerAdmin: true,
      }),
    );
    const created = await app.exec<{ createSubAgent: { id: string; name: string } }>(
      headAdmin,
      'mutation($i: CreateSubAgentInput!) { createSubAgent(input: $i) { id name } }',
      { i: { name: 'Corner Garage' } },
    );
    expect(created.errors).toBeUndefined();
    const subAgentId = created.data?.createSubAgent.id ?? '';
    const subUser = await createPartnerUser(headAdmin, {
      partnerId: subAgentId,
      name: 'Garage Agent',
      email: `garage@${b.tenantId}.test`,
    });
    expect(subUser).toMatchObject({ partnerId: subAgentId, partnerAdmin: false });

    const headsClient = await referredBy(b.partnerId);
    const subAgentsClient = await referredBy(subAgentId);
    await expect(referredIds(portalPrincipal(subUser))).resolves.toEqual([subAgentsClient]);
    const headSees = await referredIds(headAdmin);
    expect(headSees).toContain(headsClient);
    expect(headSees).not.toContain(subAgentsClient);

    const subAgents = await app.exec<{ subAgents: { edges: Array<{ node: { id: string } }> } }>(
      headAdmin,
      '{ subAgents { edges { node { id } } } }',
    );
    expect(subAgents.data?.subAgents.edges.map((e) => e.node.id)).toEqual([subAgentId]);
    const users = await app.exec<{ partnerUsers: { edges: Array<{ node: { name: string } }> } }>(
      headAdmin,
      'query($p: ID) { partnerUsers(partnerId: $p) { edges { node { name } } } }',
      { p: subAgentId },
    );
    expect(users.data?.partnerUsers.edges.map((e) => e.node.name)).toEqual(['Garage Agent']);
  });

  it('shows a partner its referred client’s policies and offers with status, product line and dates only', async () => {
    const portalUser = portalPrincipal(
      await createPartnerUser(b.as.admin, {
        partnerId: b.partnerId,
        name: 'Policy Watcher',
        email: `watcher@${b.tenantId}.test`,
      }),
    );
    const clientId = await referredBy(b.partnerId);
    const written = await app.exec<{ writePolicy: { id: string } }>(
      b.as.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      { i: mtplInput(b, clientId) },
    );
    expect(written.errors).toBeUndefined();
    const result = await app.exec<{
      referredClients: {
        edges: Array<{ node: { id: string; productLines: string[]; policies: unknown[] } }>;
      };
    }>(
      portalUser,
      '{ referredClients(first: 100) { edges { node { id productLines policies { id status productLineCode termStart termEnd inForce } } } } }',
    );
    expect(result.errors).toBeUndefined();
    const node = result.data?.referredClients.edges.find((e) => e.node.id === clientId)?.node;
    expect(node?.productLines).toEqual(['MTPL']);
    expect(node?.policies).toEqual([
      {
        id: written.data?.writePolicy.id,
        status: 'ACTIVE',
        productLineCode: 'MTPL',
        termStart: mtplInput(b, clientId).termStart,
        termEnd: '2027-01-14',
        inForce: true,
      },
    ]);
  });

  it('refuses user management to partner users who are not admins, and beyond the admin’s own network', async () => {
    const plain = portalPrincipal(
      await createPartnerUser(b.as.admin, {
        partnerId: b.partnerId,
        name: 'Plain User',
        email: `plain@${b.tenantId}.test`,
      }),
    );
    const byPlain = await app.exec(plain, CREATE_USER, {
      i: { name: 'Nope', email: `nope@${b.tenantId}.test` },
    });
    expect(errorCode(byPlain)).toBe('FORBIDDEN');
    expect(errorCode(await app.exec(plain, '{ subAgents { edges { node { id } } } }'))).toBe('FORBIDDEN');
    expect(
      errorCode(await app.exec(plain, 'mutation { createSubAgent(input: { name: "Mine" }) { id } }')),
    ).toBe('FORBIDDEN');

    const other = await app.services.org.partners.createPartner(b.admin, {
      name: 'Rival Ltd',
      kind: 'EXTERNAL',
    });
    const headAdmin = portalPrincipal(
      await createPartnerUser(b.as.admin, {
        partnerId: b.partnerId,
        name: 'Second Admin',
        email: `admin2@${b.tenantId}.test`,
        partnerAdmin: true,
      }),
    );
    const beyond = await app.exec(headAdmin, CREATE_USER, {
      i: { partnerId: other.id, name: 'Spy', email: `spy@${b.tenantId}.test` },
    });
    expect(errorCode(beyond)).toBe('FORBIDDEN');
    const advisor = await app.exec(b.as.advisor, CREATE_USER, {
      i: { partnerId: b.partnerId, name: 'X', email: `x@${b.tenantId}.test` },
    });
    expect(errorCode(advisor)).toBe('FORBIDDEN');
  });
});
