import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { authorize } from '../../shared/auth/policy.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** A partner's own commission lines through the portal's type: results only, no basis. */
export const partnerLinesResolvers: Resolvers = {
  Query: {
    partnerCommissionLines: async (_root, args, { principal, services }) => {
      const p = authorize(principal, 'partners:portal');
      return toConnection(
        await services.commissions.ledger.lines(p, { period: args.period ?? undefined }, pageArgs(args)),
      );
    },
  },
  PartnerCommissionLine: {
    amount: (l) => ({ amount: l.amount, currency: l.currency }),
    approvedAmount: (l) =>
      l.approvedAmount === null ? null : { amount: l.approvedAmount, currency: l.currency },
  },
};
