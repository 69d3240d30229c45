import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { createTenant, createTestApp, errorCode, principalFor, type TestApp } from '../../support/app.js';

const BRANCH = 'query($id: ID!) { branch(id: $id) { id name version } }';
const UPDATE_BRANCH = 'mutation($i: UpdateBranchInput!) { updateBranch(input: $i) { id name version } }';
const BRANCHES =
  'query($after: String) { branches(first: 1, after: $after) { edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }';

describe('tenant isolation', () => {
  let app: TestApp;
  let adminA: Principal;
  let adminB: Principal;
  let regionA: string;
  let branchA: string;

  beforeAll(async () => {
    app = createTestApp();
    ({ admin: adminA } = await createTenant(app, 'Brokerage A'));
    ({ admin: adminB } = await createTenant(app, 'Brokerage B'));
    const region = await app.exec<{ createRegion: { id: string } }>(
      adminA,
      'mutation { createRegion(input: { name: "A-North" }) { id } }',
    );
    regionA = region.data?.createRegion.id ?? '';
    for (const name of ['A-Brno', 'A-Olomouc']) {
      const branch = await app.exec<{ createBranch: { id: string } }>(
        adminA,
        'mutation($r: ID!, $n: String!) { createBranch(input: { name: $n, kind: OWN, regionId: $r }) { id } }',
        { r: regionA, n: name },
      );
      branchA ||= branch.data?.createBranch.id ?? '';
    }
  });

  it("does not let tenant B read tenant A's branch by id: it is simply not there", async () => {
    const own = await app.exec(adminA, BRANCH, { id: branchA });
    expect(own.data).toMatchObject({ branch: { id: branchA, name: 'A-Brno' } });
    const foreign = await app.exec(adminB, BRANCH, { id: branchA });
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data).toEqual({ branch: null });
  });

  it("answers NOT_FOUND when tenant B updates tenant A's branch, and leaves it unchanged", async () => {
    const attempt = await app.exec(adminB, UPDATE_BRANCH, {
      i: { id: branchA, expectedVersion: 1, name: 'Taken over' },
    });
    expect(errorCode(attempt)).toBe('NOT_FOUND');
    expect(JSON.stringify(attempt)).not.toContain('A-Brno');
    const after = await app.exec(adminA, BRANCH, { id: branchA });
    expect(after.data).toEqual({ branch: { id: branchA, name: 'A-Brno', version: 1 } });
  });

  it("does not let tenant B place its branch in tenant A's region", async () => {
    const result = await app.exec(
      adminB,
      'mutation($r: ID!) { createBranch(input: { name: "B-x", kind: OWN, regionId: $r }) { id } }',
      {
        r: regionA,
      },
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'input.regionId', message: 'is not a region of this brokerage' }],
    });
  });

  it("lists only the caller's own branches", async () => {
    const list = await app.exec<{ branches: { edges: unknown[] } }>(adminB, BRANCHES);
    expect(list.data?.branches.edges).toEqual([]);
  });

  it("refuses tenant A's cursor in tenant B's list with INVALID_CURSOR", async () => {
    const pageA = await app.exec<{ branches: { pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      adminA,
      BRANCHES,
    );
    expect(pageA.data?.branches.pageInfo.hasNextPage).toBe(true);
    const cursor = pageA.data?.branches.pageInfo.endCursor;
    const second = await app.exec<{ branches: { edges: Array<{ node: { name: string } }> } }>(
      adminA,
      BRANCHES,
      { after: cursor },
    );
    expect(second.data?.branches.edges.map((e) => e.node.name)).toEqual(['A-Olomouc']);
    const stolen = await app.exec(adminB, BRANCHES, { after: cursor });
    expect(errorCode(stolen)).toBe('INVALID_CURSOR');
  });

  it('refuses a tampered cursor with INVALID_CURSOR', async () => {
    const tampered = Buffer.from(JSON.stringify({ pk: 'T#other#ORG#BRANCH', sk: 'x' })).toString('base64url');
    expect(errorCode(await app.exec(adminA, BRANCHES, { after: tampered }))).toBe('INVALID_CURSOR');
    expect(errorCode(await app.exec(adminA, BRANCHES, { after: '%%%not-a-cursor' }))).toBe('INVALID_CURSOR');
  });

  it('issues cursors that show no tenant or key and answers INVALID_CURSOR when one character changes', async () => {
    const page = await app.exec<{ branches: { pageInfo: { endCursor: string } } }>(adminA, BRANCHES);
    const cursor = page.data?.branches.pageInfo.endCursor ?? '';
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain(adminA.tenantId);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/BRANCH|ORG/);
    const flipped = `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`;
    expect(errorCode(await app.exec(adminA, BRANCHES, { after: flipped }))).toBe('INVALID_CURSOR');
  });

  it('answers FORBIDDEN when an advisor of tenant A configures a branch, and UNAUTHENTICATED without a token', async () => {
    const advisor = principalFor(adminA.tenantId, 'advisor');
    const attempt = await app.exec(advisor, UPDATE_BRANCH, {
      i: { id: branchA, expectedVersion: 1, name: 'Mine' },
    });
    expect(errorCode(attempt)).toBe('FORBIDDEN');
    expect(errorCode(await app.exec(null, BRANCH, { id: branchA }))).toBe('UNAUTHENTICATED');
  });
});
