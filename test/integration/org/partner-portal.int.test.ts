import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { windowStartOf } from '../../../functions/shared/rate-window.js';
import { EntityType, keys } from '../../../functions/shared/table-design.js';
import { createTestApp, errorCode, principalFor } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * The partner portal's self-service: the brokerage makes a partner's admin, who adds a portal user
 * and a sub-agent with a user of its own; each sees only the clients its own partner referred.
 * Partners submit leads (`submitPartnerLead`) filed through the brokerage's partner lead form.
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

const SUBMIT = `mutation($i: SubmitPartnerLeadInput!) { submitPartnerLead(input: $i) {
  id externalReference referredClientId status submittedAt duplicate } }`;

interface Receipt {
  id: string;
  externalReference: string | null;
  referredClientId: string | null;
  status: 'REFERRED' | 'NOT_ATTRIBUTED';
  submittedAt: string;
  duplicate: boolean;
}

const GIVEN_AT = '2026-11-30T09:15:00+01:00';
const leadInput = (over: Record<string, unknown> = {}) => ({
  kind: 'PERSON',
  firstName: 'Petra',
  lastName: 'Dvořáková',
  email: `petra.dvorakova@${b.tenantId}.test`,
  phone: '+420602111222',
  productInterest: ['MTPL'],
  note: 'Buying a car in January',
  consents: [
    { channel: 'DATA_PROCESSING', given: true, text: 'Consent form v3, art. 2', givenAt: GIVEN_AT },
    { channel: 'SMS', given: true, text: 'Consent form v3, art. 4', givenAt: GIVEN_AT },
  ],
  ...over,
});

async function submit(as: Principal, input: Record<string, unknown>) {
  return app.exec<{ submitPartnerLead: Receipt }>(as, SUBMIT, { i: input });
}

async function submitted(as: Principal, input: Record<string, unknown>): Promise<Receipt> {
  const result = await submit(as, input);
  expect(result.errors).toBeUndefined();
  return result.data?.submitPartnerLead as Receipt;
}

/** The brokerage's form partner leads are filed through: the own branch's advisors take them. */
async function createPartnerLeadForm(brokerage: Brokerage) {
  const form = await app.exec(
    brokerage.as.manager,
    'mutation($i: CreateLeadFormInput!) { createLeadForm(input: $i) { id takesPartnerLeads } }',
    {
      i: {
        name: 'Partner portal leads',
        branchId: brokerage.ownBranchId,
        leadSourceId: brokerage.leadSourceId,
        takesPartnerLeads: true,
      },
    },
  );
  expect(form.errors).toBeUndefined();
}

async function openTasksOf(brokerage: Brokerage, clientId: string) {
  const items = await app.services.repositories.clients.clientCard(brokerage.tenantId, clientId);
  return Promise.all(
    (items?.openTasks ?? []).map((t) => app.services.tasks.reads.getTask(brokerage.as.admin, t.id)),
  );
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Partner Portal Brokerage');
  await createPartnerLeadForm(b);
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

describe('submitPartnerLead', () => {
  it('files one potential client referred by the partner, its consents and one task for the brokerage; a repeat files nothing', async () => {
    const input = leadInput({ externalReference: 'CRM-1001' });
    const receipt = await submitted(b.as.partner, input);
    expect(receipt).toMatchObject({ externalReference: 'CRM-1001', status: 'REFERRED', duplicate: false });
    const clientId = receipt.referredClientId as string;
    const client = await app.services.clients.book.getClient(b.tenantId, clientId);
    expect(client).toMatchObject({
      kind: 'PERSON',
      status: 'POTENTIAL',
      referringPartnerId: b.partnerId,
      acquisitionType: 'PARTNER_REFERRAL',
      leadSourceId: b.leadSourceId,
      branchId: b.ownBranchId,
      phone: '+420602111222',
    });
    expect(client?.consents.map((c) => [c.channel, c.granted, c.how])).toEqual([
      ['DATA_PROCESSING', true, `partner:${b.partnerId}, given ${GIVEN_AT}: Consent form v3, art. 2`],
      ['SMS', true, `partner:${b.partnerId}, given ${GIVEN_AT}: Consent form v3, art. 4`],
    ]);
    const tasks = await openTasksOf(b, clientId);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ typeCode: 'CALL', clientId, assigneeId: client?.ownerAdvisorId });
    expect(tasks[0]?.note).toContain('Interested in: MTPL');
    await expect(referredIds(b.as.partner)).resolves.toContain(clientId);

    const again = await submitted(b.as.partner, { ...input, firstName: 'Petr' });
    expect(again).toEqual({ ...receipt, duplicate: true });
    await expect(openTasksOf(b, clientId)).resolves.toHaveLength(1);
    await expect(
      app.services.clients.book.ownerOfUnique(b.tenantId, 'CLIENT_EMAIL', input.email),
    ).resolves.toBe(clientId);

    // The same person again without a reference: matched to the partner's own referral, not duplicated.
    const followUp = await submitted(b.as.partner, leadInput({ consents: [] }));
    expect(followUp).toMatchObject({ referredClientId: clientId, status: 'REFERRED', duplicate: false });
    await expect(openTasksOf(b, clientId)).resolves.toHaveLength(2);
  });

  it('matches a person the brokerage knows without attributing them or telling the partner anything of them', async () => {
    const own = await app.services.clients.records.createClient(
      b.as.advisor,
      personInput({ email: `own-client@${b.tenantId}.test` }),
    );
    const rival = await app.services.org.partners.createPartner(b.admin, {
      name: 'Rival Leads',
      kind: 'EXTERNAL',
    });
    const rivals = await app.services.clients.records.createClient(
      b.as.advisor,
      personInput({
        email: `rivals-client@${b.tenantId}.test`,
        acquisitionType: 'PARTNER_REFERRAL',
        referringPartnerId: rival.id,
      }),
    );
    for (const [known, email] of [
      [own, `own-client@${b.tenantId}.test`],
      [rivals, `rivals-client@${b.tenantId}.test`],
    ] as const) {
      const receipt = await submitted(b.as.partner, leadInput({ email, consents: [] }));
      expect(receipt).toMatchObject({ referredClientId: null, status: 'NOT_ATTRIBUTED', duplicate: false });
      const after = await app.services.clients.book.getClient(b.tenantId, known.id);
      expect(after?.referringPartnerId).toBe(known.referringPartnerId);
      await expect(referredIds(b.as.partner)).resolves.not.toContain(known.id);
      await expect(openTasksOf(b, known.id)).resolves.toHaveLength(1);
    }
  });

  it('refuses other roles (FORBIDDEN) and answers bad input with field paths', async () => {
    for (const as of [b.as.advisor, b.as.manager, b.admin])
      expect(errorCode(await submit(as, leadInput()))).toBe('FORBIDDEN');
    const bad = await submit(
      b.as.partner,
      leadInput({
        email: 'not-an-email',
        consents: [{ channel: 'SMS', given: false, text: ' ', givenAt: GIVEN_AT }],
      }),
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const fieldErrors = (bad.errors?.[0]?.extensions?.fieldErrors ?? []) as Array<{ path: string }>;
    const paths = fieldErrors.map((e) => e.path);
    expect(paths.sort()).toEqual(['input.consents.0.given', 'input.consents.0.text', 'input.email']);
    const noName = await submit(b.as.partner, leadInput({ lastName: null, email: null, phone: null }));
    expect(noName.errors?.[0]?.extensions?.fieldErrors).toEqual([
      { path: 'input.lastName', message: 'is required for a person' },
      { path: 'input.email', message: 'an e-mail or a phone is required' },
    ]);
    const unknownProduct = await submit(
      b.as.partner,
      leadInput({ productInterest: ['MTPL', 'SPACE_TRAVEL'] }),
    );
    expect(unknownProduct.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'input.productInterest.1' }],
    });
  });

  it("files a sub-agent's lead as the sub-agent's own referral and limits each partner's leads per hour", async () => {
    const subAgent = await app.services.org.partners.createPartner(b.admin, {
      name: 'Corner Shop',
      kind: 'EXTERNAL',
    });
    const subAgentUser = principalFor(b.tenantId, 'partner', {
      userId: 'corner-user',
      partnerId: subAgent.id,
    });
    const receipt = await submitted(
      subAgentUser,
      leadInput({ kind: 'COMPANY', companyName: 'Autodoprava s.r.o.', email: `fleet@${b.tenantId}.test` }),
    );
    const client = await app.services.clients.book.getClient(b.tenantId, receipt.referredClientId as string);
    expect(client).toMatchObject({ kind: 'COMPANY', segment: 'BUSINESS', referringPartnerId: subAgent.id });
    await expect(referredIds(subAgentUser)).resolves.toEqual([client?.id]);
    await expect(referredIds(b.as.partner)).resolves.not.toContain(client?.id);

    // The hour's window already holds 60 leads (this hour's and the next, should the clock turn meanwhile).
    const start = windowStartOf(new Date(), 3600);
    for (const s of [start, start + 3600]) {
      const key = keys.partnerLeadRateWindow(b.tenantId, subAgent.id, s);
      await app.db.put({
        ...key,
        type: EntityType.LeadRateWindow,
        tenantId: b.tenantId,
        version: 1,
        hits: 60,
      });
    }
    const limited = await submit(subAgentUser, leadInput({ email: `late@${b.tenantId}.test` }));
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    await expect(
      app.services.clients.book.ownerOfUnique(b.tenantId, 'CLIENT_EMAIL', `late@${b.tenantId}.test`),
    ).resolves.toBeUndefined();
  });

  it("keeps each tenant's leads and references apart", async () => {
    const other = await createBrokerage(app, 'Other Portal Brokerage');
    await createPartnerLeadForm(other);
    const mine = await submitted(
      b.as.partner,
      leadInput({ email: `twice@${b.tenantId}.test`, externalReference: 'SHARED-REF' }),
    );
    const theirs = await submitted(
      other.as.partner,
      leadInput({ email: `twice@${b.tenantId}.test`, externalReference: 'SHARED-REF' }),
    );
    expect(theirs).toMatchObject({ status: 'REFERRED', duplicate: false });
    expect(theirs.referredClientId).not.toBe(mine.referredClientId);
    await expect(referredIds(other.as.partner)).resolves.toEqual([theirs.referredClientId]);
    await expect(referredIds(b.as.partner)).resolves.not.toContain(theirs.referredClientId);
    await expect(
      app.services.clients.book.getClient(b.tenantId, theirs.referredClientId as string),
    ).resolves.toBeUndefined();
  });
});
