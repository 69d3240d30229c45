import { beforeAll, describe, expect, it } from 'vitest';
import { composeGdpr } from '../../../functions/modules/gdpr-wiring.js';
import type { Clock } from '../../../functions/shared/clock.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';
import { must } from '../commissions/commission-fixtures.js';

/**
 * Retention over DynamoDB Local: an admin sets the tenant's periods; the daily schedule, run 100 days
 * later, erases the potential and lost clients past them (audited under the schedule's actor) and
 * leaves active clients and tenants without settings alone.
 */
const app = createTestApp();
let b: Brokerage;
let untouchedTenant: Brokerage;

const SET = `mutation($i: SetRetentionSettingsInput!) {
  setRetentionSettings(input: $i) { erasePotentialAfterDays eraseLostAfterDays version updatedBy } }`;
const CLIENT = 'query($id: ID!) { client(id: $id) { name email status } }';
const inHundredDays: Clock = { now: () => new Date(Date.now() + 100 * 86_400_000) };

async function client(brokerage: Brokerage, status: 'POTENTIAL' | 'ACTIVE', email: string) {
  const data = await must<{ createClient: { id: string } }>(
    app,
    brokerage.as.advisor,
    'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
    { i: personInput({ status, email, lastName: 'Retained' }) },
  );
  return data.createClient.id;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Retention Brokerage');
  untouchedTenant = await createBrokerage(app, 'No Retention Brokerage');
});

describe('retention settings', () => {
  it('are kept forever by default, set by admins only, with optimistic locking and a 30-day floor', async () => {
    const read = await must<{
      retentionSettings: { version: number; erasePotentialAfterDays: number | null };
    }>(app, b.as.admin, '{ retentionSettings { version erasePotentialAfterDays } }');
    expect(read.retentionSettings).toEqual({ version: 0, erasePotentialAfterDays: null });
    const input = { expectedVersion: 0, erasePotentialAfterDays: 90, eraseLostAfterDays: null };
    expect(errorCode(await app.exec(b.as.manager, SET, { i: input }))).toBe('FORBIDDEN');
    expect(errorCode(await app.exec(b.as.admin, SET, { i: { ...input, erasePotentialAfterDays: 7 } }))).toBe(
      'BAD_USER_INPUT',
    );
    const saved = await must<{ setRetentionSettings: Record<string, unknown> }>(app, b.as.admin, SET, {
      i: input,
    });
    expect(saved.setRetentionSettings).toEqual({
      erasePotentialAfterDays: 90,
      eraseLostAfterDays: null,
      version: 1,
      updatedBy: b.as.admin.userId,
    });
    expect(errorCode(await app.exec(b.as.admin, SET, { i: input }))).toBe('CONFLICT');
  });
});

describe('the retention schedule', () => {
  it('erases potential clients past the period, audited under its actor, and nothing else', async () => {
    const potential = await client(b, 'POTENTIAL', 'old.lead@example.cz');
    const active = await client(b, 'ACTIVE', 'customer@example.cz');
    const elsewhere = await client(untouchedTenant, 'POTENTIAL', 'other.lead@example.cz');
    const gdpr = composeGdpr(
      app.db,
      inHundredDays,
      app.services.clients,
      app.services.repositories.org,
      null,
    );

    const result = await gdpr.retention.run();
    expect(result).toEqual({ tenants: 1, erased: 1, failed: 0 });

    const read = (brokerage: Brokerage, id: string) =>
      must<{ client: { name: string; email: string | null } }>(app, brokerage.as.admin, CLIENT, { id });
    expect((await read(b, potential)).client).toMatchObject({
      name: expect.stringMatching(/^Erased client /),
      email: null,
    });
    expect((await read(b, active)).client.email).toBe('customer@example.cz');
    expect((await read(untouchedTenant, elsewhere)).client.email).toBe('other.lead@example.cz');

    const trail = await must<{
      auditTrail: { edges: Array<{ node: { actorId: string; changedFields: string[] } }> };
    }>(
      app,
      b.as.admin,
      'query($f: AuditFilter) { auditTrail(filter: $f, first: 10) { edges { node { actorId changedFields } } } }',
      { f: { entityType: 'CLIENT', entityId: potential } },
    );
    expect(trail.auditTrail.edges.map((e) => e.node)).toContainEqual({
      actorId: 'system:retention',
      changedFields: expect.arrayContaining(['erasedAt']),
    });

    // A second run finds nothing new to erase in this tenant.
    const again = await gdpr.retention.run();
    expect(again).toEqual({ tenants: 1, erased: 0, failed: 0 });
  });
});
