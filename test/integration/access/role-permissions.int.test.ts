import { beforeAll, describe, expect, it } from 'vitest';
import { principalContext } from '../../../functions/graphql/context.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { createTestApp, errorCode, type GraphQLResult } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';
import { must } from '../commissions/commission-fixtures.js';

/**
 * Configurable permissions over DynamoDB Local: a tenant's admin narrows and widens its roles within
 * the ceiling; every request (through the context the HTTP handler builds) works under them.
 */
const app = createTestApp();
let b: Brokerage;
let other: Brokerage;

const SET = `mutation($i: SetRolePermissionsInput!) { setRolePermissions(input: $i) {
  version roles { role actions granted revoked } } }`;
const GET = '{ rolePermissions { version updatedBy roles { role actions defaults grantable } } }';
const CREATE_CLIENT = 'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }';
const SCHEMES = '{ commissionSchemes { id } }';

/** Runs an operation as a real request would: the context loads the tenant's role permissions. */
async function request(principal: Principal, query: string, variables?: Record<string, unknown>) {
  const response = await app.server.executeOperation(
    { query, ...(variables ? { variables } : {}) },
    { contextValue: await principalContext(app.services, principal, 'req-permissions') },
  );
  return (response.body as { singleResult: GraphQLResult }).singleResult;
}

let version = 0;
async function set(roles: Array<Record<string, unknown>>): Promise<GraphQLResult> {
  const result = await app.exec<{ setRolePermissions: { version: number } }>(b.as.admin, SET, {
    i: { expectedVersion: version, roles },
  });
  if (result.data?.setRolePermissions) version = result.data.setRolePermissions.version;
  return result;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Permissions Brokerage');
  other = await createBrokerage(app, 'Other Permissions Brokerage');
});

describe('role permissions', () => {
  it('shows the defaults and each role’s ceiling while the tenant has changed nothing', async () => {
    const data = await must<{
      rolePermissions: {
        version: number;
        roles: Array<{ role: string; actions: string[]; grantable: string[] }>;
      };
    }>(app, b.as.admin, GET);
    expect(data.rolePermissions.version).toBe(0);
    const partner = data.rolePermissions.roles.find((r) => r.role === 'PARTNER');
    expect(partner?.actions).toContain('book:referrals');
    expect(partner?.grantable).not.toContain('book:read');
    const manager = data.rolePermissions.roles.find((r) => r.role === 'MANAGER');
    expect(manager?.grantable).not.toContain('audit:read');
    expect(errorCode(await app.exec(b.as.manager, GET))).toBe('FORBIDDEN');
  });

  it('narrowed: an advisor without book:write is FORBIDDEN to create a client from the next request on', async () => {
    expect((await request(b.as.advisor, CREATE_CLIENT, { i: personInput() })).errors).toBeUndefined();
    expect((await set([{ role: 'ADVISOR', revoked: ['book:write'] }])).errors).toBeUndefined();
    const denied = await request(b.as.advisor, CREATE_CLIENT, { i: personInput() });
    expect(errorCode(denied)).toBe('FORBIDDEN');
    // Another tenant keeps its defaults.
    const elsewhere = await request(other.as.advisor, CREATE_CLIENT, { i: personInput() });
    expect(elsewhere.errors).toBeUndefined();
  });

  it('widened within the ceiling: a partner granted commissions:schemes:read lists the schemes', async () => {
    expect(errorCode(await request(b.as.partner, SCHEMES))).toBe('FORBIDDEN');
    const widened = await set([
      { role: 'ADVISOR', revoked: ['book:write'] },
      { role: 'PARTNER', granted: ['commissions:schemes:read'] },
    ]);
    expect(widened.errors).toBeUndefined();
    const allowed = await request(b.as.partner, SCHEMES);
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data).toMatchObject({ commissionSchemes: [] });
    // Still narrowed: the table replaces the previous one as a whole.
    expect(errorCode(await request(b.as.advisor, CREATE_CLIENT, { i: personInput() }))).toBe('FORBIDDEN');
  });

  it('beyond the ceiling: personal data for partners and admin actions for others are BAD_USER_INPUT', async () => {
    const before = version;
    const partnerBook = await set([{ role: 'PARTNER', granted: ['book:read'] }]);
    expect(errorCode(partnerBook)).toBe('BAD_USER_INPUT');
    expect(partnerBook.errors?.[0]?.extensions?.fieldErrors).toEqual([
      expect.objectContaining({ path: 'input.roles.0.granted.0' }),
    ]);
    const managerAudit = await set([{ role: 'MANAGER', granted: ['audit:read', 'permissions:manage'] }]);
    expect(errorCode(managerAudit)).toBe('BAD_USER_INPUT');
    const adminNarrowed = await set([{ role: 'ADMIN', revoked: ['permissions:manage'] }]);
    expect(errorCode(adminNarrowed)).toBe('BAD_USER_INPUT');
    const unknown = await set([{ role: 'ADVISOR', granted: ['book:everything'] }]);
    expect(errorCode(unknown)).toBe('BAD_USER_INPUT');
    expect(version).toBe(before);
  });

  it('is optimistically locked, admin-only, and back to the defaults when a role is no longer listed', async () => {
    const stale = await app.exec(b.as.admin, SET, { i: { expectedVersion: version - 1, roles: [] } });
    expect(errorCode(stale)).toBe('CONFLICT');
    const byManager = await app.exec(b.as.manager, SET, { i: { expectedVersion: version, roles: [] } });
    expect(errorCode(byManager)).toBe('FORBIDDEN');
    expect((await set([])).errors).toBeUndefined();
    expect((await request(b.as.advisor, CREATE_CLIENT, { i: personInput() })).errors).toBeUndefined();
    expect(errorCode(await request(b.as.partner, SCHEMES))).toBe('FORBIDDEN');
  });

  it('audits each change of the table with its before and after', async () => {
    const data = await must<{
      auditTrail: { edges: Array<{ node: { action: string; actorId: string; before: string | null } }> };
    }>(
      app,
      b.as.admin,
      'query($f: AuditFilter) { auditTrail(filter: $f) { edges { node { action actorId before } } } }',
      { f: { entityType: 'ROLE_PERMISSIONS', entityId: b.tenantId } },
    );
    const actions = data.auditTrail.edges.map((e) => e.node.action);
    expect(actions).toEqual(['UPDATED', 'UPDATED', 'CREATED']);
    expect(data.auditTrail.edges.every((e) => e.node.actorId === b.admin.userId)).toBe(true);
  });
});
