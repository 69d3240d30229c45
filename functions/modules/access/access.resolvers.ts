import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** API keys: listed, created (the key shown once) and revoked by admins; the tenant's role permissions. */
export const accessResolvers: Resolvers = {
  Query: {
    apiKeys: async (_root, args, { principal, services }) =>
      toConnection(await services.access.apiKeys.list(principal, pageArgs(args))),
    rolePermissions: (_root, _args, { principal, services }) =>
      services.access.rolePermissions.get(principal),
  },
  Mutation: {
    createApiKey: (_root, { input }, { principal, services }) =>
      services.access.apiKeys.create(principal, input),
    revokeApiKey: (_root, { input }, { principal, services }) =>
      services.access.apiKeys.revoke(principal, input.id),
    setRolePermissions: (_root, { input }, { principal, services }) =>
      services.access.rolePermissions.set(principal, input),
  },
  ApiKey: {
    status: (key, _args, { services }) => services.access.apiKeys.statusOf(key),
  },
};
