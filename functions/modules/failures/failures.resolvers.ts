import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** Failed changes: what consumers gave up on, listed and replayed by admins. */
export const failuresResolvers: Resolvers = {
  Query: {
    failedChanges: async (_root, args, { principal, services }) =>
      toConnection(await services.failures.list(principal, args.status ?? null, pageArgs(args))),
  },
  Mutation: {
    replayFailedChange: (_root, { input }, { principal, services }) =>
      services.failures.replay(principal, input.id),
  },
  FailedChange: {
    change: (f) => (f.change ? JSON.stringify(f.change) : null),
  },
};
