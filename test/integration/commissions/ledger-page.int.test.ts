import { beforeAll, describe, expect, it } from 'vitest';
import { SHARD_COUNT } from '../../../functions/shared/sharded-keys.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { LIST_PAGE_QUERIES } from '../../unit/graphql/list-queries.js';
import { CREATE_SCHEME, mtplSchemeInput, must, policyChange } from './commission-fixtures.js';

/**
 * A "my ledger" screen in one query: the pinned 100-row commission line page names each line's
 * policy (number, holder) and recipient, read in batches whatever the number of rows.
 */
const app = createTestApp();
let b: Brokerage;
const policyNumbers: string[] = [];
const policyIds: string[] = [];

interface PageRow {
  ledger: string;
  amount: { amount: string };
  policy: { id: string; policyNumber: string; holderName: string | null } | null;
  recipient: { kind: string; id: string; name: string | null };
  explanation: { formula: string };
}
type Page = { commissionLines: { edges: Array<{ node: PageRow }> } };

const PAGE = LIST_PAGE_QUERIES.commissionLines ?? '';

beforeAll(async () => {
  b = await createBrokerage(app, 'Ledger Page Brokerage');
  const scheme = mtplSchemeInput();
  const rules = [
    ...(scheme.versions[0]?.rules ?? []),
    {
      id: 'referral',
      name: 'Referral fee',
      ledger: 'PARTNER',
      computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '5' },
    },
  ];
  await must(app, b.as.manager, CREATE_SCHEME, {
    i: { ...scheme, versions: [{ validFrom: '2026-01-01', rules }] },
  });
  for (const lastName of ['Nováková', 'Dvořáková', 'Svobodová']) {
    const client = await must<{ createClient: { id: string } }>(
      app,
      b.as.advisor,
      'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
      { i: personInput({ lastName, acquisitionType: 'PARTNER_REFERRAL', referringPartnerId: b.partnerId }) },
    );
    const input = mtplInput(b, client.createClient.id);
    policyNumbers.push(String(input.policyNumber).toUpperCase());
    const written = await must<{ writePolicy: { id: string } }>(
      app,
      b.as.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      { i: input },
    );
    const policy = await app.services.repositories.policies.getPolicyOfClient(
      b.tenantId,
      client.createClient.id,
      written.writePolicy.id,
    );
    if (!policy) throw new Error('policy not found');
    policyIds.push(policy.id);
    await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
  }
});

describe('a ledger a front end can list', () => {
  it('names every line’s policy, holder and recipient in one page, reading names in batches', async () => {
    app.db.stats.reset();
    const month = PAGE.replace(
      'commissionLines(first: 100)',
      'commissionLines(filter: { period: "2026-01" }, first: 100)',
    );
    const page = await must<Page>(app, b.as.admin, month);
    const rows = page.commissionLines.edges.map((e) => e.node);
    // 3 policies × (receivable, advisor, override, referral).
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.policy?.policyNumber))).toEqual(new Set(policyNumbers));
    expect(new Set(rows.map((r) => r.policy?.holderName))).toEqual(
      new Set(['Nováková Jana', 'Dvořáková Jana', 'Svobodová Jana']),
    );
    const names = new Map(rows.map((r) => [`${r.recipient.kind}:${r.recipient.id}`, r.recipient.name]));
    expect(Object.fromEntries(names)).toEqual({
      'BROKERAGE:BROKERAGE': 'Ledger Page Brokerage',
      [`USER:${b.advisorId}`]: 'Adam Advisor',
      [`USER:${b.managerId}`]: 'Marta Manager',
      [`PARTNER:${b.partnerId}`]: 'Car Dealer Ltd',
    });
    const advisorLine = rows.find((r) => r.ledger === 'ADVISOR' && r.recipient.id === b.advisorId);
    expect(advisorLine?.amount.amount).toBe('720.00');
    expect(advisorLine?.explanation.formula).toContain('× 40%');
    // One BatchGetItem for the three policies, one for the people, one GetItem for the tenant's
    // name: a page of 100 lines costs the same requests as a page of 12.
    expect(app.db.stats.requests.BatchGetItem).toBe(2);
    expect(app.db.stats.requests.GetItem ?? 0).toBeLessThanOrEqual(1);
    // The month's key is sharded (docs/scale.md): one Query per shard, plus one.
    expect(app.db.stats.requests.Query ?? 0).toBeLessThanOrEqual(SHARD_COUNT + 1);
  });

  it('shows a partner only its own lines, by policy id, and never the staff ledger', async () => {
    const page = await must<{
      partnerCommissionLines: { edges: Array<{ node: { policyId: string; amount: { amount: string } } }> };
    }>(app, b.as.partner, LIST_PAGE_QUERIES.partnerCommissionLines ?? '');
    const rows = page.partnerCommissionLines.edges.map((e) => e.node);
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.policyId))).toEqual(new Set(policyIds));
    expect(errorCode(await app.exec(b.as.partner, PAGE))).toBe('FORBIDDEN');
  });
});
