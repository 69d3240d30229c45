import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

/** What a partner sees of a referred client's policies: status, product line and dates. */
export const referralsResolvers: Resolvers = {
  ReferredClient: {
    policies: (client, _args, { principal, services }) =>
      services.clients.reads.referredClientPolicies(principal, client.id),
    productLines: async (client, _args, { principal, services }) => {
      const policies = await services.clients.reads.referredClientPolicies(principal, client.id);
      return [...new Set(policies.filter((p) => p.inForce).map((p) => p.productLineCode))].sort();
    },
  },
};
