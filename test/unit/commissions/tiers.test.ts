import { describe, expect, it } from 'vitest';
import {
  evaluateTiers,
  SchemeSchema,
  SplitArrangementSchema,
  type TierTable,
  tierIndexOf,
} from '../../../functions/modules/commissions/engine/index.js';
import { Dec } from '../../../functions/shared/money.js';

const table = (
  mode: TierTable['mode'],
  tiers: TierTable['tiers'],
  boundary: TierTable['boundary'] = 'LOWER_INCLUSIVE',
): TierTable => ({
  mode,
  volume: 'PER_LINE',
  boundary,
  tiers,
});

describe('tier tables', () => {
  // Source: Epicor Eclipse help, "Tiered Commission Plan Details"
  // (http://159.66.236.10:2080/Eclipse-Help/CHUI/!SSL!/WebHelp/mergedProjects/PRICE/PRICE_CON_TieredCommissionPlanDetails.htm):
  // ranges 0–200 at 2%, 200–500 at 3%, 500–1000 at 4%, above 1000 at 5.5%; GP$ 1,200 earns
  // 4.00 + 9.00 + 20.00 + 11.00 = 44.00 tiered, and "5.5 percent on $1200, which equals $66.00" without tiering.
  const eclipse: TierTable['tiers'] = [
    { from: '0', to: '200', rate: '2' },
    { from: '200', to: '500', rate: '3' },
    { from: '500', to: '1000', rate: '4' },
    { from: '1000', rate: '5.5' },
  ];

  it('pays 44.00 marginal on 1,200.00 over four bands (Epicor Eclipse worked example)', () => {
    const r = evaluateTiers(table('MARGINAL', eclipse), new Dec('1200'));
    expect(r.amount.toFixed(2)).toBe('44.00');
    expect(r.slices.map((s) => [s.portion.toFixed(), s.rate])).toEqual([
      ['200', '2'],
      ['300', '3'],
      ['500', '4'],
      ['200', '5.5'],
    ]);
  });

  it('pays 66.00 whole-amount on 1,200.00: all of it at the 5.5% tier reached (Epicor Eclipse worked example)', () => {
    const r = evaluateTiers(table('WHOLE_AMOUNT', eclipse), new Dec('1200'));
    expect(r.amount.toFixed(2)).toBe('66.00');
    expect(r.tierIndex).toBe(3);
  });

  // Source: Sales Cookie, "Calculating commissions with tiers", example 1
  // (https://www.salescookie.com/Blog/Content/2020/11/11/calculating-commissions-with-tiers/):
  // 0–1000 at 1%, 1000–2000 at 2%, 2000–5000 at 4%, 5000–10000 at 5%, 10000–25000 at 5%;
  // sales of 12,500 earn 10 + 20 + 120 + 250 + 125 = 525.
  it('pays 525.00 marginal on 12,500.00 (Sales Cookie example 1)', () => {
    const r = evaluateTiers(
      table('MARGINAL', [
        { from: '0', to: '1000', rate: '1' },
        { from: '1000', to: '2000', rate: '2' },
        { from: '2000', to: '5000', rate: '4' },
        { from: '5000', to: '10000', rate: '5' },
        { from: '10000', to: '25000', rate: '5' },
      ]),
      new Dec('12500'),
    );
    expect(r.amount.toFixed(2)).toBe('525.00');
  });

  // Constructed example: tiers 0–1,000 at 2% and 1,000+ at 3%, volume exactly 1,000.00.
  // LOWER_INCLUSIVE reads [0, 1000) so 1,000 is in tier 2: 1,000 × 3% = 30.00.
  // UPPER_INCLUSIVE reads (0, 1000] so 1,000 stays in tier 1: 1,000 × 2% = 20.00.
  const two: TierTable['tiers'] = [
    { from: '0', to: '1000', rate: '2' },
    { from: '1000', rate: '3' },
  ];
  it('puts an exact boundary value in the upper tier under LOWER_INCLUSIVE (constructed example)', () => {
    expect(tierIndexOf(table('WHOLE_AMOUNT', two, 'LOWER_INCLUSIVE'), new Dec('1000'))).toBe(1);
    expect(
      evaluateTiers(table('WHOLE_AMOUNT', two, 'LOWER_INCLUSIVE'), new Dec('1000')).amount.toFixed(2),
    ).toBe('30.00');
  });

  it('keeps an exact boundary value in the lower tier under UPPER_INCLUSIVE (constructed example)', () => {
    expect(tierIndexOf(table('WHOLE_AMOUNT', two, 'UPPER_INCLUSIVE'), new Dec('1000'))).toBe(0);
    expect(
      evaluateTiers(table('WHOLE_AMOUNT', two, 'UPPER_INCLUSIVE'), new Dec('1000')).amount.toFixed(2),
    ).toBe('20.00');
  });

  it('mirrors a negative volume exactly, so a fall reverses what a rise paid', () => {
    const t = table('MARGINAL', eclipse);
    expect(evaluateTiers(t, new Dec('-1200')).amount.toFixed(2)).toBe('-44.00');
  });
});

describe('scheme validation', () => {
  const base = {
    id: 'sch',
    name: 'Scheme',
    currency: 'EUR',
  };
  const percentRule = {
    id: 'r1',
    name: 'R',
    ledger: 'RECEIVABLE',
    computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '15' },
  };

  it('rejects versions whose date ranges overlap', () => {
    const r = SchemeSchema.safeParse({
      ...base,
      versions: [
        { version: 1, validFrom: '2024-01-01', validTo: '2024-07-01', rules: [percentRule] },
        { version: 2, validFrom: '2024-06-01', rules: [percentRule] },
      ],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain('versions.1.validFrom');
  });

  it('accepts back-to-back versions where validTo is the next validFrom (validTo is exclusive)', () => {
    const r = SchemeSchema.safeParse({
      ...base,
      versions: [
        { version: 1, validFrom: '2024-01-01', validTo: '2024-07-01', rules: [percentRule] },
        { version: 2, validFrom: '2024-07-01', rules: [percentRule] },
      ],
    });
    expect(r.success).toBe(true);
  });

  it('rejects tiers with a gap, a tier not starting at 0, and an open tier before the last', () => {
    const tiered = (tiers: unknown[]) => ({
      ...base,
      versions: [
        {
          version: 1,
          validFrom: '2024-01-01',
          rules: [
            {
              id: 't',
              name: 'T',
              ledger: 'ADVISOR',
              computation: {
                type: 'TIERED',
                base: { kind: 'WRITTEN_PREMIUM' },
                table: { mode: 'MARGINAL', volume: 'PER_LINE', boundary: 'LOWER_INCLUSIVE', tiers },
              },
            },
          ],
        },
      ],
    });
    const gap = SchemeSchema.safeParse(
      tiered([
        { from: '0', to: '100', rate: '1' },
        { from: '150', rate: '2' },
      ]),
    );
    expect(gap.error?.issues[0]?.message).toMatch(/previous tier/);
    const notZero = SchemeSchema.safeParse(tiered([{ from: '10', rate: '1' }]));
    expect(notZero.error?.issues[0]?.message).toBe('must be 0');
    const openEarly = SchemeSchema.safeParse(
      tiered([
        { from: '0', rate: '1' },
        { from: '100', rate: '2' },
      ]),
    );
    expect(openEarly.success).toBe(false);
  });

  it('rejects a rate above 100% and a rate written as an exponent', () => {
    const withRate = (rate: string) =>
      SchemeSchema.safeParse({
        ...base,
        versions: [
          {
            version: 1,
            validFrom: '2024-01-01',
            rules: [{ ...percentRule, computation: { ...percentRule.computation, rate } }],
          },
        ],
      });
    expect(withRate('100.01').success).toBe(false);
    expect(withRate('1e1').success).toBe(false);
    expect(withRate('100').success).toBe(true);
  });

  it('rejects a ledger base that names a later rule, so evaluation order cannot form a cycle', () => {
    const r = SchemeSchema.safeParse({
      ...base,
      versions: [
        {
          version: 1,
          validFrom: '2024-01-01',
          rules: [
            {
              id: 'adv',
              name: 'A',
              ledger: 'ADVISOR',
              computation: { type: 'PERCENT', base: { kind: 'LEDGER', ruleId: 'rec' }, rate: '40' },
            },
            percentRule,
          ],
        },
      ],
    });
    expect(r.error?.issues[0]?.message).toBe('must name an earlier rule');
  });

  it('requires split shares to sum to 100% unless the extra share is marked overlay', () => {
    expect(
      SplitArrangementSchema.safeParse([
        { userId: 'a', share: '60' },
        { userId: 'b', share: '30' },
      ]).success,
    ).toBe(false);
    expect(
      SplitArrangementSchema.safeParse([
        { userId: 'a', share: '60' },
        { userId: 'b', share: '40' },
      ]).success,
    ).toBe(true);
    expect(
      SplitArrangementSchema.safeParse([
        { userId: 'a', share: '60' },
        { userId: 'b', share: '40' },
        { userId: 'm', share: '10', overlay: true },
      ]).success,
    ).toBe(true);
    expect(
      SplitArrangementSchema.safeParse([
        { userId: 'a', share: '60' },
        { userId: 'b', share: '40' },
        { userId: 'm', share: '10' },
      ]).success,
    ).toBe(false);
  });
});
