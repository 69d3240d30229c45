import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorCode } from '../../support/app.js';
import {
  type Brokerage,
  createBrokerage,
  fieldPaths,
  mtplInput,
  personInput,
} from '../../support/brokerage.js';

const app = createTestApp();
let b: Brokerage;

const CREATE = `mutation($input: CreateClientInput!) { createClient(input: $input) { id name status version nationalId ownerAdvisor { id name } branch { id } } }`;
const CARD = `query($id: ID!) { clientCard(id: $id) {
  client { id name status version ownerAdvisor { id name } branch { name kind } leadSource { name } }
  contacts { id name role }
  policies { id policyNumber premium { amount currency } insurer { name } productLine { code } seller { name } }
  openTasks { id } openInvoices { id } balance { amount } } }`;

type Created = { createClient: { id: string; name: string; status: string; version: number } };

async function createClient(
  as: Brokerage['as'][keyof Brokerage['as']],
  overrides: Record<string, unknown> = {},
) {
  const result = await app.exec<Created>(as, CREATE, { input: personInput(overrides) });
  if (!result.data?.createClient) throw new Error(JSON.stringify(result.errors));
  return result.data.createClient;
}

beforeAll(async () => {
  b = await createBrokerage(app);
});

describe('clients', () => {
  it('creates a person owned by the calling advisor in their branch, as a potential client', async () => {
    const result = await app.exec<{ createClient: Record<string, unknown> }>(b.as.advisor, CREATE, {
      input: personInput({ nationalId: '900101/1234', email: 'Jana@Example.com' }),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.createClient).toMatchObject({
      name: 'Nováková Jana',
      status: 'POTENTIAL',
      version: 1,
      nationalId: '9001011234',
      ownerAdvisor: { id: b.advisorId, name: 'Adam Advisor' },
      branch: { id: b.ownBranchId },
    });
  });

  it('refuses a second client with the same national id, however it is written, and writes nothing', async () => {
    await createClient(b.as.advisor, { nationalId: '850505/0001', lastName: 'First' });
    const duplicate = await app.exec(b.as.manager, CREATE, {
      input: personInput({ nationalId: '8505050001', lastName: 'Second' }),
    });
    expect(errorCode(duplicate)).toBe('ALREADY_EXISTS');
    expect(duplicate.errors?.[0]?.extensions?.field).toBe('nationalId');
    const list = await app.exec<{ clients: { edges: Array<{ node: { name: string } }> } }>(
      b.as.admin,
      `{ clients(filter: { status: POTENTIAL }, first: 100) { edges { node { name } } } }`,
    );
    expect(list.data?.clients.edges.map((e) => e.node.name)).not.toContain('Second Jana');
  });

  it('refuses a duplicate e-mail and a company without a name, with field paths', async () => {
    await createClient(b.as.advisor, { email: 'dup@example.com' });
    const dup = await app.exec(b.as.advisor, CREATE, { input: personInput({ email: 'DUP@example.com' }) });
    expect(errorCode(dup)).toBe('ALREADY_EXISTS');
    const bad = await app.exec(b.as.advisor, CREATE, {
      input: {
        kind: 'COMPANY',
        segment: 'BUSINESS',
        acquisitionType: 'PARTNER_REFERRAL',
        email: 'not-an-email',
      },
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    const paths = fieldPaths(bad);
    expect(paths).toEqual(
      expect.arrayContaining(['input.companyName', 'input.email', 'input.referringPartnerId']),
    );
  });

  it('moves a client through the status workflow, keeps each step, and refuses a skipped step', async () => {
    const client = await createClient(b.as.advisor, { status: 'ACTIVE' });
    const change = `mutation($input: ChangeClientStatusInput!) { changeClientStatus(input: $input) { status version } }`;
    const lost = await app.exec<{ changeClientStatus: { status: string; version: number } }>(
      b.as.advisor,
      change,
      {
        input: { id: client.id, expectedVersion: 1, status: 'LOST', reason: 'Moved abroad' },
      },
    );
    expect(lost.data?.changeClientStatus).toEqual({ status: 'LOST', version: 2 });
    const stale = await app.exec(b.as.advisor, change, {
      input: { id: client.id, expectedVersion: 1, status: 'ACTIVE', reason: 'Back' },
    });
    expect(errorCode(stale)).toBe('CONFLICT');
    const potential = await createClient(b.as.advisor);
    const skip = await app.exec(b.as.advisor, change, {
      input: { id: potential.id, expectedVersion: 1, status: 'POTENTIAL', reason: 'no-op' },
    });
    expect(errorCode(skip)).toBe('RULE_VIOLATION');
    const timeline = await app.exec<{ clientTimeline: { edges: Array<{ node: Record<string, unknown> }> } }>(
      b.as.advisor,
      `query($id: ID!) { clientTimeline(clientId: $id) { edges { node { kind fromStatus toStatus reason by } } } }`,
      { id: client.id },
    );
    expect(timeline.data?.clientTimeline.edges.map((e) => e.node)).toEqual([
      {
        kind: 'STATUS_CHANGED',
        fromStatus: 'ACTIVE',
        toStatus: 'LOST',
        reason: 'Moved abroad',
        by: b.advisorId,
      },
      { kind: 'CREATED', fromStatus: null, toStatus: 'ACTIVE', reason: null, by: b.advisorId },
    ]);
  });

  it('merges notes, consents and policy events on the timeline, newest first, in pages', async () => {
    const client = await createClient(b.as.advisor);
    await app.exec(b.as.advisor, `mutation($i: AddNoteInput!) { addNote(input: $i) { id } }`, {
      i: { clientId: client.id, kind: 'CALL', text: 'Asked about casco for the new car' },
    });
    await app.exec(
      b.as.advisor,
      `mutation($i: RecordConsentInput!) { recordConsent(input: $i) { version } }`,
      {
        i: { clientId: client.id, expectedVersion: 1, channel: 'SMS', granted: true, how: 'signed form' },
      },
    );
    const written = await app.exec(
      b.as.advisor,
      `mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }`,
      {
        i: mtplInput(b, client.id),
      },
    );
    expect(written.errors).toBeUndefined();
    const page1 = await app.exec<{
      clientTimeline: {
        edges: Array<{ node: { kind: string } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    }>(
      b.as.advisor,
      `query($id: ID!) { clientTimeline(clientId: $id, first: 3) { edges { node { kind } } pageInfo { hasNextPage endCursor } } }`,
      {
        id: client.id,
      },
    );
    expect(page1.data?.clientTimeline.edges.map((e) => e.node.kind)).toEqual([
      'STATUS_CHANGED',
      'POLICY_WRITTEN',
      'CONSENT',
    ]);
    expect(page1.data?.clientTimeline.pageInfo.hasNextPage).toBe(true);
    const page2 = await app.exec<{ clientTimeline: { edges: Array<{ node: { kind: string } }> } }>(
      b.as.advisor,
      `query($id: ID!, $after: String) { clientTimeline(clientId: $id, first: 3, after: $after) { edges { node { kind } } } }`,
      { id: client.id, after: page1.data?.clientTimeline.pageInfo.endCursor },
    );
    expect(page2.data?.clientTimeline.edges.map((e) => e.node.kind)).toEqual(['NOTE', 'CREATED']);
  });

  it('serves the client card with contacts and policies from one Query and one BatchGet', async () => {
    const client = await createClient(b.as.advisor, { leadSourceId: b.leadSourceId });
    await app.exec(b.as.advisor, `mutation($i: AddContactInput!) { addContact(input: $i) { id } }`, {
      i: { clientId: client.id, name: 'Petr Novák', role: 'spouse', phone: '+420601234567' },
    });
    await app.exec(b.as.advisor, `mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }`, {
      i: mtplInput(b, client.id),
    });
    await app.exec(b.as.advisor, `mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }`, {
      i: mtplInput(b, client.id, { insurerId: b.otherInsurerId }),
    });
    app.db.stats.reset();
    const card = await app.exec<{ clientCard: Record<string, unknown> & { policies: unknown[] } }>(
      b.as.advisor,
      CARD,
      { id: client.id },
    );
    expect(card.errors).toBeUndefined();
    expect(app.db.stats.requests).toEqual({ Query: 1, BatchGetItem: 1 });
    expect(card.data?.clientCard).toMatchObject({
      client: {
        id: client.id,
        status: 'ACTIVE',
        ownerAdvisor: { name: 'Adam Advisor' },
        branch: { kind: 'OWN' },
        leadSource: { name: 'Web form' },
      },
      contacts: [{ name: 'Petr Novák', role: 'spouse' }],
      openTasks: [],
      openInvoices: [],
      balance: null,
    });
    expect(card.data?.clientCard.policies).toHaveLength(2);
    expect(card.data?.clientCard.policies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          insurer: { name: 'Allianz' },
          productLine: { code: 'MTPL' },
          seller: { name: 'Adam Advisor' },
        }),
      ]),
    );
  });

  it('lists current, lost and potential clients within the caller scope', async () => {
    const mine = await createClient(b.as.subAgent, { lastName: 'Subagentova' });
    const list = `query($f: ClientListFilter) { clients(filter: $f, first: 100) { edges { node { id ownerAdvisor { id } } } } }`;
    const own = await app.exec<{
      clients: { edges: Array<{ node: { id: string; ownerAdvisor: { id: string } } }> };
    }>(b.as.subAgent, list, { f: { status: 'POTENTIAL' } });
    expect(own.data?.clients.edges.map((e) => e.node.id)).toEqual([mine.id]);
    const forbidden = await app.exec(b.as.subAgent, list, { f: { ownerAdvisorId: b.advisorId } });
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    const branch = await app.exec<{ clients: { edges: Array<{ node: { id: string } }> } }>(
      b.as.manager,
      list,
      {
        f: { branchId: b.ownBranchId, status: 'POTENTIAL' },
      },
    );
    expect(branch.data?.clients.edges.map((e) => e.node.id)).toContain(mine.id);
    const otherBranch = await app.exec(b.as.manager, list, { f: { branchId: b.franchiseBranchId } });
    expect(errorCode(otherBranch)).toBe('FORBIDDEN');
  });

  it('keeps another advisor out of a client and hands it over with its policies', async () => {
    const client = await createClient(b.as.advisor);
    const policy = await app.exec<{ writePolicy: { id: string } }>(
      b.as.advisor,
      `mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }`,
      { i: mtplInput(b, client.id) },
    );
    const peek = await app.exec(b.as.franchiseAdvisor, `query($id: ID!) { client(id: $id) { name } }`, {
      id: client.id,
    });
    expect(errorCode(peek)).toBe('FORBIDDEN');
    const outOfScope = await app.exec(
      b.as.manager,
      `mutation($i: TransferClientInput!) { transferClient(input: $i) { id } }`,
      {
        i: {
          clientId: client.id,
          expectedVersion: 2,
          toAdvisorId: b.franchiseAdvisorId,
          reason: 'Not my branch',
        },
      },
    );
    expect(errorCode(outOfScope)).toBe('FORBIDDEN');
    const move = await app.exec<{ transferClient: Record<string, unknown> }>(
      b.as.backoffice,
      `mutation($i: TransferClientInput!) { transferClient(input: $i) { ownerAdvisor { id } branch { id } version } }`,
      {
        i: {
          clientId: client.id,
          expectedVersion: 2,
          toAdvisorId: b.franchiseAdvisorId,
          reason: 'Client moved to Pilsen',
        },
      },
    );
    expect(move.errors).toBeUndefined();
    expect(move.data?.transferClient).toEqual({
      ownerAdvisor: { id: b.franchiseAdvisorId },
      branch: { id: b.franchiseBranchId },
      version: 3,
    });
    const now = await app.exec<{ policy: Record<string, unknown> }>(
      b.as.franchiseAdvisor,
      `query($id: ID!) { policy(id: $id) { servicingAdvisor { id } seller { id } branch { id } } }`,
      { id: policy.data?.writePolicy.id },
    );
    // The seller stays; the servicing advisor and branch (which decide reach) follow the client.
    expect(now.data?.policy).toEqual({
      servicingAdvisor: { id: b.franchiseAdvisorId },
      seller: { id: b.advisorId },
      branch: { id: b.franchiseBranchId },
    });
  });

  it('hands a leaving advisor’s whole book to another advisor in one operation', async () => {
    const leaving = await app.services.org.structure.createUser(b.admin, {
      name: 'Lea Leaving',
      email: `lea@${b.tenantId}.test`,
      role: 'advisor',
      scope: 'own',
      branchId: b.ownBranchId,
    });
    const as = { ...b.as.advisor, userId: leaving.id };
    await createClient(as, { lastName: 'One' });
    await createClient(as, { lastName: 'Two' });
    const result = await app.exec<{ transferBook: { transferred: number } }>(
      b.as.backoffice,
      `mutation($i: TransferBookInput!) { transferBook(input: $i) { transferred } }`,
      { i: { fromAdvisorId: leaving.id, toAdvisorId: b.advisorId, reason: 'Lea left the company' } },
    );
    expect(result.data?.transferBook.transferred).toBe(2);
    const left = await app.exec<{ clients: { edges: unknown[] } }>(
      b.as.admin,
      `query($f: ClientListFilter) { clients(filter: $f) { edges { node { id } } } }`,
      { f: { ownerAdvisorId: leaving.id } },
    );
    expect(left.data?.clients.edges).toHaveLength(0);
  });

  it('lets any advisor of the branch take a pooled client, and only once', async () => {
    const client = await createClient(b.as.advisor);
    const pooled = await app.exec<{ releaseToPool: { inPool: boolean; version: number } }>(
      b.as.advisor,
      `mutation($i: ReleaseToPoolInput!) { releaseToPool(input: $i) { inPool version } }`,
      { i: { clientId: client.id, expectedVersion: 1, reason: 'No time for this client' } },
    );
    expect(pooled.data?.releaseToPool).toEqual({ inPool: true, version: 2 });
    const pool = await app.exec<{ clientPool: { edges: Array<{ node: { id: string } }> } }>(
      b.as.subAgent,
      `{ clientPool { edges { node { id } } } }`,
    );
    expect(pool.data?.clientPool.edges.map((e) => e.node.id)).toContain(client.id);
    const take = `mutation($i: TakeFromPoolInput!) { takeFromPool(input: $i) { ownerAdvisor { id } inPool } }`;
    const taken = await app.exec<{ takeFromPool: unknown }>(b.as.subAgent, take, {
      i: { clientId: client.id, expectedVersion: 2 },
    });
    expect(taken.data?.takeFromPool).toEqual({ ownerAdvisor: { id: b.subAgentId }, inPool: false });
    const late = await app.exec(b.as.advisor, take, { i: { clientId: client.id, expectedVersion: 2 } });
    expect(['CONFLICT', 'FORBIDDEN']).toContain(errorCode(late));
    const franchisePeek = await app.exec(b.as.franchiseAdvisor, take, {
      i: { clientId: client.id, expectedVersion: 3 },
    });
    expect(errorCode(franchisePeek)).toBe('FORBIDDEN');
  });

  it('shows a partner only the clients it referred, without personal data', async () => {
    await createClient(b.as.advisor, {
      acquisitionType: 'PARTNER_REFERRAL',
      referringPartnerId: b.partnerId,
      nationalId: '7701011111',
    });
    const referred = await app.exec<{ referredClients: { edges: Array<{ node: Record<string, unknown> }> } }>(
      b.as.partner,
      `{ referredClients { edges { node { id status segment createdAt } } } }`,
    );
    expect(referred.data?.referredClients.edges).toHaveLength(1);
    expect(JSON.stringify(referred.data)).not.toContain('7701011111');
    const personal = await app.exec(b.as.partner, `{ clients { edges { node { name nationalId } } } }`);
    expect(errorCode(personal)).toBe('FORBIDDEN');
  });

  it('never lets another tenant read or change a client', async () => {
    const client = await createClient(b.as.advisor);
    const other = await createBrokerage(app, 'Other Brokerage');
    const read = await app.exec<{ client: unknown }>(
      other.as.admin,
      `query($id: ID!) { client(id: $id) { id } }`,
      { id: client.id },
    );
    expect(read.data?.client).toBeNull();
    const write = await app.exec(
      other.as.admin,
      `mutation($i: UpdateClientInput!) { updateClient(input: $i) { id } }`,
      {
        i: { id: client.id, expectedVersion: 1, segment: 'VIP' },
      },
    );
    expect(errorCode(write)).toBe('NOT_FOUND');
    const mine = await app.exec<{ client: { segment: string } }>(
      b.as.advisor,
      `query($id: ID!) { client(id: $id) { segment } }`,
      { id: client.id },
    );
    expect(mine.data?.client.segment).toBe('INDIVIDUAL');
  });
});
