import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { createTenant, createTestApp, errorCode, principalFor, type TestApp } from '../../support/app.js';

const CREATE_USER = `mutation($i: CreateUserInput!) { createUser(input: $i) { id version branchId managerId } }`;
const MOVE_USER = `mutation($i: MoveUserInput!) { moveUser(input: $i) { id version branchId managerId } }`;
const USER = `query($id: ID!) {
  user(id: $id) {
    id name branchId managerId version
    manager { id name }
    branch { name }
    moves { effectiveDate fromBranchId toBranchId fromManagerId toManagerId reason movedBy }
    rateGroups { rateGroupId from setBy rateGroup { name } }
  }
}`;

interface Created {
  id: string;
  version: number;
}

describe('users, the sales hierarchy and rate groups', () => {
  let app: TestApp;
  let tenantId: string;
  let admin: Principal;
  let brno: string;
  let praha: string;

  async function create<T = Created>(query: string, input: Record<string, unknown>, as = admin): Promise<T> {
    const result = await app.exec<Record<string, T>>(as, query, { i: input });
    expect(result.errors).toBeUndefined();
    return Object.values(result.data ?? {})[0] as T;
  }

  const createUser = (input: Record<string, unknown>, as = admin) => create(CREATE_USER, input, as);

  beforeAll(async () => {
    app = createTestApp();
    ({ tenantId, admin } = await createTenant(app, 'Hierarchy Brokerage'));
    const region = await create(
      'mutation($i: CreateRegionInput!) { createRegion(input: $i) { id version } }',
      {
        name: 'Morava',
      },
    );
    const branch = (name: string) =>
      create('mutation($i: CreateBranchInput!) { createBranch(input: $i) { id version } }', {
        name,
        kind: 'OWN',
        regionId: region.id,
      });
    brno = (await branch('Brno')).id;
    praha = (await branch('Praha')).id;
  });

  it('builds a manager → advisor → sub-agent chain and resolves each upline', async () => {
    const manager = await createUser({
      name: 'Marie Manager',
      email: 'marie@hierarchy.test',
      role: 'MANAGER',
      scope: 'BRANCH',
      branchId: brno,
    });
    const advisor = await createUser({
      name: 'Adam Advisor',
      email: 'adam@hierarchy.test',
      role: 'ADVISOR',
      scope: 'OWN',
      branchId: brno,
      managerId: manager.id,
    });
    const subAgent = await createUser({
      name: 'Sara Sub',
      email: 'sara@hierarchy.test',
      role: 'ADVISOR',
      scope: 'OWN',
      branchId: brno,
      managerId: advisor.id,
    });
    const result = await app.exec<{ user: { manager: { name: string }; branch: { name: string } } }>(
      admin,
      USER,
      {
        id: subAgent.id,
      },
    );
    expect(result.data?.user).toMatchObject({
      manager: { id: advisor.id, name: 'Adam Advisor' },
      branch: { name: 'Brno' },
    });
    const chain = await app.services.org.structure.uplineChain(tenantId, subAgent.id);
    expect(chain.map((u) => u.name)).toEqual(['Sara Sub', 'Adam Advisor', 'Marie Manager']);
  });

  it('moves a user to another branch and upline and keeps the moves as history, newest first', async () => {
    const boss = await createUser({
      name: 'Boris Boss',
      email: 'boris@hierarchy.test',
      role: 'MANAGER',
      scope: 'BRANCH',
      branchId: praha,
    });
    const user = await createUser({
      name: 'Vera Mover',
      email: 'vera@hierarchy.test',
      role: 'ADVISOR',
      scope: 'OWN',
      branchId: brno,
    });

    const first = await create<Created & { branchId: string; managerId: string }>(MOVE_USER, {
      id: user.id,
      expectedVersion: 1,
      branchId: praha,
      managerId: boss.id,
      effectiveDate: '2026-02-01',
      reason: 'Opening in Praha',
    });
    expect(first).toMatchObject({ version: 2, branchId: praha, managerId: boss.id });
    await create(MOVE_USER, {
      id: user.id,
      expectedVersion: 2,
      managerId: null,
      effectiveDate: '2026-05-01',
    });

    const result = await app.exec<{ user: { moves: unknown[]; managerId: string | null; branchId: string } }>(
      admin,
      USER,
      { id: user.id },
    );
    expect(result.data?.user).toMatchObject({ branchId: praha, managerId: null, version: 3 });
    expect(result.data?.user.moves).toEqual([
      {
        effectiveDate: '2026-05-01',
        fromBranchId: praha,
        toBranchId: praha,
        fromManagerId: boss.id,
        toManagerId: null,
        reason: null,
        movedBy: admin.userId,
      },
      {
        effectiveDate: '2026-02-01',
        fromBranchId: brno,
        toBranchId: praha,
        fromManagerId: null,
        toManagerId: boss.id,
        reason: 'Opening in Praha',
        movedBy: admin.userId,
      },
    ]);
  });

  it('answers CONFLICT for a move at a stale version and records no move', async () => {
    const user = await createUser({
      name: 'Stale Sam',
      email: 'sam@hierarchy.test',
      role: 'ADVISOR',
      scope: 'OWN',
      branchId: brno,
    });
    await create(MOVE_USER, {
      id: user.id,
      expectedVersion: 1,
      branchId: praha,
      effectiveDate: '2026-03-01',
    });
    const stale = await app.exec(admin, MOVE_USER, {
      i: { id: user.id, expectedVersion: 1, branchId: brno, effectiveDate: '2026-04-01' },
    });
    expect(errorCode(stale)).toBe('CONFLICT');
    const result = await app.exec<{ user: { moves: unknown[]; branchId: string } }>(admin, USER, {
      id: user.id,
    });
    expect(result.data?.user.branchId).toBe(praha);
    expect(result.data?.user.moves).toHaveLength(1);
  });

  it('refuses a move that would make a user report to their own downline', async () => {
    const top = await createUser({
      name: 'Top',
      email: 'top@hierarchy.test',
      role: 'MANAGER',
      scope: 'BRANCH',
      branchId: brno,
    });
    const below = await createUser({
      name: 'Below',
      email: 'below@hierarchy.test',
      role: 'ADVISOR',
      scope: 'OWN',
      branchId: brno,
      managerId: top.id,
    });
    const cycle = await app.exec(admin, MOVE_USER, {
      i: { id: top.id, expectedVersion: 1, managerId: below.id, effectiveDate: '2026-03-01' },
    });
    expect(errorCode(cycle)).toBe('RULE_VIOLATION');
    const self = await app.exec(admin, MOVE_USER, {
      i: { id: top.id, expectedVersion: 1, managerId: top.id, effectiveDate: '2026-03-01' },
    });
    expect(self.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'input.managerId', message: 'cannot be the user themself' }],
    });
  });

  it('refuses a second user with the same e-mail, whatever its case', async () => {
    await createUser({
      name: 'Eva',
      email: 'eva@hierarchy.test',
      role: 'ADVISOR',
      scope: 'OWN',
      branchId: brno,
    });
    const clash = await app.exec(admin, CREATE_USER, {
      i: { name: 'Eva Two', email: 'EVA@hierarchy.test', role: 'ADVISOR', scope: 'OWN', branchId: brno },
    });
    expect(errorCode(clash)).toBe('ALREADY_EXISTS');
  });

  it('answers BAD_USER_INPUT with zod field paths for an invalid user', async () => {
    const result = await app.exec(admin, CREATE_USER, {
      i: { name: 'X', email: 'not-an-email', phone: '601 234 567', role: 'ADVISOR', scope: 'OWN' },
    });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.extensions?.fieldErrors).toEqual([
      { path: 'input.email', message: 'must be an e-mail address' },
      { path: 'input.phone', message: 'must be an E.164 phone number such as +420601234567' },
      { path: 'input.branchId', message: 'is required for advisor users' },
    ]);
  });

  it('refuses a reference to a branch that does not exist in the tenant', async () => {
    const result = await app.exec(admin, CREATE_USER, {
      i: {
        name: 'Ghost',
        email: 'ghost@hierarchy.test',
        role: 'ADVISOR',
        scope: 'OWN',
        branchId: 'no-such-branch',
      },
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'input.branchId', message: 'is not a branch of this brokerage' }],
    });
  });

  it('lets a manager add advisors but not admins, and forbids advisors and partners', async () => {
    const manager = principalFor(tenantId, 'manager', { branchId: brno });
    await createUser(
      { name: 'Hired', email: 'hired@hierarchy.test', role: 'ADVISOR', scope: 'OWN', branchId: brno },
      manager,
    );
    const promote = await app.exec(manager, CREATE_USER, {
      i: { name: 'Wannabe', email: 'admin2@hierarchy.test', role: 'ADMIN', scope: 'ALL' },
    });
    // Granting a role above one's own is an authorization refusal (issue 11), no longer a rule violation.
    expect(errorCode(promote)).toBe('FORBIDDEN');
    for (const role of ['advisor', 'partner', 'backoffice'] as const) {
      const result = await app.exec(principalFor(tenantId, role), CREATE_USER, {
        i: {
          name: 'Nope',
          email: `nope-${role}@hierarchy.test`,
          role: 'ADVISOR',
          scope: 'OWN',
          branchId: brno,
        },
      });
      expect(errorCode(result)).toBe('FORBIDDEN');
    }
  });

  it('records rate-group memberships from a date, newest first, with the group resolved', async () => {
    const junior = await create(
      'mutation($i: CreateRateGroupInput!) { createRateGroup(input: $i) { id version } }',
      {
        name: 'Junior',
      },
    );
    const senior = await create(
      'mutation($i: CreateRateGroupInput!) { createRateGroup(input: $i) { id version } }',
      {
        name: 'Senior',
        description: 'After the first year',
      },
    );
    const user = await createUser({
      name: 'Rita Rates',
      email: 'rita@hierarchy.test',
      role: 'ADVISOR',
      scope: 'OWN',
      branchId: brno,
    });
    const SET = 'mutation($i: SetUserRateGroupInput!) { setUserRateGroup(input: $i) { id } }';
    await create(SET, { userId: user.id, rateGroupId: junior.id, from: '2026-01-01' });
    await create(SET, { userId: user.id, rateGroupId: senior.id, from: '2027-01-01' });

    const result = await app.exec<{ user: { rateGroups: unknown[] } }>(admin, USER, { id: user.id });
    expect(result.data?.user.rateGroups).toEqual([
      { rateGroupId: senior.id, from: '2027-01-01', setBy: admin.userId, rateGroup: { name: 'Senior' } },
      { rateGroupId: junior.id, from: '2026-01-01', setBy: admin.userId, rateGroup: { name: 'Junior' } },
    ]);
  });

  it('refuses a rate-group membership with an impossible date or an unknown group', async () => {
    const user = await createUser({
      name: 'Dan Dates',
      email: 'dan@hierarchy.test',
      role: 'ADVISOR',
      scope: 'OWN',
      branchId: brno,
    });
    const SET = 'mutation($i: SetUserRateGroupInput!) { setUserRateGroup(input: $i) { id } }';
    const badDate = await app.exec(admin, SET, {
      i: { userId: user.id, rateGroupId: 'x', from: '2026-02-30' },
    });
    expect(errorCode(badDate)).toBe('BAD_USER_INPUT');
    const unknown = await app.exec(admin, SET, {
      i: { userId: user.id, rateGroupId: 'no-such-group', from: '2026-03-01' },
    });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'input.rateGroupId', message: 'is not a rate group of this brokerage' }],
    });
  });
});
