import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** The partner portal's self-service: partner users and sub-agents. */
export const partnerPortalResolvers: Resolvers = {
  Query: {
    partnerUsers: async (_root, args, { principal, services }) =>
      toConnection(
        await services.org.partnerPortal.partnerUsers(principal, args.partnerId ?? null, pageArgs(args)),
      ),
    subAgents: async (_root, args, { principal, services }) =>
      toConnection(await services.org.partnerPortal.subAgents(principal, pageArgs(args))),
  },
  Mutation: {
    createPartnerUser: (_root, { input }, { principal, services }) =>
      services.org.partnerPortal.createPartnerUser(principal, input),
    createSubAgent: (_root, { input }, { principal, services }) =>
      services.org.partnerPortal.createSubAgent(principal, input),
  },
  PartnerPortalUser: {
    partnerId: (u) => u.partnerId ?? '',
    partnerAdmin: (u) => u.partnerAdmin === true,
  },
};
