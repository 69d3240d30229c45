import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

/** Cross-sell candidates of a client, from the rules the daily schedule learned. */
export const crossSellResolvers: Resolvers = {
  Query: {
    crossSellCandidates: (_root, { clientId, first }, { principal, services }) =>
      services.crossSell.candidates(principal, clientId, first ?? 3),
  },
};
