import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { loadersOf } from '../../graphql/loaders.js';

/**
 * What a partner sees of a referred client's policies: status, product line and dates. A page of
 * referrals loads every client's policies in one batch (the request's loader), shared by both fields.
 */
export const referralsResolvers: Resolvers = {
  ReferredClient: {
    policies: (client, _args, context) => loadersOf(context).referredPolicies.load(client.id),
    productLines: async (client, _args, context) => {
      const policies = await loadersOf(context).referredPolicies.load(client.id);
      return [...new Set(policies.filter((p) => p.inForce).map((p) => p.productLineCode))].sort();
    },
  },
};
