import { beforeAll, describe, expect, it } from 'vitest';
import { createTenant, createTestApp, errorCode, type TestApp } from '../../support/app.js';

describe('org smoke', () => {
  let app: TestApp;
  beforeAll(() => {
    app = createTestApp();
  });

  it('lets an admin create a region and a branch and lists them', async () => {
    const { admin } = await createTenant(app);
    const region = await app.exec<{ createRegion: { id: string } }>(
      admin,
      'mutation { createRegion(input: { name: "North" }) { id } }',
    );
    expect(region.errors).toBeUndefined();
    const regionId = region.data?.createRegion.id;
    const branch = await app.exec(
      admin,
      'mutation($r: ID!) { createBranch(input: { name: "Brno", kind: OWN, regionId: $r }) { id name kind region { name } } }',
      { r: regionId },
    );
    expect(branch.errors).toBeUndefined();
    const list = await app.exec<{ branches: { edges: Array<{ node: { name: string } }> } }>(
      admin,
      '{ branches { edges { cursor node { name } } pageInfo { hasNextPage } } }',
    );
    expect(list.data?.branches.edges.map((e) => e.node.name)).toEqual(['Brno']);
  });

  it('answers UNAUTHENTICATED without a principal', async () => {
    const result = await app.exec(null, '{ branches { edges { node { id } } } }');
    expect(errorCode(result)).toBe('UNAUTHENTICATED');
  });
});
