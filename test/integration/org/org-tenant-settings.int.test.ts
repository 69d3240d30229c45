import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { createTenant, createTestApp, errorCode, principalFor, type TestApp } from '../../support/app.js';

const UPDATE = `mutation($i: UpdateTenantSettingsInput!) {
  updateTenantSettings(input: $i) { id name baseCurrency timeZone version }
}`;
const READ = '{ tenant { id name baseCurrency locale timeZone version } }';

describe('tenant settings', () => {
  let app: TestApp;
  let tenantId: string;
  let admin: Principal;

  beforeAll(async () => {
    app = createTestApp();
    ({ tenantId, admin } = await createTenant(app, 'Settings Brokerage'));
  });

  it('updates settings at the expected version and bumps the version', async () => {
    const result = await app.exec<{ updateTenantSettings: { name: string; version: number } }>(
      admin,
      UPDATE,
      {
        i: { expectedVersion: 1, name: 'Renamed Brokerage', baseCurrency: 'czk' },
      },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.updateTenantSettings).toMatchObject({
      id: tenantId,
      name: 'Renamed Brokerage',
      baseCurrency: 'CZK',
      timeZone: 'Europe/Prague',
      version: 2,
    });
  });

  it('answers CONFLICT for a stale expectedVersion and changes nothing', async () => {
    const before = await app.exec<{ tenant: Record<string, unknown> }>(admin, READ);
    const stale = await app.exec(admin, UPDATE, { i: { expectedVersion: 1, name: 'Lost Update' } });
    expect(errorCode(stale)).toBe('CONFLICT');
    expect(stale.errors?.[0]?.extensions).toMatchObject({ entity: 'Tenant', expectedVersion: 1 });
    const after = await app.exec<{ tenant: Record<string, unknown> }>(admin, READ);
    expect(after.data?.tenant).toEqual(before.data?.tenant);
    expect(after.data?.tenant.name).not.toBe('Lost Update');
  });

  it('answers BAD_USER_INPUT with input-prefixed field paths for every invalid setting', async () => {
    const result = await app.exec(admin, UPDATE, {
      i: { expectedVersion: 2, baseCurrency: 'XYZ', timeZone: 'Mars/Olympus', name: ' ' },
    });
    expect(errorCode(result)).toBe('BAD_USER_INPUT');
    const fieldErrors = (result.errors?.[0]?.extensions?.fieldErrors ?? []) as Array<{ path: string }>;
    const paths = fieldErrors.map((e) => e.path);
    expect(paths.sort()).toEqual(['input.baseCurrency', 'input.name', 'input.timeZone']);
  });

  it.each(['manager', 'backoffice', 'advisor', 'partner'] as const)(
    'answers FORBIDDEN when a %s tries to change the settings',
    async (role) => {
      const result = await app.exec(principalFor(tenantId, role), UPDATE, {
        i: { expectedVersion: 2, name: 'Hijacked' },
      });
      expect(errorCode(result)).toBe('FORBIDDEN');
      const after = await app.exec<{ tenant: { name: string } }>(admin, READ);
      expect(after.data?.tenant.name).toBe('Renamed Brokerage');
    },
  );

  it('lets every role read its own tenant', async () => {
    const result = await app.exec<{ tenant: { id: string } }>(principalFor(tenantId, 'partner'), READ);
    expect(result.data?.tenant.id).toBe(tenantId);
  });
});
