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

  it('keeps the supplier details invoices print, and refuses an IBAN whose check digits fail', async () => {
    const version = (await app.exec<{ tenant: { version: number } }>(admin, READ)).data?.tenant.version;
    const supplier = {
      registeredName: 'Makléři Řízení s.r.o.',
      address: { street: 'Náměstí Míru 1', city: 'Praha', postalCode: '120 00', country: 'cz' },
      companyId: '12345678',
      vatId: 'CZ12345678',
      bankAccount: { iban: 'CZ65 0800 0000 1920 0014 5399', bic: 'gibaczpx' },
      taxNote: 'Osvobozeno od DPH.',
    };
    const bad = await app.exec(admin, UPDATE, {
      i: {
        expectedVersion: version,
        supplier: { ...supplier, bankAccount: { iban: 'CZ65 0800 0000 1920 0014 5398' } },
      },
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(bad.errors?.[0]?.extensions)).toContain('input.supplier.bankAccount.iban');
    const saved = await app.exec<{ updateTenantSettings: { supplier: unknown } }>(
      admin,
      `mutation($i: UpdateTenantSettingsInput!) { updateTenantSettings(input: $i) {
        supplier { registeredName address { city country } companyId vatId bankAccount { iban bic bankName } taxNote } } }`,
      { i: { expectedVersion: version, supplier } },
    );
    expect(saved.errors).toBeUndefined();
    expect(saved.data?.updateTenantSettings.supplier).toEqual({
      registeredName: 'Makléři Řízení s.r.o.',
      address: { city: 'Praha', country: 'CZ' },
      companyId: '12345678',
      vatId: 'CZ12345678',
      bankAccount: { iban: 'CZ6508000000192000145399', bic: 'GIBACZPX', bankName: null },
      taxNote: 'Osvobozeno od DPH.',
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
