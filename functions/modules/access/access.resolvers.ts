import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** API keys: listed, created (the key shown once) and revoked by admins. */
export const accessResolvers: Resolvers = {
  Query: {
    apiKeys: async (_root, args, { principal, services }) =>
      toConnection(await services.access.apiKeys.list(principal, pageArgs(args))),
  },
  Mutation: {
    createApiKey: (_root, { input }, { principal, services }) =>
      services.access.apiKeys.create(principal, input),
    revokeApiKey: (_root, { input }, { principal, services }) =>
      services.access.apiKeys.revoke(principal, input.id),
  },
  ApiKey: {
    status: (key, _args, { services }) => services.access.apiKeys.statusOf(key),
  },
};
