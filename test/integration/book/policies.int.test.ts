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

const POLICY_FIELDS = `id policyNumber status version businessType renewalYear premium { amount currency }
  instalments { dueDate amount { amount } } hierarchy { level userId rateGroupId } branch { id } branchKind
  seller { id } originator { id } servicingAdvisor { id } cancellation { date reason }
  statusHistory { from to date reason } endorsements { delta { amount } chargedPremium { amount } }
  previousPolicy { id } renewedByPolicy { id } insuredObjects { kind attributes { name value } }`;
const WRITE = `mutation($i: WritePolicyInput!) { writePolicy(input: $i) { ${POLICY_FIELDS} } }`;

interface PolicyView {
  id: string;
  policyNumber: string;
  status: string;
  version: number;
  renewalYear: number;
  instalments: Array<{ dueDate: string; amount: { amount: string } }>;
  hierarchy: Array<{ level: number; userId: string; rateGroupId: string | null }>;
  [field: string]: unknown;
}

async function newClient(as = b.as.advisor, overrides: Record<string, unknown> = {}): Promise<string> {
  const r = await app.exec<{ createClient: { id: string } }>(
    as,
    `mutation($i: CreateClientInput!) { createClient(input: $i) { id } }`,
    {
      i: personInput(overrides),
    },
  );
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.createClient.id;
}

async function write(
  clientId: string,
  overrides: Record<string, unknown> = {},
  as = b.as.advisor,
): Promise<PolicyView> {
  const r = await app.exec<{ writePolicy: PolicyView }>(as, WRITE, { i: mtplInput(b, clientId, overrides) });
  if (!r.data) throw new Error(JSON.stringify(r.errors));
  return r.data.writePolicy;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Policies Test Brokerage');
});

describe('policies', () => {
  it('writes a policy with instalments that sum exactly to the premium and activates the client', async () => {
    const clientId = await newClient();
    const policy = await write(clientId, {
      premium: { amount: '1000.00', currency: 'CZK' },
      frequency: 'MONTHLY',
      policyNumber: ' mt 0001 ',
    });
    expect(policy.policyNumber).toBe('MT0001');
    expect(policy.instalments).toHaveLength(12);
    expect(policy.instalments[0]).toEqual({ dueDate: '2026-01-15', amount: { amount: '83.37' } });
    expect(policy.instalments[11]).toEqual({ dueDate: '2026-12-15', amount: { amount: '83.33' } });
    const client = await app.exec<{ client: { status: string } }>(
      b.as.advisor,
      `query($id: ID!) { client(id: $id) { status } }`,
      { id: clientId },
    );
    expect(client.data?.client.status).toBe('ACTIVE');
  });

  it('refuses a policy number already used at the same insurer, and accepts it at another insurer', async () => {
    const clientId = await newClient();
    await write(clientId, { policyNumber: 'DUP-1' });
    const again = await app.exec(b.as.advisor, WRITE, {
      i: mtplInput(b, clientId, { policyNumber: 'dup-1' }),
    });
    expect(errorCode(again)).toBe('ALREADY_EXISTS');
    expect(again.errors?.[0]?.extensions?.field).toBe('policyNumber');
    const elsewhere = await write(clientId, { policyNumber: 'DUP-1', insurerId: b.otherInsurerId });
    expect(elsewhere.policyNumber).toBe('DUP-1');
  });

  it('refuses a bad date, a vehicle-less MTPL and a term that ends before it starts, with field paths', async () => {
    const clientId = await newClient();
    const badDate = await app.exec(b.as.advisor, WRITE, {
      i: mtplInput(b, clientId, { writtenDate: '2026-02-30' }),
    });
    expect(errorCode(badDate)).toBe('BAD_USER_INPUT');
    expect(badDate.errors?.[0]?.message).toContain('writtenDate');
    const backwards = await app.exec(b.as.advisor, WRITE, {
      i: mtplInput(b, clientId, { termEnd: '2025-01-01' }),
    });
    expect(errorCode(backwards)).toBe('BAD_USER_INPUT');
    const paths = fieldPaths(backwards);
    expect(paths).toEqual(['input.termEnd']);
    const noVehicle = await app.exec(b.as.advisor, WRITE, {
      i: mtplInput(b, clientId, { insuredObjects: [] }),
    });
    expect(errorCode(noVehicle)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(noVehicle.errors)).toContain('input.insuredObjects');
  });

  it('freezes the seller’s branch and upline chain as they stood on the written date', async () => {
    const clientId = await newClient(b.as.subAgent);
    await app.services.org.structure.setUserRateGroup(b.admin, {
      userId: b.subAgentId,
      rateGroupId: b.juniorGroupId,
      from: '2026-01-01',
    });
    const before = await write(
      clientId,
      { writtenDate: '2026-03-01', termStart: '2026-03-01', termEnd: '2027-02-28' },
      b.as.subAgent,
    );
    expect(before.hierarchy).toEqual([
      { level: 0, userId: b.subAgentId, rateGroupId: b.juniorGroupId },
      { level: 1, userId: b.advisorId, rateGroupId: null },
      { level: 2, userId: b.managerId, rateGroupId: null },
    ]);
    const user = await app.services.org.structure.getUser(b.admin, b.subAgentId);
    await app.services.org.structure.moveUser(b.admin, {
      id: b.subAgentId,
      expectedVersion: user?.version,
      branchId: b.franchiseBranchId,
      managerId: b.franchiseAdvisorId,
      effectiveDate: '2026-06-01',
      reason: 'Moved to Pilsen',
    });
    const backdated = await write(
      clientId,
      { writtenDate: '2026-05-15', termStart: '2026-05-15', termEnd: '2027-05-14' },
      b.as.admin,
    );
    expect(backdated.hierarchy.map((h) => h.userId)).toEqual([b.subAgentId, b.advisorId, b.managerId]);
    expect(backdated.branch).toEqual({ id: b.ownBranchId });
    const after = await write(
      clientId,
      { writtenDate: '2026-06-02', termStart: '2026-06-02', termEnd: '2027-06-01' },
      b.as.admin,
    );
    expect(after.hierarchy.map((h) => h.userId)).toEqual([b.subAgentId, b.franchiseAdvisorId, b.managerId]);
    expect(after).toMatchObject({ branch: { id: b.franchiseBranchId }, branchKind: 'FRANCHISE' });
    const reread = await app.exec<{ policy: PolicyView }>(
      b.as.admin,
      `query($id: ID!) { policy(id: $id) { hierarchy { userId } } }`,
      {
        id: before.id,
      },
    );
    expect(reread.data?.policy.hierarchy.map((h) => h.userId)).toEqual([
      b.subAgentId,
      b.advisorId,
      b.managerId,
    ]);
  });

  it('endorses the premium mid-term, charging the rest of the term pro rata over unpaid instalments', async () => {
    const clientId = await newClient();
    const policy = await write(clientId, {
      premium: { amount: '3650.00', currency: 'CZK' },
      frequency: 'ANNUAL',
      termStart: '2026-01-01',
      termEnd: '2026-12-31',
    });
    const endorse = `mutation($i: EndorsePolicyInput!) { endorsePolicy(input: $i) { ${POLICY_FIELDS} } }`;
    const result = await app.exec<{ endorsePolicy: PolicyView }>(b.as.advisor, endorse, {
      i: {
        id: policy.id,
        expectedVersion: 1,
        newPremium: { amount: '3285.00', currency: 'CZK' },
        effectiveDate: '2026-07-02',
        reason: 'Smaller car',
      },
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.endorsePolicy).toMatchObject({
      premium: { amount: '3285.00', currency: 'CZK' },
      version: 2,
      endorsements: [{ delta: { amount: '-365.00' }, chargedPremium: { amount: '-183.00' } }],
    });
    expect(result.data?.endorsePolicy.instalments).toEqual([
      { dueDate: '2026-01-01', amount: { amount: '3650.00' } },
      { dueDate: '2026-07-02', amount: { amount: '-183.00' } },
    ]);
    const stale = await app.exec(b.as.advisor, endorse, {
      i: {
        id: policy.id,
        expectedVersion: 1,
        newPremium: { amount: '1.00', currency: 'CZK' },
        effectiveDate: '2026-07-02',
        reason: 'x',
      },
    });
    expect(errorCode(stale)).toBe('CONFLICT');
  });

  it('renews into a linked next term with the same number, and cancels and reactivates with history', async () => {
    const clientId = await newClient();
    const first = await write(clientId, { policyNumber: 'REN-1' });
    const renew = await app.exec<{ renewPolicy: PolicyView }>(
      b.as.advisor,
      `mutation($i: RenewPolicyInput!) { renewPolicy(input: $i) { ${POLICY_FIELDS} } }`,
      {
        i: {
          id: first.id,
          expectedVersion: 1,
          premium: { amount: '12600.00', currency: 'CZK' },
          writtenDate: '2026-12-20',
          termStart: '2027-01-15',
          termEnd: '2028-01-14',
        },
      },
    );
    expect(renew.errors).toBeUndefined();
    const second = renew.data?.renewPolicy as PolicyView;
    expect(second).toMatchObject({
      policyNumber: 'REN-1',
      businessType: 'RENEWAL',
      renewalYear: 2,
      previousPolicy: { id: first.id },
    });
    const old = await app.exec<{ policy: PolicyView }>(
      b.as.advisor,
      `query($id: ID!) { policy(id: $id) { status renewedByPolicy { id } } }`,
      {
        id: first.id,
      },
    );
    expect(old.data?.policy).toEqual({ status: 'RENEWED', renewedByPolicy: { id: second.id } });
    const status = (op: string, version: number, date: string) =>
      app.exec<Record<string, PolicyView>>(
        b.as.advisor,
        `mutation($i: PolicyStatusInput!) { ${op}(input: $i) { ${POLICY_FIELDS} } }`,
        {
          i: { id: second.id, expectedVersion: version, date, reason: `${op} by test` },
        },
      );
    const cancelled = await status('cancelPolicy', 1, '2027-05-31');
    expect(cancelled.data?.cancelPolicy).toMatchObject({
      status: 'CANCELLED',
      cancellation: { date: '2027-05-31', reason: 'cancelPolicy by test' },
    });
    const twice = await status('cancelPolicy', 2, '2027-06-01');
    expect(errorCode(twice)).toBe('RULE_VIOLATION');
    const outside = await status('reactivatePolicy', 2, '2029-01-01');
    expect(errorCode(outside)).toBe('BAD_USER_INPUT');
    const back = await status('reactivatePolicy', 2, '2027-06-10');
    expect(back.data?.reactivatePolicy).toMatchObject({
      status: 'REACTIVATED',
      cancellation: null,
      statusHistory: [
        { from: null, to: 'ACTIVE' },
        { from: 'ACTIVE', to: 'CANCELLED', date: '2027-05-31' },
        { from: 'CANCELLED', to: 'REACTIVATED', date: '2027-06-10' },
      ],
    });
  });

  it('lists policies by insurer, product line, status, advisor, branch and renewal window, each within scope', async () => {
    const clientId = await newClient(b.as.franchiseAdvisor);
    const ending = await write(
      clientId,
      { insurerId: b.otherInsurerId, termStart: '2026-02-01', termEnd: '2026-12-10' },
      b.as.franchiseAdvisor,
    );
    const later = await write(
      clientId,
      { insurerId: b.otherInsurerId, termStart: '2026-06-01', termEnd: '2027-05-31' },
      b.as.franchiseAdvisor,
    );
    const property = await write(
      clientId,
      {
        productLineId: b.propertyId,
        insuredObjects: [{ kind: 'PROPERTY', attributes: [{ name: 'address', value: 'Americká 1, Plzeň' }] }],
      },
      b.as.franchiseAdvisor,
    );
    const ids = async (as: typeof b.as.admin, filter: Record<string, unknown>) => {
      const r = await app.exec<{ policies: { edges: Array<{ node: { id: string } }> } }>(
        as,
        `query($f: PolicyListFilter) { policies(filter: $f, first: 100) { edges { node { id } } } }`,
        { f: filter },
      );
      if (!r.data) throw new Error(JSON.stringify(r.errors));
      return r.data.policies.edges.map((e) => e.node.id);
    };
    expect(await ids(b.as.admin, { insurerId: b.otherInsurerId, branchId: b.franchiseBranchId })).toEqual([
      ending.id,
      later.id,
    ]);
    expect(await ids(b.as.admin, { productLineId: b.propertyId })).toEqual([property.id]);
    expect(
      await ids(b.as.admin, {
        termEndFrom: '2026-11-22',
        termEndTo: '2026-12-22',
        branchId: b.franchiseBranchId,
      }),
    ).toEqual([ending.id]);
    expect(await ids(b.as.franchiseAdvisor, { status: 'ACTIVE' })).toEqual(
      expect.arrayContaining([ending.id, later.id, property.id]),
    );
    const mine = [later.id, ending.id, property.id];
    const newestFirst = await ids(b.as.admin, { branchId: b.franchiseBranchId, newestFirst: true });
    expect(newestFirst.filter((id) => mine.includes(id))).toEqual([later.id, ending.id, property.id]);
    expect(await ids(b.as.manager, { insurerId: b.otherInsurerId })).not.toContain(ending.id);
    expect(await ids(b.as.advisor, { insurerId: b.otherInsurerId })).not.toContain(ending.id);
    const forbidden = await app.exec(
      b.as.advisor,
      `query($f: PolicyListFilter) { policies(filter: $f) { edges { node { id } } } }`,
      {
        f: { advisorId: b.franchiseAdvisorId },
      },
    );
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    const serviced = await ids(b.as.admin, { servicingAdvisorId: b.franchiseAdvisorId });
    expect(serviced).toEqual(expect.arrayContaining(mine));
    expect(await ids(b.as.admin, { advisorId: b.franchiseAdvisorId })).toEqual(serviced);
    const conflicting = await app.exec(
      b.as.admin,
      `query($f: PolicyListFilter) { policies(filter: $f) { edges { node { id } } } }`,
      { f: { servicingAdvisorId: b.franchiseAdvisorId, advisorId: b.advisorId } },
    );
    expect(conflicting.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'filter.servicingAdvisorId' }],
    });
  });

  it('never lets another tenant read a policy or claim its number', async () => {
    const clientId = await newClient();
    const mine = await write(clientId, { policyNumber: 'ISO-1' });
    const other = await createBrokerage(app, 'Other Policies Brokerage');
    const read = await app.exec<{ policy: unknown }>(
      other.as.admin,
      `query($id: ID!) { policy(id: $id) { id } }`,
      { id: mine.id },
    );
    expect(read.data?.policy).toBeNull();
    const theirClient = await newClient(other.as.advisor);
    const theirs = await app.exec<{ writePolicy: { policyNumber: string } }>(other.as.advisor, WRITE, {
      i: mtplInput(other, theirClient, { policyNumber: 'ISO-1' }),
    });
    expect(theirs.data?.writePolicy.policyNumber).toBe('ISO-1');
    const cross = await app.exec(other.as.advisor, WRITE, { i: mtplInput(other, clientId) });
    expect(errorCode(cross)).toBe('NOT_FOUND');
  });
});
