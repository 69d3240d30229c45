import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { buildSchema } from 'graphql';
import { bookFilesResolvers } from '../modules/book-files/book-files.resolvers.js';
import { clientsResolvers } from '../modules/clients/clients.resolvers.js';
import { commissionsResolvers } from '../modules/commissions/commissions.resolvers.js';
import { invoicesResolvers } from '../modules/invoices/invoices.resolvers.js';
import { orgResolvers } from '../modules/org/org.resolvers.js';
import { policiesResolvers } from '../modules/policies/policies.resolvers.js';
import { webhooksResolvers } from '../modules/webhooks/webhooks.resolvers.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { typeDefs } from './__generated__/type-defs.js';
import type { GraphQLContext } from './context.js';
import { formatError } from './error-formatter.js';
import { guardArguments } from './input-guard.js';
import { scalarResolvers } from './scalars.js';

export interface GraphQLServerOptions {
  /** Production hides introspection and field suggestions. */
  production: boolean;
}

/** Limits every operation must stay within, so one request cannot exhaust the function. */
export const OPERATION_LIMITS = {
  maxDepth: 12,
  maxAliases: 15,
  maxCost: 5000,
  maxTokens: 3000,
  maxDirectives: 20,
} as const;

/** The SDL as a schema, read once: the input guard takes each argument's type from it. */
const argumentTypes = buildSchema(typeDefs);

const coreResolvers: Resolvers = {
  ...scalarResolvers,
  Query: { health: () => 'ok' },
  Mutation: { _noop: () => null },
};

/** Merges the resolver maps of every module (type by type). */
export function mergeResolvers(...maps: Resolvers[]): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      merged[type] = Object.assign(merged[type] ?? Object.create(null), fields);
    }
  }
  return merged as Resolvers;
}

/**
 * Builds the Apollo server: schema, resolvers, the single error formatter and operation limits.
 * It imports nothing of Lambda, so tests call `executeOperation` on it directly.
 */
export function createGraphQLServer(options: GraphQLServerOptions): ApolloServer<GraphQLContext> {
  const armor = new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.maxDepth },
    maxAliases: { n: OPERATION_LIMITS.maxAliases },
    costLimit: { maxCost: OPERATION_LIMITS.maxCost },
    // graphql-armor's token limit throws from a plugin hook, which Apollo answers with HTTP 500;
    // graphql-js's own parser limit (parseOptions below) fails as a syntax error: HTTP 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives },
    blockFieldSuggestion: { enabled: options.production },
  });
  const protection = armor.protect();
  return new ApolloServer<GraphQLContext>({
    typeDefs,
    resolvers: guardArguments(
      mergeResolvers(
        coreResolvers,
        orgResolvers,
        clientsResolvers,
        policiesResolvers,
        bookFilesResolvers,
        invoicesResolvers,
        webhooksResolvers,
        // Last: it fills ClientCard.commissionSummary, which the clients module leaves null.
        commissionsResolvers,
      ),
      argumentTypes,
    ) as never,
    formatError,
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: OPERATION_LIMITS.maxTokens },
    csrfPrevention: true,
    validationRules: protection.validationRules,
    plugins: [...protection.plugins, ApolloServerPluginLandingPageDisabled()],
  });
}
