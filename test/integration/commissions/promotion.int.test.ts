import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, fieldPaths } from '../../support/brokerage.js';
import { lines, must, policyChange, writeMtplPolicy } from './commission-fixtures.js';

/**
 * Automatic promotion through GraphQL and the stream consumer. Adam is Junior from January; the
 * scheme pays a Senior advisor 50 % of the receivable and a Junior 40 %, and promotes Junior to
 * Senior once an advisor writes 50,000.00 CZK personally in a month. Adam writes 30,000.00 and then
 * 22,000.00 in February (52,000.00): Senior from 1 March, in his history and in the explanation of
 * his March lines; a February policy booked later is still paid as Junior.
 */
const app = createTestApp();
let b: Brokerage;
let seniorId: string;

const CREATE = 'mutation($i: CreateCommissionSchemeInput!) { createCommissionScheme(input: $i) { id } }';

const schemeInput = (promotion: Record<string, unknown>) => ({
  name: 'Promoting MTPL',
  currency: 'CZK',
  versions: [
    {
      validFrom: '2026-01-01',
      promotions: [promotion],
      rules: [
        {
          id: 'rec',
          name: 'MTPL receivable',
          ledger: 'RECEIVABLE',
          computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '15' },
        },
        {
          id: 'senior',
          name: 'Senior advisor',
          ledger: 'ADVISOR',
          match: { rateGroupIds: [seniorId] },
          computation: { type: 'PERCENT', base: { kind: 'LEDGER', ruleId: 'rec' }, rate: '50' },
        },
        {
          id: 'junior',
          name: 'Junior advisor',
          ledger: 'ADVISOR',
          computation: { type: 'PERCENT', base: { kind: 'LEDGER', ruleId: 'rec' }, rate: '40' },
        },
      ],
    },
  ],
});

const promotion = () => ({
  id: 'to-senior',
  name: 'Junior to Senior',
  fromRateGroupId: b.juniorGroupId,
  toRateGroupId: seniorId,
  minPersonalPremium: '50000.00',
});

/** Adam writes a policy through GraphQL; its INSERT is fed to the consumer. */
async function book(premium: string, writtenDate: string) {
  const termStart = writtenDate;
  const termEnd = `${Number(writtenDate.slice(0, 4)) + 1}${writtenDate.slice(4, 8)}01`;
  const w = await writeMtplPolicy(app, b, {
    premium: { amount: premium, currency: 'CZK' },
    writtenDate,
    termStart,
    termEnd,
  });
  const policy = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, w.clientId, w.id);
  if (!policy) throw new Error('policy not found');
  const change = policyChange(b.tenantId, policy);
  return { id: w.id, change, outcome: await app.services.commissions.consumer.onChange(change) };
}

const HISTORY = `query($id: ID!) { user(id: $id) { rateGroups { rateGroupId from setBy
  promotion { schemeId ruleId rateGroupName period written threshold currency } } } }`;

async function adamsHistory() {
  const data = await must<{
    user: { rateGroups: Array<{ rateGroupId: string; from: string; setBy: string; promotion: unknown }> };
  }>(app, b.as.manager, HISTORY, { id: b.advisorId });
  return data.user.rateGroups;
}

async function advisorLine(policyId: string) {
  const found = (await lines(app, b.as.manager, { policyId })).filter((l) => l.ledger === 'ADVISOR');
  expect(found).toHaveLength(1);
  return found[0] as (typeof found)[number];
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Promotion Brokerage');
  seniorId = (await app.services.org.structure.createRateGroup(b.admin, { name: 'Senior' })).id;
  await must(app, b.as.admin, 'mutation($i: SetUserRateGroupInput!) { setUserRateGroup(input: $i) { id } }', {
    i: { userId: b.advisorId, rateGroupId: b.juniorGroupId, from: '2026-01-01' },
  });
});

describe('automatic promotion', () => {
  it('refuses a promotion to the same group and one naming no rate group, with field paths', async () => {
    const same = await app.exec(b.as.manager, CREATE, {
      i: schemeInput({ ...promotion(), toRateGroupId: b.juniorGroupId }),
    });
    expect(fieldPaths(same)).toEqual(['input.versions.0.promotions.0.toRateGroupId']);
    const unknown = await app.exec(b.as.manager, CREATE, {
      i: schemeInput({ ...promotion(), toRateGroupId: 'no-such-group' }),
    });
    expect(fieldPaths(unknown)).toEqual(['input.versions.0.promotions.0.toRateGroupId']);
  });

  it('promotes from the next month once the month passes the threshold, once on replay, and cites it in later lines', async () => {
    await must(app, b.as.manager, CREATE, { i: schemeInput(promotion()) });

    const first = await book('30000.00', '2026-02-05');
    expect(first.outcome.promoted).toBeUndefined();
    expect((await advisorLine(first.id)).amount.amount).toBe('1800.00'); // 30,000 × 15 % × 40 %

    const second = await book('22000.00', '2026-02-20');
    expect(second.outcome.promoted).toMatchObject({ rateGroupId: seniorId, from: '2026-03-01' });
    const replay = await app.services.commissions.consumer.onChange(second.change);
    expect(replay.written).toBe(0);
    expect(replay.promoted).toBeUndefined();

    const history = await adamsHistory();
    expect(history).toEqual([
      {
        rateGroupId: seniorId,
        from: '2026-03-01',
        setBy: 'system:commission-promotion',
        promotion: {
          schemeId: expect.any(String),
          ruleId: 'to-senior',
          rateGroupName: 'Senior',
          period: '2026-02',
          written: '52000.00',
          threshold: '50000.00',
          currency: 'CZK',
        },
      },
      { rateGroupId: b.juniorGroupId, from: '2026-01-01', setBy: b.admin.userId, promotion: null },
    ]);

    const march = await book('10000.00', '2026-03-03');
    const senior = await advisorLine(march.id);
    expect(senior.amount.amount).toBe('750.00'); // 10,000 × 15 % × 50 %
    expect(senior.explanation.ruleId).toBe('senior');
    expect(senior.explanation.formula).toBe(
      '1,500.00 × 50% (Senior advisor, v1) = 750.00; rate group Senior since 2026-03 (promoted: 52,000.00 CZK written in 2026-02 ≥ 50,000.00)',
    );
    // March production (10,000.00) is far from a further step: nothing more is recorded.
    expect(march.outcome.promoted).toBeUndefined();

    // A February policy booked after the promotion was recorded is still paid as Junior.
    const late = await book('1000.00', '2026-02-27');
    const junior = await advisorLine(late.id);
    expect(junior.explanation.ruleId).toBe('junior');
    expect(junior.explanation.formula).not.toContain('promoted');
    expect(await adamsHistory()).toHaveLength(2);
  });
});
