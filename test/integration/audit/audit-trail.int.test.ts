import { beforeAll, describe, expect, it } from 'vitest';
import { principalContext } from '../../../functions/graphql/context.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { createTestApp, errorCode, type GraphQLResult } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';
import {
  CREATE_SCHEME,
  lines,
  mtplSchemeInput,
  must,
  policyChange,
  writeMtplPolicy,
} from '../commissions/commission-fixtures.js';

/**
 * The audit trail over DynamoDB Local: every kind of audited change leaves a before/after entry with
 * its actor, written in the change's own transaction, readable per entity, per actor and per tenant.
 */
const app = createTestApp();
let b: Brokerage;
let other: Brokerage;

const TRAIL = `query($f: AuditFilter, $first: Int, $after: String) {
  auditTrail(filter: $f, first: $first, after: $after) {
    edges { node { id entityType entityId action actorId actorKind requestId at before after changedFields } }
    pageInfo { hasNextPage endCursor } } }`;

interface Entry {
  id: string;
  entityType: string;
  entityId: string;
  action: string;
  actorId: string;
  actorKind: string;
  requestId: string | null;
  at: string;
  before: string | null;
  after: string | null;
  changedFields: string[];
}

async function trail(as: Principal, filter: Record<string, unknown>, first = 50): Promise<Entry[]> {
  const data = await must<{ auditTrail: { edges: Array<{ node: Entry }> } }>(app, as, TRAIL, {
    f: filter,
    first,
  });
  return data.auditTrail.edges.map((e) => e.node);
}

const CREATE_CLIENT = 'mutation($i: CreateClientInput!) { createClient(input: $i) { id version } }';
const UPDATE_CLIENT = 'mutation($i: UpdateClientInput!) { updateClient(input: $i) { id version } }';

beforeAll(async () => {
  b = await createBrokerage(app, 'Audit Brokerage');
  other = await createBrokerage(app, 'Other Audit Brokerage');
  await must(app, b.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
});

interface Kind {
  entityType: string;
  action: string;
  actor: () => Principal;
  /** Makes the change through GraphQL; returns the changed entity's id and a field the after image must hold. */
  change: () => Promise<{ entityId: string; after: Record<string, unknown> }>;
}

const CLIENT_UPDATED: Kind = {
  entityType: 'CLIENT',
  action: 'UPDATED',
  actor: () => b.as.advisor,
  change: async () => {
    const c = await must<{ createClient: { id: string; version: number } }>(
      app,
      b.as.advisor,
      CREATE_CLIENT,
      {
        i: personInput({ lastName: 'Before' }),
      },
    );
    await must(app, b.as.advisor, UPDATE_CLIENT, {
      i: { id: c.createClient.id, expectedVersion: c.createClient.version, lastName: 'After' },
    });
    return { entityId: c.createClient.id, after: { lastName: 'After' } };
  },
};

const KINDS: Record<string, Kind> = {
  'a client created': {
    entityType: 'CLIENT',
    action: 'CREATED',
    actor: () => b.as.advisor,
    change: async () => {
      const c = await must<{ createClient: { id: string } }>(app, b.as.advisor, CREATE_CLIENT, {
        i: personInput({ lastName: 'Created' }),
      });
      return { entityId: c.createClient.id, after: { lastName: 'Created' } };
    },
  },
  'a client updated': CLIENT_UPDATED,
  'a policy written': {
    entityType: 'POLICY',
    action: 'CREATED',
    actor: () => b.as.advisor,
    change: async () => {
      const w = await writeMtplPolicy(app, b);
      return { entityId: w.id, after: { id: w.id } };
    },
  },
  'a commission scheme created': {
    entityType: 'COMMISSION_SCHEME',
    action: 'CREATED',
    actor: () => b.as.manager,
    change: async () => {
      const s = await must<{ createCommissionScheme: { id: string } }>(app, b.as.manager, CREATE_SCHEME, {
        i: { ...mtplSchemeInput('Audited scheme'), currency: 'EUR' },
      });
      return { entityId: s.createCommissionScheme.id, after: { name: 'Audited scheme' } };
    },
  },
  'a commission line adjusted': {
    entityType: 'COMMISSION_LINE',
    action: 'CREATED',
    actor: () => b.as.manager,
    change: async () => {
      const line = await soldLine();
      const done = await must<{ adjustCommissionLine: { id: string } }>(
        app,
        b.as.manager,
        'mutation($i: AdjustCommissionLineInput!) { adjustCommissionLine(input: $i) { id } }',
        { i: { lineId: line.id, amount: '-10', reason: 'audited correction' } },
      );
      return {
        entityId: done.adjustCommissionLine.id,
        after: { kind: 'ADJUSTMENT', reason: 'audited correction' },
      };
    },
  },
  'a commission period approved': {
    entityType: 'COMMISSION_PERIOD',
    action: 'CREATED',
    actor: () => b.as.admin,
    change: async () => {
      const line = await soldLine();
      await must(
        app,
        b.as.admin,
        'mutation($i: CommissionPeriodInput!) { approveCommissionPeriod(input: $i) { status } }',
        { i: { period: line.period } },
      );
      return { entityId: line.period, after: { status: 'APPROVED' } };
    },
  },
  'a user updated': {
    entityType: 'USER',
    action: 'UPDATED',
    actor: () => b.as.admin,
    change: async () => {
      const user = await app.services.org.structure.createUser(b.admin, {
        name: 'Una User',
        email: `una@${b.tenantId}.test`,
        role: 'advisor',
        scope: 'own',
        branchId: b.ownBranchId,
      });
      await must(app, b.as.admin, 'mutation($i: UpdateUserInput!) { updateUser(input: $i) { id } }', {
        i: { id: user.id, expectedVersion: user.version, name: 'Una Renamed' },
      });
      return { entityId: user.id, after: { name: 'Una Renamed' } };
    },
  },
  'role permissions set': {
    entityType: 'ROLE_PERMISSIONS',
    action: 'CREATED',
    actor: () => b.as.admin,
    change: async () => {
      await must(
        app,
        b.as.admin,
        'mutation($i: SetRolePermissionsInput!) { setRolePermissions(input: $i) { version } }',
        { i: { expectedVersion: 0, roles: [{ role: 'BACKOFFICE', granted: [], revoked: ['book:export'] }] } },
      );
      return {
        entityId: b.tenantId,
        after: { roles: { backoffice: { granted: [], revoked: ['book:export'] } } },
      };
    },
  },
  'an API key created': {
    entityType: 'API_KEY',
    action: 'CREATED',
    actor: () => b.as.admin,
    change: async () => {
      const key = await createKey();
      return { entityId: key.id, after: { name: 'Audit export' } };
    },
  },
};

let sold: { id: string; period: string } | undefined;
/** One advisor line of a policy the consumer has booked (shared by the line and period kinds). */
async function soldLine(): Promise<{ id: string; period: string }> {
  if (sold) return sold;
  const w = await writeMtplPolicy(app, b);
  const policy = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, w.clientId, w.id);
  if (!policy) throw new Error('policy not found');
  await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
  const [line] = await lines(app, b.as.advisor, { policyId: w.id });
  if (!line) throw new Error('no line booked');
  sold = { id: line.id, period: line.period };
  return sold;
}

async function createKey(): Promise<{ id: string; key: string }> {
  const created = await must<{ createApiKey: { key: string; apiKey: { id: string } } }>(
    app,
    b.as.admin,
    'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }',
    {
      i: {
        name: 'Audit export',
        role: 'BACKOFFICE',
        scope: 'ALL',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    },
  );
  return { id: created.createApiKey.apiKey.id, key: created.createApiKey.key };
}

describe('audit entries for every change kind', () => {
  it.each(Object.entries(KINDS))('records %s with its actor, time and after image', async (_name, kind) => {
    const started = new Date().toISOString();
    const { entityId, after } = await kind.change();
    const entries = await trail(b.as.admin, { entityType: kind.entityType, entityId });
    const entry = entries.find((e) => e.action === kind.action);
    expect(entry).toMatchObject({
      entityType: kind.entityType,
      entityId,
      actorId: kind.actor().userId,
      actorKind: 'USER',
    });
    expect(entry?.at && entry.at >= started).toBe(true);
    expect(JSON.parse(entry?.after ?? '{}')).toMatchObject(after);
    if (kind.action === 'CREATED') expect(entry?.before).toBeNull();
    else expect(entry?.changedFields.length).toBeGreaterThan(0);
  });

  it('keeps the before image of an update and names what changed', async () => {
    const { entityId } = await CLIENT_UPDATED.change();
    const [update] = (await trail(b.as.admin, { entityType: 'CLIENT', entityId })).filter(
      (e) => e.action === 'UPDATED',
    );
    expect(JSON.parse(update?.before ?? '{}')).toMatchObject({ lastName: 'Before', version: 1 });
    expect(JSON.parse(update?.after ?? '{}')).toMatchObject({ lastName: 'After', version: 2 });
    expect(update?.changedFields).toEqual(expect.arrayContaining(['lastName', 'name', 'version']));
  });
});

describe('written in the same transaction as the change', () => {
  it('writes no entry when the change fails (a stale version)', async () => {
    const c = await must<{ createClient: { id: string; version: number } }>(
      app,
      b.as.advisor,
      CREATE_CLIENT,
      {
        i: personInput(),
      },
    );
    const stale = await app.exec(b.as.advisor, UPDATE_CLIENT, {
      i: { id: c.createClient.id, expectedVersion: 7, lastName: 'Never' },
    });
    expect(errorCode(stale)).toBe('CONFLICT');
    const entries = await trail(b.as.admin, { entityType: 'CLIENT', entityId: c.createClient.id });
    expect(entries.map((e) => e.action)).toEqual(['CREATED']);
  });

  it('writes no entry when a unique claim in the same transaction fails', async () => {
    const nationalId = '900101/1234';
    await must(app, b.as.advisor, CREATE_CLIENT, { i: personInput({ nationalId, lastName: 'First' }) });
    const before = await trail(b.as.admin, { actorId: b.advisorId }, 100);
    const clash = await app.exec(b.as.advisor, CREATE_CLIENT, {
      i: personInput({ nationalId, lastName: 'Twin' }),
    });
    expect(errorCode(clash)).toBe('ALREADY_EXISTS');
    const after = await trail(b.as.admin, { actorId: b.advisorId }, 100);
    expect(after.map((e) => e.id)).toEqual(before.map((e) => e.id));
  });
});

describe('per entity, per actor, per request, per tenant', () => {
  it('lists one actor’s changes across entities, newest first, within a time window', async () => {
    const from = new Date().toISOString();
    await must(app, b.as.subAgent, CREATE_CLIENT, { i: personInput({ ownerAdvisorId: b.subAgentId }) });
    await must(app, b.as.subAgent, CREATE_CLIENT, { i: personInput({ ownerAdvisorId: b.subAgentId }) });
    const mine = await trail(b.as.admin, { actorId: b.subAgentId, from });
    expect(mine).toHaveLength(2);
    expect(mine.every((e) => e.actorId === b.subAgentId && e.entityType === 'CLIENT')).toBe(true);
    expect(mine[0]?.at && mine[1]?.at && mine[0].at >= mine[1].at).toBe(true);
    const earlier = await trail(b.as.admin, { actorId: b.subAgentId, to: '2000-01-01T00:00:00Z' });
    expect(earlier).toEqual([]);
    const page = await app.exec<{ auditTrail: { pageInfo: { hasNextPage: boolean } } }>(b.as.admin, TRAIL, {
      f: { actorId: b.subAgentId, from },
      first: 1,
    });
    expect(page.data?.auditTrail.pageInfo.hasNextPage).toBe(true);
  });

  it('names an API key as the actor and the request id the change was made under', async () => {
    const key = await createKey();
    const principal = await app.services.access.apiKeys.authenticate(key.key);
    const c = await must<{ createClient: { id: string; version: number } }>(
      app,
      b.as.advisor,
      CREATE_CLIENT,
      {
        i: personInput(),
      },
    );
    const response = await app.server.executeOperation(
      {
        query: UPDATE_CLIENT,
        variables: { i: { id: c.createClient.id, expectedVersion: 1, lastName: 'ByKey' } },
      },
      { contextValue: await principalContext(app.services, principal, 'req-audit-1') },
    );
    expect((response.body as { singleResult: GraphQLResult }).singleResult.errors).toBeUndefined();
    const [update] = await trail(b.as.admin, {
      entityType: 'CLIENT',
      entityId: c.createClient.id,
      actorId: `apikey:${key.id}`,
    });
    expect(update).toMatchObject({ action: 'UPDATED', actorKind: 'API_KEY', requestId: 'req-audit-1' });
  });

  it('is for admins only, and never shows another tenant’s entries', async () => {
    const denied = await app.exec(b.as.manager, TRAIL, { f: {} });
    expect(errorCode(denied)).toBe('FORBIDDEN');
    const c = await must<{ createClient: { id: string } }>(app, b.as.advisor, CREATE_CLIENT, {
      i: personInput(),
    });
    expect(await trail(other.as.admin, { entityType: 'CLIENT', entityId: c.createClient.id })).toEqual([]);
    expect(await trail(other.as.admin, { actorId: b.advisorId })).toEqual([]);
    const theirs = await trail(other.as.admin, {});
    expect(theirs.some((e) => e.entityId === c.createClient.id)).toBe(false);
    const ours = await trail(b.as.admin, { entityType: 'CLIENT' });
    expect(ours.some((e) => e.entityId === c.createClient.id)).toBe(true);
  });

  it('refuses an entity id without its type and a window that ends before it starts', async () => {
    const noType = await app.exec(b.as.admin, TRAIL, { f: { entityId: 'x' } });
    expect(errorCode(noType)).toBe('BAD_USER_INPUT');
    const backwards = await app.exec(b.as.admin, TRAIL, {
      f: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
    });
    expect(errorCode(backwards)).toBe('BAD_USER_INPUT');
  });
});
