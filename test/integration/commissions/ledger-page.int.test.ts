import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredLine } from '../../../functions/modules/commissions/commissions.model.js';
import { LedgerRepository } from '../../../functions/modules/commissions/ledger.repository.js';
import type { Page as DbPage, StoredItem } from '../../../functions/shared/db.js';
import { newId } from '../../../functions/shared/ids.js';
import { SHARD_COUNT } from '../../../functions/shared/sharded-keys.js';
import { queryShardedPage } from '../../../functions/shared/sharded-query.js';
import { COMMISSION_LINE_PERIOD_SHARDS, keys } from '../../../functions/shared/table-design.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { ledgerLine } from '../../support/commission-lines.js';
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
    expect(app.db.stats.requests.Query ?? 0).toBeLessThanOrEqual(COMMISSION_LINE_PERIOD_SHARDS + 1);
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

describe("a recipient's lines, written over 16 shards (the brokerage takes every event's receivable line)", () => {
  const ledger = new LedgerRepository(app.db);
  const tenantId = `cline-${newId().toLowerCase()}`;
  const written: StoredLine[] = [];
  const book = async (period: string, count: number, advisorIds = ['adam']) => {
    const lines = Array.from({ length: count }, (_, n) =>
      ledgerLine(n, { period, advisorIds, insurerIds: ['i1'] }),
    );
    for (let i = 0; i < lines.length; i += 10) await ledger.appendLines(tenantId, lines.slice(i, i + 10));
    written.push(...lines);
    return lines;
  };
  const byPosition = (lines: StoredLine[]) =>
    [...lines].sort((a, b) => (`${a.period}#${a.id}` < `${b.period}#${b.id}` ? -1 : 1)).map((l) => l.id);
  const pageAll = async (period: string | null, limit: number, recipient = 'USER:adam') => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: DbPage<StoredLine> = await ledger.listLinesByRecipient(tenantId, recipient, period, {
        limit,
        cursor,
      });
      ids.push(...page.items.map((l) => l.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  };

  beforeAll(async () => {
    await book('2026-01', 20);
    await book('2026-02', 10);
    await book('2026-02', 4, ['eva']);
  });

  it('spreads one recipient’s lines over the shards, and a month’s over 64', () => {
    const adams = written.filter((l) => l.recipientKey === 'USER:adam');
    const indexes = adams.map((l) =>
      keys.commissionLineIndexes(tenantId, { ...l, recipient: l.recipientKey }),
    );
    expect(new Set(indexes.map((i) => i.gsi1pk)).size).toBeGreaterThanOrEqual(SHARD_COUNT / 2);
    expect(indexes.every((i) => i.gsi1pk?.startsWith(`T#${tenantId}#OWNER#USER:adam#CLINE#S`))).toBe(true);
    expect(keys.commissionLinesByPeriod(tenantId, '2026-01').shards).toHaveLength(
      COMMISSION_LINE_PERIOD_SHARDS,
    );
    expect(new Set(indexes.map((i) => i.gsi2pk)).size).toBeGreaterThan(SHARD_COUNT);
  });

  it.each([3, 7, 100])('lists them in period then id order, %i a page, each once', async (limit) => {
    const adams = written.filter((l) => l.recipientKey === 'USER:adam');
    expect(await pageAll(null, limit)).toEqual(byPosition(adams));
  });

  it('lists one month of them, and only this recipient’s', async () => {
    const february = written.filter((l) => l.recipientKey === 'USER:adam' && l.period === '2026-02');
    expect(await pageAll('2026-02', 3)).toEqual(byPosition(february));
    expect(await pageAll('2026-03', 3)).toEqual([]);
    expect(await pageAll(null, 3, 'USER:eva')).toHaveLength(4);
    // A range of months on the sort key (`<period>#<id>`) holds over the merged shards as well.
    const range = await queryShardedPage<StoredItem>(app.db, {
      index: 'gsi1',
      partition: keys.commissionLinesByRecipient(tenantId, 'USER:adam'),
      between: ['2026-02', '2026-12#~'],
      limit: 100,
      cursor: null,
    });
    expect(range.items.map((i) => String(i.id))).toEqual(byPosition(february));
  });

  it('keeps a cursor valid while lines are added: nothing skipped, nothing twice', async () => {
    const first = await ledger.listLinesByRecipient(tenantId, 'USER:adam', null, { limit: 5, cursor: null });
    const later = await book('2026-02', 6);
    const ids = first.items.map((l) => l.id);
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await ledger.listLinesByRecipient(tenantId, 'USER:adam', null, { limit: 5, cursor });
      ids.push(...page.items.map((l) => l.id));
      cursor = page.nextCursor;
    }
    const adams = written.filter((l) => l.recipientKey === 'USER:adam');
    expect(ids).toEqual(byPosition(adams));
    expect(later.every((l) => ids.includes(l.id))).toBe(true);
    await expect(
      ledger.listLinesByRecipient(tenantId, 'USER:eva', null, { limit: 5, cursor: first.nextCursor }),
    ).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it('lists a month over its 64 shards in recipient then id order', async () => {
    const february = written.filter((l) => l.period === '2026-02');
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: DbPage<StoredLine> = await ledger.listLinesByPeriod(tenantId, '2026-02', {
        limit: 7,
        cursor,
      });
      ids.push(...page.items.map((l) => l.id));
      cursor = page.nextCursor;
    } while (cursor);
    const order = (l: StoredLine) => `${l.recipientKey}#${l.id}`;
    expect(ids).toEqual([...february].sort((a, b) => (order(a) < order(b) ? -1 : 1)).map((l) => l.id));
  });
});
