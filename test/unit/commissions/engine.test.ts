import { describe, expect, it } from 'vitest';
import { computeCommissionLines, SchemeSchema } from '../../../functions/modules/commissions/engine/index.js';
import {
  advisorScheme,
  byRecipient,
  mtplReceivable,
  policy,
  scheme,
  sum,
  written,
} from './engine-fixtures.js';

describe('computeCommissionLines: POLICY_WRITTEN', () => {
  // Source: issue 4 ("The ledger"), the formula it asks for verbatim:
  // `2,000.00 × 15% (MTPL receivable, v3) = 300.00`.
  it('writes the brokerage receivable with the formula text from the issue', () => {
    const lines = computeCommissionLines({
      event: written(policy()),
      schemes: [scheme([mtplReceivable], { version: 3 })],
    });
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line?.amount).toBe('300.00');
    expect(line?.ledger).toBe('RECEIVABLE');
    expect(line?.recipient).toEqual({ kind: 'BROKERAGE', id: 'BROKERAGE' });
    expect(line?.kind).toBe('ACCRUAL');
    expect(line?.explanation).toMatchObject({
      base: '2000',
      rate: '15',
      ruleId: 'rec-mtpl',
      schemeVersion: 3,
      level: 0,
    });
    expect(line?.explanation.formula).toBe('2,000.00 × 15% (MTPL receivable, v3) = 300.00');
  });

  // Source: Kadence glossary, "Commission override in insurance"
  // (https://www.startkadence.com/glossary/commission-override-insurance): "a carrier pays a 15% base
  // commission to the agency; the producing agent receives their contracted split (say, 60% of the
  // agency's portion)". On 1,000.00 premium: receivable 150.00, advisor 60% of it = 90.00.
  it("pays the advisor 60% of the brokerage's 15% receivable (Kadence worked example)", () => {
    const s = scheme([
      { ...mtplReceivable, match: {} },
      {
        id: 'adv',
        name: 'Advisor share',
        ledger: 'ADVISOR',
        computation: { type: 'PERCENT', base: { kind: 'LEDGER', ledger: 'RECEIVABLE' }, rate: '60' },
      },
    ]);
    const lines = computeCommissionLines({
      event: written(policy({ premium: { amount: '1000.00', currency: 'EUR' } })),
      schemes: [s],
    });
    expect(byRecipient(lines)).toEqual({ 'PRIMARY:BROKERAGE': '150.00', 'PRIMARY:u-seller': '90.00' });
    expect(lines[1]?.explanation.formula).toBe('150.00 × 60% (Advisor share, v1) = 90.00');
  });

  it('uses the version in force on the written date: v1 up to the day before validTo, v2 from it', () => {
    const s = SchemeSchema.parse({
      id: 'sch',
      name: 'S',
      currency: 'EUR',
      versions: [
        { version: 1, validFrom: '2024-01-01', validTo: '2024-07-01', rules: [mtplReceivable] },
        {
          version: 2,
          validFrom: '2024-07-01',
          rules: [{ ...mtplReceivable, computation: { ...mtplReceivable.computation, rate: '12' } }],
        },
      ],
    });
    const june = computeCommissionLines({
      event: written(policy({ writtenDate: '2024-06-30' })),
      schemes: [s],
    });
    const july = computeCommissionLines({
      event: written(policy({ writtenDate: '2024-07-01' })),
      schemes: [s],
    });
    expect([june[0]?.amount, june[0]?.explanation.schemeVersion]).toEqual(['300.00', 1]);
    expect([july[0]?.amount, july[0]?.explanation.schemeVersion]).toEqual(['240.00', 2]);
  });

  // Source: Commission Tracker help, "Manage Agent Levels and Uplines"
  // (https://help.commission-tracker.com/manage_agent_levels_and_uplines): a promotion with a future
  // start date applies to policies written on or after it; earlier policies keep the old rate.
  it('applies a future-dated promotion only to policies written from its date', () => {
    const s = scheme([
      {
        id: 'senior',
        name: 'Senior',
        ledger: 'ADVISOR',
        match: { rateGroupIds: ['senior'] },
        computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '12' },
      },
      {
        id: 'junior',
        name: 'Junior',
        ledger: 'ADVISOR',
        match: { rateGroupIds: ['junior'] },
        computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '8' },
      },
    ]);
    const hierarchy = [
      {
        level: 0,
        userId: 'u-seller',
        active: true,
        rateGroupId: 'senior',
        rateGroupMemberships: [
          { rateGroupId: 'junior', from: '2023-01-01' },
          { rateGroupId: 'senior', from: '2024-08-01' },
        ],
      },
    ];
    const before = computeCommissionLines({
      event: written(policy({ hierarchy, writtenDate: '2024-07-31' })),
      schemes: [s],
    });
    const after = computeCommissionLines({
      event: written(policy({ hierarchy, writtenDate: '2024-08-01' })),
      schemes: [s],
    });
    expect([before[0]?.explanation.ruleId, before[0]?.amount]).toEqual(['junior', '160.00']);
    expect([after[0]?.explanation.ruleId, after[0]?.amount]).toEqual(['senior', '240.00']);
  });

  it('lets individual terms listed first replace the general rule, and adds additive bonuses', () => {
    const s = scheme([
      {
        id: 'star',
        name: 'Star terms',
        ledger: 'ADVISOR',
        match: { recipientUserId: 'u-seller' },
        computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '20' },
      },
      {
        id: 'std',
        name: 'Standard',
        ledger: 'ADVISOR',
        computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '10' },
      },
      {
        id: 'bonus',
        name: 'Franchise bonus',
        ledger: 'ADVISOR',
        additive: true,
        computation: { type: 'FLAT', amount: '25' },
      },
    ]);
    const lines = computeCommissionLines({ event: written(policy()), schemes: [s] });
    expect(lines.map((l) => [l.explanation.ruleId, l.amount])).toEqual([
      ['star', '400.00'],
      ['bonus', '25.00'],
    ]);
    const other = computeCommissionLines({
      event: written(policy({ sellerId: 'u-x', hierarchy: [] })),
      schemes: [s],
    });
    expect(other.map((l) => l.explanation.ruleId)).toEqual(['std', 'bonus']);
  });

  // Constructed example: 0.5% of 1,000.00 = 5.00 is raised to the 10.00 minimum; 5% of 1,000.00 =
  // 50.00 is capped at 40.00.
  it('applies minimum and maximum and says so in the formula', () => {
    const lines = computeCommissionLines({
      event: written(policy({ premium: { amount: '1000.00', currency: 'EUR' } })),
      schemes: [
        scheme([
          {
            id: 'r',
            name: 'Low',
            ledger: 'RECEIVABLE',
            min: '10',
            computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '0.5' },
          },
          {
            id: 'a',
            name: 'High',
            ledger: 'ADVISOR',
            max: '40',
            computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '5' },
          },
        ]),
      ],
    });
    expect(lines.map((l) => l.amount)).toEqual(['10.00', '40.00']);
    expect(lines[0]?.explanation.formula).toBe(
      '1,000.00 × 0.5% = 5.00, raised to minimum 10.00 (Low, v1) = 10.00',
    );
    expect(lines[1]?.explanation.formula).toBe(
      '1,000.00 × 5% = 50.00, capped at maximum 40.00 (High, v1) = 40.00',
    );
  });

  it('pays the referring partner on the PARTNER ledger and nothing when no partner referred the deal', () => {
    const s = scheme([
      {
        id: 'p',
        name: 'Lead fee',
        ledger: 'PARTNER',
        computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '2' },
      },
    ]);
    const referred = computeCommissionLines({
      event: written(policy({ referringPartnerId: 'partner-7' })),
      schemes: [s],
    });
    expect(referred.map((l) => [l.ledger, l.recipient, l.amount])).toEqual([
      ['PARTNER', { kind: 'PARTNER', id: 'partner-7' }, '40.00'],
    ]);
    expect(computeCommissionLines({ event: written(policy()), schemes: [s] })).toEqual([]);
  });

  it('skips a scheme in another currency rather than mixing currencies', () => {
    const lines = computeCommissionLines({
      event: written(policy({ premium: { amount: '2000.00', currency: 'CZK' } })),
      schemes: [scheme([mtplReceivable])],
    });
    expect(lines).toEqual([]);
  });
});

describe('overrides and splits', () => {
  const advisor = advisorScheme;
  const chain = (managerActive: boolean) => [
    { level: 0, userId: 'u-seller', active: true, rateGroupId: 'junior' },
    { level: 1, userId: 'u-manager', active: managerActive, rateGroupId: 'manager' },
    { level: 2, userId: 'u-director', active: true, rateGroupId: 'director' },
  ];

  // Constructed example: 2,000.00 premium, seller at 15%; level 1 earns 2% and level 2 earns 1% of the
  // premium: manager 40.00, director 20.00. With the manager inactive the director moves up to level 1
  // (compression) and earns its 2% = 40.00; nobody is left for level 2.
  it('pays percent overrides per level and compresses past an inactive upline', () => {
    const levels = [
      { type: 'PERCENT', rate: '2' },
      { type: 'PERCENT', rate: '1' },
    ];
    const full = computeCommissionLines({
      event: written(policy({ hierarchy: chain(true) })),
      schemes: [advisor(levels)],
    });
    expect(byRecipient(full)).toEqual({
      'PRIMARY:u-seller': '300.00',
      'OVERRIDE:u-manager': '40.00',
      'OVERRIDE:u-director': '20.00',
    });
    const compressed = computeCommissionLines({
      event: written(policy({ hierarchy: chain(false) })),
      schemes: [advisor(levels)],
    });
    expect(byRecipient(compressed)).toEqual({ 'PRIMARY:u-seller': '300.00', 'OVERRIDE:u-director': '40.00' });
    const director = compressed.find((l) => l.recipient.id === 'u-director');
    expect([director?.explanation.level, director?.explanation.hierarchyLevel]).toEqual([1, 2]);
    expect(director?.explanation.formula).toBe('2,000.00 × 2% (Advisor, v1, override level 1) = 40.00');
  });

  // Constructed example of a differential (spread) override: contract rates junior 15%, manager 20%,
  // director 25%. On 2,000.00 the seller earns 300.00 (15%), the manager 2,000 × (20 − 15)% = 100.00 and
  // the director 2,000 × (25 − 20)% = 100.00: 500.00 in all, which is the director's 25%. With the
  // manager inactive the director takes level 1 and the whole spread 2,000 × (25 − 15)% = 200.00.
  it('pays the differential between contract rates and rolls the spread up past an inactive upline', () => {
    const diff = {
      type: 'DIFFERENTIAL',
      rates: [
        { rateGroupId: 'manager', rate: '20' },
        { rateGroupId: 'director', rate: '25' },
      ],
    };
    const full = computeCommissionLines({
      event: written(policy({ hierarchy: chain(true) })),
      schemes: [advisor([diff, diff])],
    });
    expect(byRecipient(full)).toEqual({
      'PRIMARY:u-seller': '300.00',
      'OVERRIDE:u-manager': '100.00',
      'OVERRIDE:u-director': '100.00',
    });
    expect(sum(full)).toBe('500.00');
    expect(full[1]?.explanation.formula).toBe(
      '2,000.00 × (20% − 15%) (Advisor, v1, override level 1) = 100.00',
    );
    const compressed = computeCommissionLines({
      event: written(policy({ hierarchy: chain(false) })),
      schemes: [advisor([diff, diff])],
    });
    expect(byRecipient(compressed)).toEqual({
      'PRIMARY:u-seller': '300.00',
      'OVERRIDE:u-director': '200.00',
    });
  });

  it('skips an upline outside the level\u2019s rate groups and gives the level to the next one', () => {
    const levels = [{ type: 'PERCENT', rate: '2', rateGroupIds: ['director'] }];
    const lines = computeCommissionLines({
      event: written(policy({ hierarchy: chain(true) })),
      schemes: [advisor(levels)],
    });
    expect(byRecipient(lines)).toEqual({ 'PRIMARY:u-seller': '300.00', 'OVERRIDE:u-director': '40.00' });
  });

  // Constructed example: commission 300.00 with a 30% originator share: the originator earns 90.00
  // whoever closed, the closer keeps 210.00.
  it('gives the originator their share of the advisor commission when someone else closed', () => {
    const lines = computeCommissionLines({
      event: written(policy({ originatorId: 'u-origin' })),
      schemes: [advisor([], { originatorShare: '30' })],
    });
    expect(byRecipient(lines)).toEqual({ 'ORIGINATOR:u-origin': '90.00', 'PRIMARY:u-seller': '210.00' });
    expect(lines[0]?.explanation.formula).toBe(
      '2,000.00 × 15% = 300.00 × 30% originator share (Advisor, v1) = 90.00',
    );
    const own = computeCommissionLines({
      event: written(policy()),
      schemes: [advisor([], { originatorShare: '30' })],
    });
    expect(byRecipient(own)).toEqual({ 'PRIMARY:u-seller': '300.00' });
  });

  // Constructed example: 100.00 split three ways at 33.33 / 33.33 / 33.34 %: 33.33 + 33.33 + 33.34 = 100.00
  // to the cent (the last share takes the rounding remainder); a 10% overlay adds 10.00 on top.
  it('splits among closers to the cent and pays overlay credit on top', () => {
    const lines = computeCommissionLines({
      event: written(
        policy({
          premium: { amount: '1000.00', currency: 'EUR' },
          splits: [
            { userId: 'a', share: '33.33', overlay: false },
            { userId: 'b', share: '33.33', overlay: false },
            { userId: 'c', share: '33.34', overlay: false },
            { userId: 'm', share: '10', overlay: true },
          ],
        }),
      ),
      schemes: [
        scheme([
          {
            id: 'adv',
            name: 'Advisor',
            ledger: 'ADVISOR',
            computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '10' },
          },
        ]),
      ],
    });
    expect(byRecipient(lines)).toEqual({
      'SPLIT:a': '33.33',
      'SPLIT:b': '33.33',
      'SPLIT:c': '33.34',
      'SPLIT:m': '10.00',
    });
  });
});
