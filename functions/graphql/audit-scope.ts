import { runAsActor } from '../shared/audit.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import type { GraphQLContext } from './context.js';

type Resolver = (parent: unknown, args: unknown, context: GraphQLContext, info: unknown) => unknown;

/**
 * Runs every mutation as its caller: the data layer then writes an audit entry (actor, request id,
 * before and after) into the same transaction as each change the mutation makes to an audited
 * entity (functions/shared/audit.ts). Queries write nothing audited, so they run as they are.
 */
export function mutationsAsActor(resolvers: Resolvers): Resolvers {
  const mutations = resolvers.Mutation as Record<string, Resolver> | undefined;
  if (!mutations) return resolvers;
  const wrapped: Record<string, Resolver> = Object.create(null);
  for (const [field, resolve] of Object.entries(mutations)) {
    wrapped[field] = (parent, args, context, info) => {
      const principal = context.principal;
      if (!principal) return resolve(parent, args, context, info);
      return runAsActor(
        { tenantId: principal.tenantId, actorId: principal.userId, requestId: context.requestId ?? null },
        () => resolve(parent, args, context, info),
      );
    };
  }
  return { ...resolvers, Mutation: wrapped as Resolvers['Mutation'] };
}
