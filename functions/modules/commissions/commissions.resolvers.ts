import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { loadersOf, loadOrg } from '../../graphql/loaders.js';
import { authorize, seesClientNames, seesCommissionBasis } from '../../shared/auth/policy.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';
import { OrgKind } from '../../shared/table-design.js';
import { formatAmount, ruleLabel } from './engine/explain.js';
import type { CommissionLine } from './engine/index.js';
import type { LineView } from './line-views.js';

const moneyOf = (amount: string, l: Pick<CommissionLine, 'currency'>) => ({ amount, currency: l.currency });

/**
 * The explanation for a caller who may not see how the line was computed (a partner): the rule and
 * the result only, e.g. `(Partner referral, v1) = 12.00`. Base, rate, tier and share are gone, so
 * the premium cannot be derived from them; the policy module decides who sees what.
 */
function resultOnly(l: LineView) {
  const e = l.explanation;
  const level = e.level > 0 ? e.level : undefined;
  return {
    ...e,
    base: null,
    previousBase: null,
    rate: null,
    tier: null,
    share: null,
    formula: `${ruleLabel(e.ruleName, e.schemeVersion, level)} = ${formatAmount(l.amount, l.currency)}`,
  };
}

/** Commission resolvers: parse arguments, call the commissions service, map to the schema. */
export const commissionsResolvers: Resolvers = {
  Query: {
    commissionSchemes: (_root, _args, { principal, services }) =>
      services.commissions.schemes.list(principal),
    commissionScheme: (_root, { id }, { principal, services }) =>
      services.commissions.schemes.get(principal, id),
    // Partners read their lines as PartnerCommissionLine (partnerCommissionLines): no basis field at all.
    commissionLines: async (_root, args, { principal, services }) =>
      toConnection(
        await services.commissions.ledger.lines(
          authorize(principal, 'commissions:lines:read'),
          args.filter ?? {},
          pageArgs(args),
        ),
      ),
    commissionLine: async (_root, { id }, { principal, services }) =>
      (await services.commissions.ledger.line(principal, id))?.line ?? null,
    commissionAccruals: (_root, args, { principal, services }) =>
      services.commissions.ledger.accruals(principal, { recipient: args.recipient, period: args.period }),
    commissionPeriods: (_root, _args, { principal, services }) =>
      services.commissions.periods.list(principal),
    openCommissionDisputes: async (_root, args, { principal, services }) =>
      toConnection(await services.commissions.disputes.open(principal, pageArgs(args))),
    commissionStatementExceptions: (_root, args, { principal, services }) =>
      services.commissions.reconciliation.statementExceptions(principal, args.insurerId, args.period),
    schemeVersionAffectedPolicies: async (_root, args, { principal, services }) =>
      toConnection(
        await services.commissions.affectedPolicies.list(
          principal,
          { schemeId: args.schemeId, version: args.version },
          pageArgs(args),
        ),
      ),
    simulateCommissions: (_root, { input }, { principal, services }) =>
      services.commissions.simulation.simulate(principal, input),
  },
  Mutation: {
    createCommissionScheme: (_root, { input }, { principal, services }) =>
      services.commissions.schemes.create(principal, input),
    addCommissionSchemeVersion: (_root, { input }, { principal, services }) =>
      services.commissions.schemes.addVersion(principal, input),
    editCommissionSchemeVersion: (_root, { input }, { principal, services }) =>
      services.commissions.schemes.editVersion(principal, input),
    approveCommissionPeriod: (_root, { input }, { principal, services }) =>
      services.commissions.periods.approve(principal, input),
    markCommissionPeriodPaid: (_root, { input }, { principal, services }) =>
      services.commissions.periods.markPaid(principal, input),
    recomputeCommissions: (_root, { input }, { principal, services }) =>
      services.commissions.recompute.recompute(principal, input),
    adjustCommissionLine: (_root, { input }, { principal, services }) =>
      services.commissions.ledger.adjustLine(principal, input),
    disputeCommissionLine: (_root, { input }, { principal, services }) =>
      services.commissions.disputes.dispute(principal, input),
    resolveCommissionDispute: (_root, { input }, { principal, services }) =>
      services.commissions.disputes.resolve(principal, input),
    importCommissionStatement: (_root, { input }, { principal, services }) =>
      services.commissions.reconciliation.importStatement(principal, input),
  },
  CommissionScheme: {
    changes: (scheme, _args, { principal, services }) =>
      services.commissions.schemes.changes(principal, scheme.id),
  },
  CommissionLine: {
    explanation: (l, _args, { principal }) =>
      seesCommissionBasis(principal) ? l.explanation : resultOnly(l),
    amount: (l) => moneyOf(l.amount, l),
    suggestedAmount: (l) => moneyOf(l.amount, l),
    approvedAmount: (l) => (l.approvedAmount === null ? null : moneyOf(l.approvedAmount, l)),
    disputes: (l, _args, { principal, services }) => services.commissions.ledger.disputesOf(principal, l),
    policy: (l, _args, ctx) => loadersOf(ctx).policy.load({ id: l.policyId, clientId: l.clientId ?? null }),
  },
  CommissionLinePolicy: {
    holderName: (p, _args, { principal }) => (seesClientNames(principal) ? p.holderName : null),
  },
  CommissionRecipient: {
    name: async (r, _args, ctx) => {
      if (r.kind === 'BROKERAGE') return loadersOf(ctx).tenantName();
      const kind = r.kind === 'USER' ? OrgKind.User : OrgKind.Partner;
      return (await loadOrg<{ name: string }>(ctx, kind, r.id))?.name ?? null;
    },
  },
  CommissionDifference: {
    lineId: (d) => d.line.id,
    policyId: (d) => d.line.policyId,
    ledger: (d) => d.line.ledger,
    recipient: (d) => d.line.recipient,
    expected: (d) => moneyOf(d.expected, d.line),
    held: (d) => moneyOf(d.held, d.line),
    amount: (d) => moneyOf(d.line.amount, d.line),
    explanation: (d) => d.line.explanation,
  },
  StatementReconciliationRow: {
    statementAmount: (r) =>
      r.statementAmount === null ? null : { amount: r.statementAmount, currency: r.currency },
    expectedAmount: (r) =>
      r.expectedAmount === null ? null : { amount: r.expectedAmount, currency: r.currency },
    difference: (r) => (r.difference === null ? null : { amount: r.difference, currency: r.currency }),
  },
  SimulatedCommissionLine: {
    amount: (l) => moneyOf(l.amount, l),
  },
  ClientCard: {
    commissionSummary: (card, _args, { principal, services }) =>
      services.commissions.ledger.clientSummary(principal, card.policies),
  },
};
