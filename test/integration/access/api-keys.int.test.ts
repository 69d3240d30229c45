import { beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../functions/shared/clock.js';
import { RateLimitedError } from '../../../functions/shared/errors.js';
import { keys } from '../../../functions/shared/table-design.js';
import { createTenant, createTestApp, errorCode, principalFor } from '../../support/app.js';

/**
 * API keys through GraphQL and the access service over DynamoDB Local, with a clock the test moves:
 * the key is shown once and stored hashed, it becomes a principal of its role and tenant, expires,
 * is revoked, records its last use at most once a minute and is limited per minute.
 */
const clock = new FixedClock(new Date('2026-11-30T10:00:05Z'));
const app = createTestApp(clock);
let tenantId: string;
let admin: Awaited<ReturnType<typeof createTenant>>['admin'];
let partnerId: string;

const CREATE = `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) {
  key apiKey { id name role scope partnerId status expiresAt lastUsedAt rateLimitPerMinute createdBy } } }`;

interface Created {
  key: string;
  apiKey: { id: string; role: string; scope: string; status: string; lastUsedAt: string | null };
}

async function createKey(input: Record<string, unknown>): Promise<Created> {
  const result = await app.exec<{ createApiKey: Created }>(admin, CREATE, {
    i: { name: 'Accounting export', role: 'BACKOFFICE', expiresAt: '2027-06-01T00:00:00Z', ...input },
  });
  expect(result.errors).toBeUndefined();
  const created = result.data?.createApiKey;
  if (!created) throw new Error('no key created');
  return created;
}

beforeAll(async () => {
  ({ tenantId, admin } = await createTenant(app, 'API Key Brokerage'));
  partnerId = (await app.services.org.partners.createPartner(admin, { name: 'Dealer', kind: 'EXTERNAL' })).id;
});

describe('API keys', () => {
  it('shows the key once, stores only its SHA-256, and lists the key without it', async () => {
    const created = await createKey({});
    expect(created.key).toMatch(/^bck_[A-Za-z0-9_-]+\.[0-9A-Z]{26}\.[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey).toMatchObject({
      role: 'BACKOFFICE',
      scope: 'ALL',
      status: 'ACTIVE',
      lastUsedAt: null,
    });

    const item = await app.db.get(keys.apiKey(tenantId, created.apiKey.id));
    expect(JSON.stringify(item)).not.toContain(created.key.split('.')[2]);
    expect(item?.secretHash).toMatch(/^[0-9a-f]{64}$/);

    const listed = await app.exec<{ apiKeys: { edges: Array<{ node: Record<string, unknown> }> } }>(
      admin,
      '{ apiKeys(first: 100) { edges { node { id name status } } } }',
    );
    expect(listed.data?.apiKeys.edges.map((e) => e.node)).toContainEqual({
      id: created.apiKey.id,
      name: 'Accounting export',
      status: 'ACTIVE',
    });
  });

  it('turns a key into a principal of its role, scope and tenant, acting as apikey:<id>', async () => {
    const created = await createKey({ role: 'ADVISOR', scope: 'OWN' });
    const principal = await app.services.access.apiKeys.authenticate(created.key);
    expect(principal).toEqual({
      tenantId,
      userId: `apikey:${created.apiKey.id}`,
      role: 'advisor',
      scope: 'own',
      branchId: null,
      regionId: null,
      partnerId: null,
    });
  });

  it('refuses a wrong secret, a key moved to another tenant and a malformed key as UNAUTHENTICATED', async () => {
    const created = await createKey({});
    const [prefix, id, secret] = created.key.split('.');
    const other = await createTenant(app, 'Other Brokerage');
    const moved = `bck_${Buffer.from(other.tenantId).toString('base64url')}.${id}.${secret}`;
    const wrong = `${prefix}.${id}.${'A'.repeat(43)}`;
    for (const key of [wrong, moved, 'bck_nonsense', `${created.key}.x`]) {
      await expect(app.services.access.apiKeys.authenticate(key)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    }
  });

  it('stops a key at its expiry and after it is revoked', async () => {
    const expiring = await createKey({ expiresAt: '2026-11-30T10:30:00Z' });
    await expect(app.services.access.apiKeys.authenticate(expiring.key)).resolves.toMatchObject({ tenantId });
    clock.set(new Date('2026-11-30T10:30:00Z'));
    await expect(app.services.access.apiKeys.authenticate(expiring.key)).rejects.toThrow('has expired');

    const revoked = await createKey({});
    const result = await app.exec<{ revokeApiKey: { status: string; revokedBy: string } }>(
      admin,
      'mutation($i: RevokeApiKeyInput!) { revokeApiKey(input: $i) { status revokedBy } }',
      { i: { id: revoked.apiKey.id } },
    );
    expect(result.data?.revokeApiKey).toEqual({ status: 'REVOKED', revokedBy: admin.userId });
    await expect(app.services.access.apiKeys.authenticate(revoked.key)).rejects.toThrow('has been revoked');
  });

  it('records the last use at most once a minute', async () => {
    clock.set(new Date('2026-11-30T11:00:00Z'));
    const created = await createKey({});
    const lastUsed = async () => (await app.db.get(keys.apiKey(tenantId, created.apiKey.id)))?.lastUsedAt;
    await app.services.access.apiKeys.authenticate(created.key);
    expect(await lastUsed()).toBe('2026-11-30T11:00:00.000Z');
    clock.set(new Date('2026-11-30T11:00:40Z'));
    await app.services.access.apiKeys.authenticate(created.key);
    expect(await lastUsed()).toBe('2026-11-30T11:00:00.000Z');
    clock.set(new Date('2026-11-30T11:01:05Z'));
    await app.services.access.apiKeys.authenticate(created.key);
    expect(await lastUsed()).toBe('2026-11-30T11:01:05.000Z');
  });

  it('allows rateLimitPerMinute requests per minute, then answers RATE_LIMITED until the window ends', async () => {
    clock.set(new Date('2026-11-30T12:00:10Z'));
    const created = await createKey({ rateLimitPerMinute: 2 });
    const authenticate = () => app.services.access.apiKeys.authenticate(created.key);
    await authenticate();
    await authenticate();
    const refused = await authenticate().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBe(50);
    clock.set(new Date('2026-11-30T12:01:00Z'));
    await expect(authenticate()).resolves.toMatchObject({ tenantId });
  });

  it('creates a PARTNER key only for a partner of the tenant, and acts for that partner', async () => {
    const missing = await app.exec(admin, CREATE, {
      i: { name: 'Portal', role: 'PARTNER', expiresAt: '2027-06-01T00:00:00Z' },
    });
    expect(missing.errors?.[0]?.extensions?.fieldErrors).toEqual([
      { path: 'input.partnerId', message: 'is required for a key of the PARTNER role' },
    ]);
    const unknown = await app.exec(admin, CREATE, {
      i: { name: 'Portal', role: 'PARTNER', expiresAt: '2027-06-01T00:00:00Z', partnerId: 'nobody' },
    });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    const created = await createKey({ role: 'PARTNER', partnerId });
    expect(created.apiKey).toMatchObject({ role: 'PARTNER', scope: 'OWN' });
    await expect(app.services.access.apiKeys.authenticate(created.key)).resolves.toMatchObject({
      role: 'partner',
      partnerId,
    });
  });

  it('refuses an expiry in the past or beyond two years, and every role but admin', async () => {
    const past = await app.exec(admin, CREATE, {
      i: { name: 'Old', role: 'ADVISOR', expiresAt: '2020-01-01T00:00:00Z' },
    });
    expect(past.errors?.[0]?.extensions?.fieldErrors).toEqual([
      { path: 'input.expiresAt', message: 'must be in the future, at most 730 days ahead' },
    ]);
    const manager = principalFor(tenantId, 'manager', { scope: 'all' });
    const refused = await app.exec(manager, CREATE, {
      i: { name: 'Mine', role: 'ADVISOR', expiresAt: '2027-01-01T00:00:00Z' },
    });
    expect(errorCode(refused)).toBe('FORBIDDEN');
  });
});
