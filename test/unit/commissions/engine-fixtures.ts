import {
  type CommissionEvent,
  type CommissionLine,
  type PolicyFacts,
  type Scheme,
  SchemeSchema,
} from '../../../functions/modules/commissions/engine/index.js';
import { Dec } from '../../../functions/shared/money.js';

/** A policy with every matching field filled; tests override what they are about. */
export function policy(overrides: Partial<PolicyFacts> = {}): PolicyFacts {
  return {
    id: 'pol-1',
    insurerId: 'ins-allianz',
    productLineId: 'pl-mtpl',
    productLineCode: 'MTPL',
    premium: { amount: '2000.00', currency: 'EUR' },
    writtenDate: '2024-07-15',
    termStart: '2024-08-01',
    termEnd: '2025-07-31',
    businessType: 'NEW',
    version: 1,
    renewalYear: 1,
    clientSegment: 'RETAIL',
    acquisitionType: 'DIRECT',
    leadSourceId: null,
    branchKind: 'OWN',
    sellerId: 'u-seller',
    originatorId: 'u-seller',
    referringPartnerId: null,
    hierarchy: [{ level: 0, userId: 'u-seller', active: true, rateGroupId: 'junior' }],
    ...overrides,
  };
}

export function scheme(
  rules: Record<string, unknown>[],
  extra: Partial<{ id: string; version: number }> = {},
): Scheme {
  return SchemeSchema.parse({
    id: extra.id ?? 'sch-1',
    name: 'Main scheme',
    currency: 'EUR',
    versions: [{ version: extra.version ?? 1, validFrom: '2024-01-01', rules }],
  });
}

export function written(p: PolicyFacts, eventId = 'evt-write'): CommissionEvent {
  return { type: 'POLICY_WRITTEN', eventId, policy: p };
}

/** Sum of line amounts in exact decimals, written with two decimals (EUR). */
export function sum(lines: CommissionLine[]): string {
  return lines.reduce((acc, l) => acc.plus(l.amount), new Dec(0)).toFixed(2);
}

/** An ADVISOR scheme paying the seller 15 % of the written premium, with override levels. */
export function advisorScheme(overrides: unknown[], extra: Record<string, unknown> = {}): Scheme {
  return scheme([
    {
      id: 'adv',
      name: 'Advisor',
      ledger: 'ADVISOR',
      overrides,
      computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '15' },
      ...extra,
    },
  ]);
}

/** Line amounts by `role:recipient`. */
export const byRecipient = (lines: CommissionLine[]): Record<string, string> =>
  Object.fromEntries(lines.map((l) => [`${l.explanation.role}:${l.recipient.id}`, l.amount]));

/** The brokerage receivable on MTPL: the rule most engine tests start from. */
export const mtplReceivable = {
  id: 'rec-mtpl',
  name: 'MTPL receivable',
  ledger: 'RECEIVABLE',
  match: { productLines: ['MTPL'] },
  computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '15' },
};
