import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CommissionEvent,
  type CommissionLine,
  computeCommissionLines,
  evaluateTiers,
  type Scheme,
  type TierTable,
} from '../../../functions/modules/commissions/engine/index.js';
import { Dec, money } from '../../../functions/shared/money.js';
import { policy, scheme, sum } from './engine-fixtures.js';

/** Cents as a decimal string, built from integers so no binary fraction is ever involved. */
const amountOf = (cents: number) => `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
const cents = fc.integer({ min: 1, max: 5_000_000 });

const full: Scheme = scheme([
  {
    id: 'rec',
    name: 'Receivable',
    ledger: 'RECEIVABLE',
    clawback: { type: 'PRO_RATA_MONTHS' },
    computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '15' },
  },
  {
    id: 'adv',
    name: 'Advisor',
    ledger: 'ADVISOR',
    originatorShare: '30',
    min: '5',
    overrides: [{ type: 'PERCENT', rate: '2.5' }],
    clawback: {
      type: 'TENURE',
      bands: [
        { fromMonth: 1, toMonth: 6, percent: '100' },
        { fromMonth: 7, toMonth: 12, percent: '50' },
      ],
    },
    computation: { type: 'PERCENT', base: { kind: 'LEDGER', ruleId: 'rec' }, rate: '40' },
  },
  {
    id: 'paid',
    name: 'Paid bonus',
    ledger: 'ADVISOR',
    additive: true,
    clawback: { type: 'PRO_RATA_MONTHS' },
    computation: {
      type: 'TIERED',
      base: { kind: 'PAID_PREMIUM' },
      table: {
        mode: 'MARGINAL',
        volume: 'PER_LINE',
        boundary: 'UPPER_INCLUSIVE',
        tiers: [
          { from: '0', to: '500', rate: '1' },
          { from: '500', rate: '2.125' },
        ],
      },
    },
  },
]);

const facts = policy({
  originatorId: 'u-origin',
  hierarchy: [
    { level: 0, userId: 'u-seller', active: true, rateGroupId: 'junior' },
    { level: 1, userId: 'u-manager', active: true, rateGroupId: 'manager' },
  ],
});

type Op =
  | { op: 'endorse'; cents: number }
  | { op: 'pay'; cents: number }
  | { op: 'cancel'; date: string }
  | { op: 'reactivate' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('endorse' as const), cents }),
  fc.record({ op: fc.constant('pay' as const), cents }),
  fc.record({
    op: fc.constant('cancel' as const),
    date: fc.constantFrom('2024-07-20', '2024-10-01', '2025-01-15', '2025-06-30'),
  }),
  fc.record({ op: fc.constant('reactivate' as const) }),
);

/**
 * Turns operations into the events a stream would carry, each with its id and the policy version its
 * write produced fixed once; cancellations and reactivations read the ledger as it is when processed.
 */
function eventsOf(first: number, ops: Op[]): ((ledger: CommissionLine[]) => CommissionEvent)[] {
  let premium = amountOf(first);
  let version = 1;
  const initial = premium;
  const out: ((ledger: CommissionLine[]) => CommissionEvent)[] = [
    () => ({
      type: 'POLICY_WRITTEN',
      eventId: 'e0',
      policy: { ...facts, version: 1, premium: { amount: initial, currency: 'EUR' } },
    }),
  ];
  ops.forEach((o, i) => {
    const eventId = `e${i + 1}`;
    if (o.op === 'pay') {
      // A payment is its own item: it does not move the policy's version.
      const p = { ...facts, version };
      out.push(() => ({
        type: 'PAYMENT_RECEIVED',
        eventId,
        policy: p,
        amount: amountOf(o.cents),
        paidDate: '2024-09-01',
      }));
      return;
    }
    version += 1;
    const p = { ...facts, version };
    if (o.op === 'endorse') {
      const previousPremium = premium;
      premium = amountOf(o.cents);
      const newPremium = premium;
      out.push(() => ({ type: 'ENDORSED', eventId, policy: p, previousPremium, newPremium }));
    } else if (o.op === 'cancel') {
      out.push((ledger) => ({
        type: 'CANCELLED',
        eventId,
        policy: p,
        cancellationDate: o.date,
        policyLines: ledger,
      }));
    } else {
      out.push((ledger) => ({ type: 'REACTIVATED', eventId, policy: p, policyLines: ledger }));
    }
  });
  return out;
}

/** The consumer's write: a conditional put on the line id, so an existing id changes nothing. */
function apply(
  ledger: Map<string, CommissionLine>,
  events: ((l: CommissionLine[]) => CommissionEvent)[],
): void {
  for (const make of events) {
    for (const line of computeCommissionLines({ event: make([...ledger.values()]), schemes: [full] })) {
      if (!ledger.has(line.id)) ledger.set(line.id, line);
    }
  }
}

describe('engine properties', () => {
  it('replaying any event sequence (three times, and with duplicates) gives the same ledger', () => {
    fc.assert(
      fc.property(cents, fc.array(opArb, { maxLength: 8 }), (first, ops) => {
        const events = eventsOf(first, ops);
        const once = new Map<string, CommissionLine>();
        apply(once, events);
        const snapshot = JSON.stringify([...once.entries()]);
        apply(once, events);
        apply(once, [...events].reverse());
        apply(once, events);
        expect(JSON.stringify([...once.entries()])).toBe(snapshot);
      }),
      { numRuns: 60 },
    );
  }, 30_000);

  it('line sums equal the per-recipient accruals, and the receivable equals 15% of the final premium', () => {
    fc.assert(
      fc.property(
        cents,
        fc.array(fc.record({ op: fc.constant('endorse' as const), cents }), { maxLength: 6 }),
        (first, ops) => {
          const ledger = new Map<string, CommissionLine>();
          apply(ledger, eventsOf(first, ops));
          const lines = [...ledger.values()];
          const accruals = new Map<string, Dec>();
          for (const l of lines) {
            const key = `${l.ledger}|${l.recipient.kind}|${l.recipient.id}`;
            accruals.set(key, (accruals.get(key) ?? new Dec(0)).plus(l.amount));
          }
          const accrued = [...accruals.values()].reduce((a, b) => a.plus(b), new Dec(0));
          expect(accrued.toFixed(2)).toBe(sum(lines));
          const finalPremium =
            ops.length === 0 ? amountOf(first) : amountOf((ops.at(-1) as { cents: number }).cents);
          const receivable = accruals.get('RECEIVABLE|BROKERAGE|BROKERAGE') ?? new Dec(0);
          expect(receivable.toFixed(2)).toBe(money(new Dec(finalPremium).times('0.15'), 'EUR').amount);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a clawback plus its reversal nets to exactly zero and never recovers more than was earned', () => {
    fc.assert(
      fc.property(
        cents,
        cents,
        fc.constantFrom('2024-07-20', '2024-09-02', '2024-12-31', '2025-03-01', '2025-07-31'),
        (p, paid, date) => {
          const ledger = new Map<string, CommissionLine>();
          apply(ledger, eventsOf(p, [{ op: 'pay', cents: paid }]));
          const earned = sum([...ledger.values()]);
          const claw = computeCommissionLines({
            event: {
              type: 'CANCELLED',
              eventId: 'c',
              policy: { ...facts, version: 5 },
              cancellationDate: date,
              policyLines: [...ledger.values()],
            },
            schemes: [full],
          });
          const reversal = computeCommissionLines({
            event: {
              type: 'REACTIVATED',
              eventId: 'r',
              policy: { ...facts, version: 6 },
              policyLines: [...ledger.values(), ...claw],
            },
            schemes: [full],
          });
          expect(sum([...claw, ...reversal])).toBe('0.00');
          expect(new Dec(sum(claw)).abs().lte(earned)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('marginal never pays more than whole-amount when rates rise with volume', () => {
    const tiersArb = fc
      .array(fc.tuple(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 10_000 })), {
        minLength: 1,
        maxLength: 6,
      })
      .map((steps) => {
        let from = 0;
        let rate = 0;
        return steps.map(([width, rateStep], i) => {
          rate = Math.min(10_000, rate + rateStep);
          const tier = {
            from: String(from),
            to: i === steps.length - 1 ? undefined : String(from + width),
            rate: amountOf(rate),
          };
          from += width;
          return tier;
        });
      });
    fc.assert(
      fc.property(
        tiersArb,
        cents,
        fc.constantFrom('LOWER_INCLUSIVE' as const, 'UPPER_INCLUSIVE' as const),
        (tiers, volumeCents, boundary) => {
          const t = (mode: TierTable['mode']): TierTable => ({ mode, volume: 'PER_LINE', boundary, tiers });
          const volume = new Dec(amountOf(volumeCents));
          expect(
            evaluateTiers(t('MARGINAL'), volume).amount.lte(evaluateTiers(t('WHOLE_AMOUNT'), volume).amount),
          ).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('exact money', () => {
  const all = scheme([
    {
      id: 'r',
      name: 'All',
      ledger: 'RECEIVABLE',
      computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '100' },
    },
  ]);

  it('writes 0.1 then endorses by 0.2 and holds exactly 0.30, where binary floating point gives 0.30000000000000004', () => {
    const w = computeCommissionLines({
      event: {
        type: 'POLICY_WRITTEN',
        eventId: 'w',
        policy: policy({ premium: { amount: '0.10', currency: 'EUR' } }),
      },
      schemes: [all],
    });
    const e = computeCommissionLines({
      event: {
        type: 'ENDORSED',
        eventId: 'e',
        policy: policy(),
        previousPremium: '0.1',
        newPremium: new Dec('0.1').plus('0.2').toFixed(),
      },
      schemes: [all],
    });
    expect(e[0]?.amount).toBe('0.20');
    expect(sum([...w, ...e])).toBe('0.30');
  });

  // Source: Nutmeg, "Banker's rounding" (https://nutmeg.com/bankers-rounding): 1.125 → 1.12, 1.115 → 1.12;
  // Google Checkout's rule as quoted by sageshome.net: 12.435 → 12.44, 12.445 → 12.44, 12.44501 → 12.45.
  it('rounds ties half-even as the published banker\u2019s rounding examples do', () => {
    expect(['1.125', '1.115', '12.435', '12.445', '12.44501'].map((v) => money(v, 'EUR').amount)).toEqual([
      '1.12',
      '1.12',
      '12.44',
      '12.44',
      '12.45',
    ]);
  });

  it('rounds a line of 0.125 to 0.12 and 0.135 to 0.14 (half-even at the line)', () => {
    const at = (rate: string) =>
      computeCommissionLines({
        event: {
          type: 'POLICY_WRITTEN',
          eventId: 'w',
          policy: policy({ premium: { amount: '1.00', currency: 'EUR' } }),
        },
        schemes: [
          scheme([
            {
              id: 'r',
              name: 'Tie',
              ledger: 'RECEIVABLE',
              computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate },
            },
          ]),
        ],
      })[0]?.amount;
    expect(at('12.5')).toBe('0.12');
    expect(at('13.5')).toBe('0.14');
  });

  it('rounds to the currency’s minor unit: no decimals for JPY, three for BHD', () => {
    expect(money('1234.5', 'JPY').amount).toBe('1234');
    expect(money('1.2345', 'BHD').amount).toBe('1.234');
  });

  it('keeps any sum of cent amounts exact through the engine', () => {
    fc.assert(
      fc.property(fc.array(cents, { minLength: 1, maxLength: 10 }), (parts) => {
        const total = parts.reduce((a, b) => a + b, 0);
        const lines = computeCommissionLines({
          event: {
            type: 'POLICY_WRITTEN',
            eventId: 'w',
            policy: policy({ premium: { amount: amountOf(total), currency: 'EUR' } }),
          },
          schemes: [all],
        });
        expect(lines[0]?.amount).toBe(amountOf(total));
      }),
    );
  });
});
