import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage } from '../../support/brokerage.js';
import { must, writeMtplPolicy } from './commission-fixtures.js';

/**
 * The policies a scheme version applies to, through GraphQL: written within the version's dates, in
 * its currency, within its `appliesTo`, in the caller's scope; paged across the policies' index
 * partitions (by insurer) with cursors that survive a page boundary inside and between partitions.
 */
const app = createTestApp();
let b: Brokerage;
let limitedId: string;
let openId: string;
const policy: Record<string, string> = {};

const CREATE = 'mutation($i: CreateCommissionSchemeInput!) { createCommissionScheme(input: $i) { id } }';
const AFFECTED = `query($s: ID!, $v: Int!, $first: Int, $after: String) {
  schemeVersionAffectedPolicies(schemeId: $s, version: $v, first: $first, after: $after) {
    edges { cursor node { id policyNumber insurerId writtenDate status premium { amount currency } } }
    pageInfo { hasNextPage endCursor } } }`;

const rule = {
  id: 'rec',
  name: 'Receivable',
  ledger: 'RECEIVABLE',
  computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '10' },
};

interface AffectedPage {
  schemeVersionAffectedPolicies: {
    edges: Array<{ cursor: string; node: { id: string; insurerId: string } }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

/** Every affected policy id, page by page of `first`. */
async function allAffected(as: Brokerage['as'][keyof Brokerage['as']], schemeId: string, first: number) {
  const ids: string[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 20; pages += 1) {
    const data: AffectedPage = await must<AffectedPage>(app, as, AFFECTED, {
      s: schemeId,
      v: 1,
      first,
      after,
    });
    const c = data.schemeVersionAffectedPolicies;
    ids.push(...c.edges.map((e) => e.node.id));
    if (!c.pageInfo.hasNextPage) return ids;
    after = c.pageInfo.endCursor;
  }
  throw new Error('more than 20 pages');
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Affected Policies Brokerage');
  const write = async (name: string, overrides: Record<string, unknown>, as = b.as.advisor) => {
    policy[name] = (await writeMtplPolicy(app, b, overrides, as)).id;
  };
  await write('janKoop', { writtenDate: '2026-01-20' });
  await write('febKoop', { writtenDate: '2026-02-28' });
  await write('marKoop', { writtenDate: '2026-03-01' });
  await write('janAllianz', { writtenDate: '2026-01-20', insurerId: b.otherInsurerId });
  await write('janKoopEur', { writtenDate: '2026-01-21', premium: { amount: '900.00', currency: 'EUR' } });
  await write('janAllianzEur', {
    writtenDate: '2026-01-23',
    insurerId: b.otherInsurerId,
    premium: { amount: '800.00', currency: 'EUR' },
  });
  await write('janKoopFranchise', { writtenDate: '2026-01-22' }, b.as.franchiseAdvisor);
  limitedId = (
    await must<{ createCommissionScheme: { id: string } }>(app, b.as.admin, CREATE, {
      i: {
        name: 'Kooperativa Q1',
        currency: 'CZK',
        versions: [
          {
            validFrom: '2026-01-01',
            validTo: '2026-03-01',
            appliesTo: { insurerIds: [b.insurerId] },
            rules: [rule],
          },
        ],
      },
    })
  ).createCommissionScheme.id;
  openId = (
    await must<{ createCommissionScheme: { id: string } }>(app, b.as.admin, CREATE, {
      i: { name: 'Everything EUR', currency: 'EUR', versions: [{ validFrom: '2026-01-01', rules: [rule] }] },
    })
  ).createCommissionScheme.id;
});

describe('schemeVersionAffectedPolicies', () => {
  it("lists the policies written in the version's dates, currency and insurers, within the caller's scope", async () => {
    const admin = await allAffected(b.as.admin, limitedId, 100);
    expect(new Set(admin)).toEqual(
      new Set([policy.janKoop, policy.febKoop, policy.janKoopFranchise].map(String)),
    );
    // The manager's scope is the own branch: the franchise advisor's policy is not his.
    const manager = await allAffected(b.as.manager, limitedId, 100);
    expect(new Set(manager)).toEqual(new Set([policy.janKoop, policy.febKoop].map(String)));
  });

  it('pages one policy at a time across the insurer partitions of an unlimited version (EUR), each once', async () => {
    const everything = await allAffected(b.as.admin, openId, 1);
    expect(everything).toHaveLength(2);
    expect(new Set(everything)).toEqual(new Set([policy.janKoopEur, policy.janAllianzEur].map(String)));
  });

  it('refuses advisors, an unknown version and a tampered cursor', async () => {
    const advisor = await app.exec(b.as.advisor, AFFECTED, { s: limitedId, v: 1 });
    expect(errorCode(advisor)).toBe('FORBIDDEN');
    const missing = await app.exec(b.as.admin, AFFECTED, { s: limitedId, v: 9 });
    expect(errorCode(missing)).toBe('NOT_FOUND');
    const tampered = await app.exec(b.as.admin, AFFECTED, { s: openId, v: 1, first: 1, after: 'eyJwIjoxfQ' });
    expect(errorCode(tampered)).toBe('INVALID_CURSOR');
  });
});
