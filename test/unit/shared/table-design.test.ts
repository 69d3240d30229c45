import { describe, expect, it } from 'vitest';
import { ACCESS_PATTERNS } from '../../../functions/shared/access-patterns.js';
import { SHARD_COUNT, shardOf } from '../../../functions/shared/sharded-keys.js';
import {
  CLIENT_BRANCH_SHARDS,
  COMMISSION_LINE_PERIOD_SHARDS,
  commissionSortPrefixes,
  EntityType,
  keys,
  OrgKind,
  POLICY_BRANCH_SHARDS,
  POLICY_INSURER_SHARDS,
  POLICY_PRODUCT_SHARDS,
  POLICY_STATUS_SHARDS,
  type ShardedPartition,
  TABLE,
  TASK_BRANCH_SHARDS,
} from '../../../functions/shared/table-design.js';
import { UNIQUE_CLAIM_SHARDS } from '../../../functions/shared/unique-fields.js';

describe('table attributes and indexes', () => {
  it('uses generic key attributes, an entity type and a version on every item', () => {
    expect(TABLE).toMatchObject({
      partitionKey: 'pk',
      sortKey: 'sk',
      entityType: 'type',
      version: 'version',
      ttl: 'ttl',
    });
  });

  it('declares six overloaded indexes named gsiN with gsiNpk/gsiNsk keys', () => {
    expect(Object.keys(TABLE.indexes)).toEqual(['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5', 'gsi6']);
    for (const [name, index] of Object.entries(TABLE.indexes)) {
      expect(index).toEqual({ partitionKey: `${name}pk`, sortKey: `${name}sk` });
    }
  });
});

describe('org key builders', () => {
  it('keys tenant settings as T#<tenant> / TENANT', () => {
    expect(keys.tenantPrefix('t1')).toBe('T#t1');
    expect(keys.tenant('t1')).toEqual({ pk: 'T#t1', sk: 'TENANT' });
  });

  it.each([
    [OrgKind.Region, 'REGION'],
    [OrgKind.Branch, 'BRANCH'],
    [OrgKind.User, 'USER'],
    [OrgKind.RateGroup, 'RATE_GROUP'],
    [OrgKind.Partner, 'PARTNER'],
    [OrgKind.LeadSource, 'LEAD_SOURCE'],
    [OrgKind.Insurer, 'INSURER'],
    [OrgKind.ProductLine, 'PRODUCT_LINE'],
  ])('keeps every %s of a tenant in one collection T#<tenant>#ORG#%s keyed by id', (kind, written) => {
    expect(keys.orgCollection('t1', kind)).toBe(`T#t1#ORG#${written}`);
    expect(keys.orgItem('t1', kind, '01HX')).toEqual({ pk: `T#t1#ORG#${written}`, sk: '01HX' });
  });

  it('keeps user moves and rate-group memberships in the user collection, sorted by date', () => {
    expect(keys.userCollection('t1', 'u1')).toBe('T#t1#USER#u1');
    expect(keys.userMove('t1', 'u1', '2026-03-01', 'm1')).toEqual({
      pk: 'T#t1#USER#u1',
      sk: 'MOVE#2026-03-01#m1',
    });
    expect(keys.userMovePrefix).toBe('MOVE#');
    expect(keys.rateGroupMembership('t1', 'u1', '2026-04-01', 'r1')).toEqual({
      pk: 'T#t1#USER#u1',
      sk: 'RATE_GROUP#2026-04-01#r1',
    });
    expect(keys.rateGroupMembershipPrefix).toBe('RATE_GROUP#');
    expect(keys.userMove('t1', 'u1', '2026-03-01', 'm1').sk.startsWith(keys.userMovePrefix)).toBe(true);
    expect(
      keys.rateGroupMembership('t1', 'u1', '2026-04-01', 'r1').sk.startsWith(keys.rateGroupMembershipPrefix),
    ).toBe(true);
  });

  it('keeps an insurer secret in its own item, apart from the insurer collection', () => {
    expect(keys.insurerSecret('t1', 'i1')).toEqual({ pk: 'T#t1#INSURER#i1', sk: 'SECRET' });
    expect(keys.insurerSecret('t1', 'i1').pk).not.toBe(keys.orgCollection('t1', OrgKind.Insurer));
  });

  it('routes an insurer id to its tenant through the one global key, which holds no tenant', () => {
    expect(keys.insurerRoute('i1')).toEqual({ pk: 'ROUTE#INSURER#i1', sk: 'ROUTE' });
  });

  it("links an archived insurer delivery into the client's collection, outside the card and the timeline", () => {
    const link = keys.webhookArchiveLink('t1', 'c1', 'i1', 'msg_1');
    expect(link).toEqual({ pk: 'T#t1#CLIENT#c1', sk: 'R#WEBHOOK#i1#msg_1' });
    expect(link.pk).toBe(keys.client('t1', 'c1').pk);
    expect(link.sk.startsWith(keys.webhookArchiveLinkPrefix)).toBe(true);
    expect(link.sk.startsWith(keys.cardPrefix) || link.sk.startsWith(keys.timelinePrefix)).toBe(false);
  });

  it('claims a unique value per tenant and field, in the shard its value hashes to', () => {
    const claim = keys.unique('t1', 'USER_EMAIL', 'ana@broker.cz');
    expect(claim).toEqual({
      pk: `T#t1#UNIQUE#USER_EMAIL#S${shardOf('ana@broker.cz', UNIQUE_CLAIM_SHARDS)}`,
      sk: 'ana@broker.cz',
    });
    expect(keys.uniqueClaims('t1', 'USER_EMAIL').shards).toContain(claim.pk);
    expect(keys.unique('t2', 'USER_EMAIL', 'ana@broker.cz').pk).not.toBe(claim.pk);
  });

  it.each([
    ['a tenant id with the separator', () => keys.tenant('t1#ORG')],
    ['an id with the separator', () => keys.orgItem('t1', OrgKind.Branch, 'b#1')],
    ['an empty id', () => keys.orgItem('t1', OrgKind.Branch, '')],
    ['a user id with a space', () => keys.userCollection('t1', 'u 1')],
    ['an insurer id with a slash', () => keys.insurerRoute('../i1')],
  ])('refuses %s, so one key can never reach into another collection', (_label, build) => {
    expect(build).toThrow(RangeError);
  });
});

describe('commission sort-key prefixes', () => {
  const line = { id: 'l1', recipient: 'USER:u1', period: '2026-03', policyId: 'p1' };
  const indexes = keys.commissionLineIndexes('t1', line);

  it("selects one month of a recipient's and a policy's lines, and of accruals and rule totals", () => {
    const month = commissionSortPrefixes.month('2026-03');
    expect(indexes.gsi1sk?.startsWith(month)).toBe(true);
    expect(indexes.gsi3sk?.startsWith(month)).toBe(true);
    expect(keys.commissionAccrual('t1', 'USER:u1', '2026-03', 'EUR').sk.startsWith(month)).toBe(true);
    expect(keys.commissionRuleTotal('t1', 'USER:u1', '2026-03', 's1', 'r1').sk.startsWith(month)).toBe(true);
    expect(keys.commissionAccrual('t1', 'USER:u1', '2026-12', 'EUR').sk.startsWith(month)).toBe(false);
  });

  it("keeps an accrual's period entry beside it but out of the month's accrual Query", () => {
    const entry = keys.commissionAccrualPeriodEntry('t1', 'USER:u1', '2026-03', 'EUR');
    expect(entry.pk).toBe(keys.commissionAccrual('t1', 'USER:u1', '2026-03', 'EUR').pk);
    expect(entry.sk.startsWith(commissionSortPrefixes.month('2026-03'))).toBe(false);
  });

  it("writes a recipient's lines over 16 shards and a month's over 64, readers naming the same shards", () => {
    const byRecipient = keys.commissionLinesByRecipient('t1', 'USER:u1');
    const byMonth = keys.commissionLinesByPeriod('t1', '2026-03');
    expect(byRecipient.shards).toHaveLength(16);
    expect(byMonth.shards).toHaveLength(COMMISSION_LINE_PERIOD_SHARDS);
    expect(byRecipient.shards).toContain(indexes.gsi1pk);
    expect(byMonth.shards).toContain(indexes.gsi2pk);
  });

  it("selects one recipient's lines in a month's by-period index, not a recipient whose key extends it", () => {
    expect(indexes.gsi2sk?.startsWith(commissionSortPrefixes.recipient('USER:u1'))).toBe(true);
    expect(indexes.gsi2sk?.startsWith(commissionSortPrefixes.recipient('USER:u'))).toBe(false);
  });
});

describe('tenant isolation of keys', () => {
  it('puts the tenant registry in one partition outside every tenant, one row per tenant', () => {
    expect(keys.tenantRegistration('t1')).toEqual({ pk: keys.tenantRegistryPartition, sk: 't1' });
  });

  type Builder = (...args: string[]) => unknown;
  // Every builder is called with placeholder strings: the rule holds whatever the other arguments are.
  const builders: Array<[string, Builder]> = Object.entries(keys as Record<string, unknown>).flatMap(
    ([name, value]) => (typeof value === 'function' ? [[name, value as Builder] as [string, Builder]] : []),
  );
  const startsWithTenant = (value: string) => value === 'T#t1' || value.startsWith('T#t1#');

  const GLOBAL_BUILDERS = new Set([
    'insurerRoute',
    'leadFormRoute',
    'tenantRegistration',
    'sharedCacheEntry',
  ]);
  it.each(builders.filter(([name]) => !GLOBAL_BUILDERS.has(name)))(
    'starts every partition key that %s builds with the tenant',
    (_name, build) => {
      const built = build('t1', 'x1', 'x2', 'x3');
      const partitions: string[] = [];
      if (typeof built === 'string') partitions.push(built);
      else if (built && typeof built === 'object' && 'shards' in built) {
        const { base, shards } = built as ShardedPartition;
        partitions.push(base, ...shards);
      } else if (built && typeof built === 'object') {
        for (const [attribute, value] of Object.entries(built)) {
          if ((attribute === 'pk' || /^gsi\d+pk$/.test(attribute)) && typeof value === 'string') {
            partitions.push(value);
          }
        }
      }
      expect(partitions.length).toBeGreaterThan(0);
      for (const partition of partitions) expect(startsWithTenant(partition)).toBe(true);
    },
  );

  it('builds different partitions for tenants whose ids share a prefix', () => {
    expect(keys.orgCollection('t1', OrgKind.Branch)).not.toBe(keys.orgCollection('t11', OrgKind.Branch));
    expect(keys.orgCollection('t11', OrgKind.Branch).startsWith(`${keys.tenantPrefix('t1')}#`)).toBe(false);
  });
});

describe('the shared cache', () => {
  it('keys entries under the global G# prefix, never a tenant prefix', () => {
    const key = keys.sharedCacheEntry('apq:0f3a');
    expect(key).toEqual({ pk: 'G#CACHE#apq:0f3a', sk: 'CACHE' });
    expect(key.pk.startsWith('T#')).toBe(false);
  });
});

describe('entity types', () => {
  it('writes each entity type as its own name', () => {
    for (const [name, value] of Object.entries(EntityType)) expect(value).toBe(name);
  });
});

describe('ACCESS_PATTERNS', () => {
  it('names every access pattern, uniquely', () => {
    const names = ACCESS_PATTERNS.map((p) => p.name);
    for (const name of names) expect(name.trim()).not.toBe('');
    expect(new Set(names).size).toBe(names.length);
  });

  it('gives every pattern a module, a known index and a key on that index', () => {
    for (const p of ACCESS_PATTERNS) {
      expect(p.module).toMatch(/^[a-z]+$/);
      expect(['GetItem', 'Query', 'BatchGetItem']).toContain(p.operation);
      expect(['built', 'planned']).toContain(p.status);
      if (p.index === 'table') expect(p.key).toMatch(/^pk=/);
      else {
        expect(Object.keys(TABLE.indexes)).toContain(p.index);
        expect(p.key.startsWith(`${p.index}pk=`)).toBe(true);
      }
    }
  });

  it('keys every pattern by tenant except the webhook and lead form route lookups, the tenant registry and the shared cache', () => {
    const global = ACCESS_PATTERNS.filter((p) => !/pk=T#<t>/.test(p.key));
    expect(global.map((p) => p.key).sort()).toEqual([
      'pk=G#CACHE#apq:<sha256> sk=CACHE',
      'pk=ROUTE#INSURER#<id> sk=ROUTE',
      'pk=ROUTE#LEADFORM#<id> sk=ROUTE',
      'pk=TENANTS',
    ]);
  });

  it('documents the org access patterns the org repository uses', () => {
    const org = ACCESS_PATTERNS.filter((p) => p.module === 'org').map((p) => p.key);
    expect(org).toEqual(
      expect.arrayContaining([
        'pk=T#<t> sk=TENANT',
        'pk=T#<t>#ORG#<KIND>',
        'pk=T#<t>#ORG#<KIND> sk=<id>',
        'pk=T#<t>#USER#<id> sk^=MOVE#',
        'pk=T#<t>#USER#<id> sk^=RATE_GROUP#',
      ]),
    );
  });
});

describe('sharded index keys', () => {
  const policy = {
    id: 'p1',
    servicingAdvisorId: null,
    insurerId: 'i1',
    branchId: 'b1',
    productLineId: 'pl1',
    status: 'ACTIVE',
    termStart: '2026-01-01',
    termEnd: '2026-12-31',
  };

  it('writes a policy under the status key shard its id picks, one of the 32 the reader queries', () => {
    const written = keys.policyIndexes('t1', policy).gsi6pk;
    const { base, shards } = keys.policiesByStatus('t1', 'ACTIVE');
    expect(base).toBe('T#t1#POLICY#STATUS#ACTIVE');
    expect(shards).toHaveLength(POLICY_STATUS_SHARDS);
    expect(written).toBe(`${base}#S${shardOf('p1', 32)}`);
    expect(shards).toContain(written);
  });

  const client = {
    id: 'c1',
    ownerAdvisorId: null,
    status: 'ACTIVE',
    branchId: 'b1',
    sortName: 'novakova jana',
    inPool: false,
    referringPartnerId: null,
    createdAt: '2026-01-01T00:00:00Z',
  };
  const task = {
    id: 'k1',
    assigneeId: 'u1',
    branchId: 'b1',
    clientId: 'c1',
    dueAt: '2026-01-01',
    status: 'OPEN',
  };
  it.each([
    [
      'policies of a branch',
      keys.policyIndexes('t1', policy).gsi3pk,
      keys.policiesByBranch('t1', 'b1'),
      'T#t1#BRANCH#b1#POLICY',
      'p1',
      64,
      POLICY_BRANCH_SHARDS,
    ],
    [
      'policies of an insurer',
      keys.policyIndexes('t1', policy).gsi2pk,
      keys.policiesByInsurer('t1', 'i1'),
      'T#t1#INSURER#i1#POLICY',
      'p1',
      32,
      POLICY_INSURER_SHARDS,
    ],
    [
      'policies of a product line',
      keys.policyIndexes('t1', policy).gsi4pk,
      keys.policiesByProductLine('t1', 'pl1'),
      'T#t1#PRODUCT#pl1#POLICY',
      'p1',
      32,
      POLICY_PRODUCT_SHARDS,
    ],
    [
      'clients of a branch',
      keys.clientIndexes('t1', client).gsi3pk,
      keys.clientsByBranch('t1', 'b1'),
      'T#t1#BRANCH#b1#CLIENT',
      'c1',
      64,
      CLIENT_BRANCH_SHARDS,
    ],
    [
      'tasks of a branch',
      keys.taskIndexes('t1', task).gsi3pk,
      keys.tasksByBranch('t1', 'b1'),
      'T#t1#BRANCH#b1#TASK',
      'k1',
      16,
      TASK_BRANCH_SHARDS,
    ],
  ])(
    'writes the %s under the shard its id picks, one of those its reader queries',
    (_name, written, read, base, id, count, named) => {
      expect(named).toBe(count);
      expect(read.base).toBe(base);
      expect(read.shards).toHaveLength(count);
      expect(written).toBe(`${base}#S${shardOf(id, count)}`);
      expect(read.shards).toContain(written);
    },
  );

  it('keeps an id in the same shard whatever else changes (a rewrite never moves it between shards)', () => {
    const again = keys.policyIndexes('t1', { ...policy, insurerId: 'i2', termEnd: '2027-01-31' }).gsi6pk;
    expect(again).toBe(keys.policyIndexes('t1', policy).gsi6pk);
  });

  it('spreads 16,000 ids over every shard within 15 % of an even share', () => {
    const counts = new Array<number>(SHARD_COUNT).fill(0);
    for (let i = 0; i < 16_000; i++) {
      const n = shardOf(`01J${i.toString(36).padStart(8, '0')}`);
      counts[n] = (counts[n] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });
});
