import { beforeAll, describe, expect, it } from 'vitest';
import { DunningRepository } from '../../../functions/modules/invoices/dunning.repository.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { mtplInput } from '../../support/brokerage.js';
import { CREATE_SCHEME, must, policyChange } from '../commissions/commission-fixtures.js';
import {
  clientOf,
  commissionLinesOf,
  createScopeWorld,
  disputeOf,
  policyOf,
  type ScopeWorld,
} from './scope-world.js';

/**
 * The scope breaks found by probing each role (issue 11), one test each: a region manager reaching
 * another region through a write, a grant above one's own, a seller reading a policy after the
 * hand-over, a partner deriving the premium from the rate.
 */
const app = createTestApp();
let w: ScopeWorld;

beforeAll(async () => {
  w = await createScopeWorld(app, 'Scope Breaks Brokerage');
});

const ADJUST = `mutation($i: AdjustCommissionLineInput!) { adjustCommissionLine(input: $i) {
  id amount { amount } explanation { base formula } } }`;
const RESOLVE = `mutation($i: ResolveCommissionDisputeInput!) { resolveCommissionDispute(input: $i) { id status } }`;
const LINE = 'query($id: ID!) { commissionLine(id: $id) { id disputes { id status } } }';

describe('commission corrections and disputes keep the scope of reading the line', () => {
  it("refuses a region manager's adjustment of another region's advisor's line, leaking nothing of it", async () => {
    const far = await commissionLinesOf(app, w, w.far);
    const refused = await app.exec(w.regionManager, ADJUST, {
      i: { lineId: far.advisorLineId, amount: '-10.00', reason: 'probe' },
    });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.data).toBeNull();
    expect(JSON.stringify(refused.errors)).not.toMatch(/720|12,000|12000|MTPL advisor/);
    const ledger = await must<{ commissionLines: { edges: unknown[] } }>(
      app,
      w.far.advisor,
      'query($f: CommissionLineFilter) { commissionLines(filter: $f) { edges { node { id } } } }',
      { f: { policyId: far.policyId } },
    );
    expect(ledger.commissionLines.edges).toHaveLength(1);

    const near = await commissionLinesOf(app, w, w.near);
    const adjusted = await app.exec<{ adjustCommissionLine: { amount: { amount: string } } }>(
      w.regionManager,
      ADJUST,
      { i: { lineId: near.advisorLineId, amount: '-10.00', reason: 'correction' } },
    );
    expect(adjusted.errors).toBeUndefined();
    expect(adjusted.data?.adjustCommissionLine.amount.amount).toBe('-10.00');
  });

  it("refuses a region manager's resolution of a dispute on another region's line, and keeps it open", async () => {
    const far = await disputeOf(app, w, w.far, 'far comment');
    const refused = await app.exec(w.regionManager, RESOLVE, {
      i: {
        lineId: far.lineId,
        disputeId: far.disputeId,
        expectedVersion: 1,
        resolution: 'ADJUST',
        amount: '50.00',
        comment: 'probe',
      },
    });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const still = await must<{ commissionLine: { disputes: Array<{ status: string }> } }>(
      app,
      w.b.admin,
      LINE,
      {
        id: far.lineId,
      },
    );
    expect(still.commissionLine.disputes.map((d) => d.status)).toEqual(['OPEN']);

    const near = await disputeOf(app, w, w.near, 'near comment');
    const resolved = await app.exec<{ resolveCommissionDispute: { status: string } }>(
      w.regionManager,
      RESOLVE,
      {
        i: {
          lineId: near.lineId,
          disputeId: near.disputeId,
          expectedVersion: 1,
          resolution: 'REJECT',
          comment: 'as agreed',
        },
      },
    );
    expect(resolved.data?.resolveCommissionDispute.status).toBe('REJECTED');
  });

  it('lists to a region manager only the open disputes of his region, comments included, and all to an admin', async () => {
    const near = await disputeOf(app, w, w.near, 'near: please check the rate');
    const far = await disputeOf(app, w, w.far, 'far: please check the rate');
    const OPEN = 'query { openCommissionDisputes(first: 100) { edges { node { id lineId comment } } } }';
    const scoped = await must<{
      openCommissionDisputes: { edges: Array<{ node: { id: string; comment: string } }> };
    }>(app, w.regionManager, OPEN);
    const ids = scoped.openCommissionDisputes.edges.map((e) => e.node.id);
    expect(ids).toContain(near.disputeId);
    expect(ids).not.toContain(far.disputeId);
    expect(scoped.openCommissionDisputes.edges.map((e) => e.node.comment)).not.toContain(
      'far: please check the rate',
    );
    const all = await must<{ openCommissionDisputes: { edges: Array<{ node: { id: string } }> } }>(
      app,
      w.b.admin,
      OPEN,
    );
    expect(all.openCommissionDisputes.edges.map((e) => e.node.id)).toEqual(
      expect.arrayContaining([near.disputeId, far.disputeId]),
    );
  });
});

const CREATE_USER = 'mutation($i: CreateUserInput!) { createUser(input: $i) { id role scope } }';
const UPDATE_USER = 'mutation($i: UpdateUserInput!) { updateUser(input: $i) { id name role scope version } }';
const MOVE_USER = 'mutation($i: MoveUserInput!) { moveUser(input: $i) { id branchId managerId } }';
const SET_RATE = 'mutation($i: SetUserRateGroupInput!) { setUserRateGroup(input: $i) { id } }';
const USER =
  'query($id: ID!) { user(id: $id) { name branchId managerId role scope version rateGroups { from } } }';

describe('user management stays within the manager’s branch or region', () => {
  async function advisorIn(branchId: string, tag: string) {
    return app.services.org.structure.createUser(w.b.admin, {
      name: `Advisor ${tag}`,
      email: `${tag}@${w.b.tenantId}.test`,
      role: 'advisor',
      scope: 'own',
      branchId,
    });
  }

  it("refuses renaming, re-rating and moving another region's advisor, and changes nothing", async () => {
    const far = await advisorIn(w.far.branchId, 'far-user');
    const rename = await app.exec(w.regionManager, UPDATE_USER, {
      i: { id: far.id, expectedVersion: 1, name: 'Renamed' },
    });
    expect(errorCode(rename)).toBe('FORBIDDEN');
    const rerate = await app.exec(w.regionManager, SET_RATE, {
      i: { userId: far.id, rateGroupId: w.b.juniorGroupId, from: '2026-01-01' },
    });
    expect(errorCode(rerate)).toBe('FORBIDDEN');
    const underMe = await app.exec(w.regionManager, MOVE_USER, {
      i: {
        id: far.id,
        expectedVersion: 1,
        branchId: w.near.branchId,
        managerId: w.regionManagerId,
        effectiveDate: '2026-03-01',
      },
    });
    expect(errorCode(underMe)).toBe('FORBIDDEN');
    const after = await must<{ user: Record<string, unknown> }>(app, w.b.admin, USER, { id: far.id });
    expect(after.user).toMatchObject({
      name: 'Advisor far-user',
      branchId: w.far.branchId,
      managerId: null,
      version: 1,
      rateGroups: [],
    });
  });

  it('lets him manage his own region’s advisor, but not move her out of his scope', async () => {
    const near = await advisorIn(w.near.branchId, 'near-user');
    const rename = await app.exec(w.regionManager, UPDATE_USER, {
      i: { id: near.id, expectedVersion: 1, name: 'Renamed Near' },
    });
    expect(rename.errors).toBeUndefined();
    const rerate = await app.exec(w.regionManager, SET_RATE, {
      i: { userId: near.id, rateGroupId: w.b.juniorGroupId, from: '2026-01-01' },
    });
    expect(rerate.errors).toBeUndefined();
    const out = await app.exec(w.regionManager, MOVE_USER, {
      i: { id: near.id, expectedVersion: 2, branchId: w.far.branchId, effectiveDate: '2026-03-01' },
    });
    expect(errorCode(out)).toBe('FORBIDDEN');
    const within = await app.exec(w.regionManager, MOVE_USER, {
      i: {
        id: near.id,
        expectedVersion: 2,
        branchId: w.b.franchiseBranchId,
        managerId: w.regionManagerId,
        effectiveDate: '2026-03-01',
      },
    });
    expect(within.errors).toBeUndefined();
  });

  it('refuses a grant above his own: MANAGER with scope ALL, ADMIN, or a user in another region', async () => {
    const near = await advisorIn(w.near.branchId, 'promote-me');
    const promote = await app.exec(w.regionManager, UPDATE_USER, {
      i: { id: near.id, expectedVersion: 1, role: 'MANAGER', scope: 'ALL' },
    });
    expect(errorCode(promote)).toBe('FORBIDDEN');
    const created = await app.exec(w.regionManager, CREATE_USER, {
      i: {
        name: 'Too Big',
        email: `too-big@${w.b.tenantId}.test`,
        role: 'MANAGER',
        scope: 'ALL',
        branchId: w.near.branchId,
      },
    });
    expect(errorCode(created)).toBe('FORBIDDEN');
    const farHire = await app.exec(w.regionManager, CREATE_USER, {
      i: {
        name: 'Far Hire',
        email: `far-hire@${w.b.tenantId}.test`,
        role: 'ADVISOR',
        scope: 'OWN',
        branchId: w.far.branchId,
      },
    });
    expect(errorCode(farHire)).toBe('FORBIDDEN');
    const after = await must<{ user: Record<string, unknown> }>(app, w.b.admin, USER, { id: near.id });
    expect(after.user).toMatchObject({ role: 'ADVISOR', scope: 'OWN', version: 1 });

    const atMostMine = await app.exec<{ updateUser: { role: string; scope: string } }>(
      w.regionManager,
      UPDATE_USER,
      { i: { id: near.id, expectedVersion: 1, role: 'MANAGER', scope: 'REGION' } },
    );
    expect(atMostMine.data?.updateUser).toMatchObject({ role: 'MANAGER', scope: 'REGION' });
  });
});

describe('policies follow the client’s current advisor', () => {
  const POLICY = `query($id: ID!) { policy(id: $id) { id policyNumber
    client { name } insuredObjects { attributes { name value } } } }`;

  it('no longer shows the original seller the holder and plates once the client moved, only his commission lines', async () => {
    const sold = await policyOf(app, w, w.near);
    const policy = await app.services.repositories.policies.getPolicyOfClient(
      w.b.tenantId,
      sold.clientId,
      sold.id,
    );
    if (!policy) throw new Error('policy not found');
    await app.services.commissions.consumer.onChange(policyChange(w.b.tenantId, policy));
    const before = await app.exec(w.near.advisor, POLICY, { id: sold.id });
    expect(before.errors).toBeUndefined();

    const client = await must<{ client: { version: number } }>(
      app,
      w.b.admin,
      'query($id: ID!) { client(id: $id) { version } }',
      { id: sold.clientId },
    );
    await must(app, w.b.admin, 'mutation($i: TransferClientInput!) { transferClient(input: $i) { id } }', {
      i: {
        clientId: sold.clientId,
        expectedVersion: client.client.version,
        toAdvisorId: w.far.advisorId,
        reason: 'moved to Brno',
      },
    });

    const seller = await app.exec(w.near.advisor, POLICY, { id: sold.id });
    expect(errorCode(seller)).toBe('FORBIDDEN');
    expect(JSON.stringify(seller)).not.toMatch(/1AB2345|Nováková/);
    const listed = await must<{ policies: { edges: Array<{ node: { id: string } }> } }>(
      app,
      w.near.advisor,
      'query { policies(filter: { advisorId: null }, first: 100) { edges { node { id } } } }',
    );
    expect(listed.policies.edges.map((e) => e.node.id)).not.toContain(sold.id);
    const mine = await must<{ commissionLines: { edges: Array<{ node: { recipient: { id: string } } }> } }>(
      app,
      w.near.advisor,
      'query($f: CommissionLineFilter) { commissionLines(filter: $f) { edges { node { recipient { id } } } } }',
      { f: { policyId: sold.id } },
    );
    expect(mine.commissionLines.edges.map((e) => e.node.recipient.id)).toEqual([w.near.advisorId]);

    const servicing = await must<{ policy: { insuredObjects: unknown[] } }>(app, w.far.advisor, POLICY, {
      id: sold.id,
    });
    expect(servicing.policy.insuredObjects).toHaveLength(1);
    const farBranch = await app.exec(
      {
        ...w.regionManager,
        userId: 'brno-manager',
        branchId: w.far.branchId,
        regionId: w.far.regionId,
        scope: 'branch',
      },
      POLICY,
      { id: sold.id },
    );
    expect(farBranch.errors).toBeUndefined();
    const oldBranch = await app.exec(w.b.as.manager, POLICY, { id: sold.id });
    expect(errorCode(oldBranch)).toBe('FORBIDDEN');
  });
});

describe('a partner’s commission lines', () => {
  it('show the result amount only, through a type with no base, rate, tier, share or formula', async () => {
    await must(app, w.b.admin, CREATE_SCHEME, {
      i: {
        name: 'Referral fees',
        currency: 'CZK',
        versions: [
          {
            validFrom: '2026-01-01',
            rules: [
              {
                id: 'referral',
                name: 'Referral fee',
                ledger: 'PARTNER',
                computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '5' },
              },
            ],
          },
        ],
      },
    });
    const client = await clientOf(app, w.near, {
      acquisitionType: 'PARTNER_REFERRAL',
      referringPartnerId: w.b.partnerId,
    });
    const written = await must<{ writePolicy: { id: string } }>(
      app,
      w.near.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      { i: mtplInput(w.b, client.id) },
    );
    const policy = await app.services.repositories.policies.getPolicyOfClient(
      w.b.tenantId,
      client.id,
      written.writePolicy.id,
    );
    if (!policy) throw new Error('policy not found');
    await app.services.commissions.consumer.onChange(policyChange(w.b.tenantId, policy));
    // The portal's line type has no basis field to leak; the staff type is refused to partners.
    const seen = await must<{
      partnerCommissionLines: { edges: Array<{ node: { amount: { amount: string } } }> };
    }>(app, w.b.as.partner, 'query { partnerCommissionLines { edges { node { amount { amount } } } } }');
    expect(seen.partnerCommissionLines.edges.map((e) => e.node.amount.amount)).toEqual(['600.00']);
    const EXPLAINED = `query { commissionLines(filter: {}) { edges { node { amount { amount }
      explanation { base previousBase rate share tier { rate from } formula } } } } }`;
    expect(errorCode(await app.exec(w.b.as.partner, EXPLAINED))).toBe('FORBIDDEN');
  });
});

describe('lists and what-if within scope', () => {
  async function overdueInvoiceTask(side: ScopeWorld['near']) {
    const client = await clientOf(app, side);
    const draft = await app.services.invoices.invoices.createInvoice(side.advisor, {
      clientId: client.id,
      currency: 'CZK',
      dueDate: '2030-01-31',
      lines: [{ description: 'Broker fee', quantity: '1', unitPrice: '300.00' }],
    });
    // The task as the debtors subscriber writes it at the collector step: placed where its invoice is.
    await new DunningRepository(app.db).putCollectorTask(w.b.tenantId, 'collector', {
      id: `task-${draft.id}`,
      invoiceId: draft.id,
      invoiceNumber: null,
      clientId: client.id,
      amount: draft.total,
      letterKey: null,
      assigneeId: draft.advisorId,
      branchId: draft.branchId,
      regionId: draft.regionId,
      at: new Date().toISOString(),
    });
    return draft.id;
  }

  it("lists to a region manager only his region's collector tasks, and hides the unmatched queue", async () => {
    const near = await overdueInvoiceTask(w.near);
    const far = await overdueInvoiceTask(w.far);
    const TASKS = 'query { collectorTasks(first: 100) { edges { node { invoiceId } } } }';
    const scoped = await must<{ collectorTasks: { edges: Array<{ node: { invoiceId: string } }> } }>(
      app,
      w.regionManager,
      TASKS,
    );
    const ids = scoped.collectorTasks.edges.map((e) => e.node.invoiceId);
    expect(ids).toContain(near);
    expect(ids).not.toContain(far);
    const all = await must<{ collectorTasks: { edges: Array<{ node: { invoiceId: string } }> } }>(
      app,
      w.b.as.backoffice,
      TASKS,
    );
    expect(all.collectorTasks.edges.map((e) => e.node.invoiceId)).toEqual(
      expect.arrayContaining([near, far]),
    );
    const queue = await app.exec(w.regionManager, 'query { unmatchedPayments { edges { node { id } } } }');
    expect(errorCode(queue)).toBe('FORBIDDEN');
  });

  it("refuses a region manager's simulation for another region's seller and allows it for his own", async () => {
    const SIMULATE = `query($i: SimulateCommissionsInput!) { simulateCommissions(input: $i) { amount { amount } } }`;
    const input = (sellerId: string) => ({
      i: {
        sellerId,
        insurerId: w.b.insurerId,
        productLineId: w.b.mtplId,
        premium: { amount: '12000.00', currency: 'CZK' },
        writtenDate: '2026-02-01',
      },
    });
    expect(errorCode(await app.exec(w.regionManager, SIMULATE, input(w.far.advisorId)))).toBe('FORBIDDEN');
    const near = await app.exec(w.regionManager, SIMULATE, input(w.near.advisorId));
    expect(near.errors).toBeUndefined();
  });
});

describe('a policy credits only a seller within the writer’s scope', () => {
  it("refuses a region manager's policy that names another region's advisor as seller, and writes nothing", async () => {
    const client = await clientOf(app, w.near);
    const WRITE = 'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id seller { id } } }';
    const refused = await app.exec(w.regionManager, WRITE, {
      i: mtplInput(w.b, client.id, { sellerId: w.far.advisorId }),
    });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    const card = await must<{ clientCard: { policies: unknown[] } }>(
      app,
      w.b.admin,
      'query($id: ID!) { clientCard(id: $id) { policies { id } } }',
      { id: client.id },
    );
    expect(card.clientCard.policies).toEqual([]);
    const own = await app.exec<{ writePolicy: { seller: { id: string } } }>(w.regionManager, WRITE, {
      i: mtplInput(w.b, client.id, { sellerId: w.regionManagerId }),
    });
    expect(own.data?.writePolicy.seller.id).toBe(w.regionManagerId);
  });
});
