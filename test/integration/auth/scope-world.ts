import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { principalFor, type TestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { CREATE_SCHEME, mtplSchemeInput, must, policyChange } from '../commissions/commission-fixtures.js';

/** One side of the scope line: an advisor in a branch of a region, as seen from the region manager. */
export interface Side {
  regionId: string;
  branchId: string;
  advisorId: string;
  advisor: Principal;
}

/**
 * Two regions of one brokerage and a manager whose scope is the first. `near` is inside the region
 * manager's scope (Bohemia, branch Prague), `far` outside it (Moravia, branch Brno).
 */
export interface ScopeWorld {
  b: Brokerage;
  regionManagerId: string;
  regionManager: Principal;
  near: Side;
  far: Side;
}

export async function createScopeWorld(app: TestApp, name: string): Promise<ScopeWorld> {
  const b = await createBrokerage(app, name);
  const org = app.services.org;
  const moravia = await org.structure.createRegion(b.admin, { name: 'Moravia' });
  const brno = await org.structure.createBranch(b.admin, { name: 'Brno', kind: 'OWN', regionId: moravia.id });
  const farAdvisor = await org.structure.createUser(b.admin, {
    name: 'Dana Daleká',
    email: `dana@${b.tenantId}.test`,
    role: 'advisor',
    scope: 'own',
    branchId: brno.id,
  });
  const boss = await org.structure.createUser(b.admin, {
    name: 'Rudolf Region',
    email: `rudolf@${b.tenantId}.test`,
    role: 'manager',
    scope: 'region',
    branchId: b.ownBranchId,
  });
  await must(app, b.admin, CREATE_SCHEME, { i: mtplSchemeInput() });
  const as = (
    userId: string,
    branchId: string,
    regionId: string,
    role: Principal['role'],
    scope: Principal['scope'],
  ) => principalFor(b.tenantId, role, { userId, branchId, regionId, scope });
  return {
    b,
    regionManagerId: boss.id,
    regionManager: as(boss.id, b.ownBranchId, b.regionId, 'manager', 'region'),
    near: { regionId: b.regionId, branchId: b.ownBranchId, advisorId: b.advisorId, advisor: b.as.advisor },
    far: {
      regionId: moravia.id,
      branchId: brno.id,
      advisorId: farAdvisor.id,
      advisor: as(farAdvisor.id, brno.id, moravia.id, 'advisor', 'own'),
    },
  };
}

/** A client of the side's advisor, created by that advisor. */
export async function clientOf(
  app: TestApp,
  side: Side,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; version: number }> {
  const data = await must<{ createClient: { id: string; version: number } }>(
    app,
    side.advisor,
    'mutation($i: CreateClientInput!) { createClient(input: $i) { id version } }',
    { i: personInput(overrides) },
  );
  return data.createClient;
}

/** An MTPL policy for a new client of the side's advisor, written by that advisor. */
export async function policyOf(
  app: TestApp,
  w: ScopeWorld,
  side: Side,
  overrides: Record<string, unknown> = {},
): Promise<{ id: string; version: number; clientId: string; policyNumber: string }> {
  const client = await clientOf(app, side);
  const input = mtplInput(w.b, client.id, overrides);
  const data = await must<{ writePolicy: { id: string; version: number } }>(
    app,
    side.advisor,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id version } }',
    { i: input },
  );
  return { ...data.writePolicy, clientId: client.id, policyNumber: String(input.policyNumber) };
}

/** The stored policy, fed to the commission consumer as the stream would deliver its INSERT. */
export async function commissionLinesOf(
  app: TestApp,
  w: ScopeWorld,
  side: Side,
): Promise<{ policyId: string; advisorLineId: string }> {
  const written = await policyOf(app, w, side);
  const policy = (await app.services.repositories.policies.getPolicyOfClient(
    w.b.tenantId,
    written.clientId,
    written.id,
  )) as Policy;
  await app.services.commissions.consumer.onChange(policyChange(w.b.tenantId, policy));
  const data = await must<{ commissionLines: { edges: Array<{ node: { id: string; ledger: string } }> } }>(
    app,
    side.advisor,
    'query($f: CommissionLineFilter) { commissionLines(filter: $f) { edges { node { id ledger } } } }',
    { f: { policyId: written.id } },
  );
  const line = data.commissionLines.edges.find((e) => e.node.ledger === 'ADVISOR');
  if (!line) throw new Error('no advisor line');
  return { policyId: written.id, advisorLineId: line.node.id };
}

/** A dispute the side's advisor raised on his own line. */
export async function disputeOf(
  app: TestApp,
  w: ScopeWorld,
  side: Side,
  comment: string,
): Promise<{ lineId: string; disputeId: string }> {
  const { advisorLineId } = await commissionLinesOf(app, w, side);
  const data = await must<{ disputeCommissionLine: { id: string } }>(
    app,
    side.advisor,
    'mutation($i: DisputeCommissionLineInput!) { disputeCommissionLine(input: $i) { id } }',
    { i: { lineId: advisorLineId, comment } },
  );
  return { lineId: advisorLineId, disputeId: data.disputeCommissionLine.id };
}
