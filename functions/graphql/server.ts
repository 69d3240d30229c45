import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { accessResolvers } from '../modules/access/access.resolvers.js';
import { auditResolvers } from '../modules/audit/audit.resolvers.js';
import { bookFilesResolvers } from '../modules/book-files/book-files.resolvers.js';
import { campaignsResolvers } from '../modules/campaigns/campaigns.resolvers.js';
import { clientsResolvers } from '../modules/clients/clients.resolvers.js';
import { referralsResolvers } from '../modules/clients/referrals.resolvers.js';
import { commissionsResolvers } from '../modules/commissions/commissions.resolvers.js';
import { partnerLinesResolvers } from '../modules/commissions/partner-lines.resolvers.js';
import { crossSellResolvers } from '../modules/cross-sell/cross-sell.resolvers.js';
import { failuresResolvers } from '../modules/failures/failures.resolvers.js';
import { gdprResolvers } from '../modules/gdpr/gdpr.resolvers.js';
import { importsResolvers } from '../modules/imports/imports.resolvers.js';
import { invoicesResolvers } from '../modules/invoices/invoices.resolvers.js';
import { leadsResolvers } from '../modules/leads/leads.resolvers.js';
import { orgResolvers } from '../modules/org/org.resolvers.js';
import { partnerPortalResolvers } from '../modules/org/partner-portal.resolvers.js';
import { outgoingWebhooksResolvers } from '../modules/outgoing-webhooks/outgoing-webhooks.resolvers.js';
import { policiesResolvers } from '../modules/policies/policies.resolvers.js';
import { reportsResolvers } from '../modules/reports/reports.resolvers.js';
import { settlementResolvers } from '../modules/settlement/settlement.resolvers.js';
import { tasksResolvers } from '../modules/tasks/tasks.resolvers.js';
import { webhooksResolvers } from '../modules/webhooks/webhooks.resolvers.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { typeDefs } from './__generated__/type-defs.js';
import { mutationsAsActor } from './audit-scope.js';
import type { GraphQLContext } from './context.js';
import { formatError } from './error-formatter.js';
import { guardSchemaArguments } from './input-guard.js';
import { liveResolvers } from './live.resolvers.js';
import { costLimitRule } from './operation-cost.js';
import { scalarResolvers } from './scalars.js';
import { PERSISTED_QUERY_TTL_SECONDS, type PersistedQueryCache } from './shared-cache.js';
import type { TenantRateLimiter } from './tenant-rate-limit.js';

export interface GraphQLServerOptions {
  /** Production hides introspection and field suggestions. */
  production: boolean;
  /**
   * Where automatic persisted queries are kept: the table (shared by every instance) in Lambda and
   * on the local stack; omitted, Apollo keeps them in this process's memory.
   */
  persistedQueries?: PersistedQueryCache;
  /**
   * The per-tenant rate limit whose admission the context applies: the server charges each operation
   * the rest of its estimated cost (tenant-rate-limit.ts). Omitted, operations are not charged.
   */
  tenantLimiter?: TenantRateLimiter;
}

/** Limits every operation must stay within, so one request cannot exhaust the function. */
export const OPERATION_LIMITS = {
  maxDepth: 12,
  maxAliases: 15,
  maxCost: 5000,
  maxTokens: 3000,
  maxDirectives: 20,
} as const;

const coreResolvers: Resolvers = {
  ...scalarResolvers,
  Query: { health: () => 'ok' },
  Mutation: { _noop: () => null },
};

/**
 * Headers whose presence proves a request is not a browser's "simple" cross-site request: a page on
 * another origin cannot set any of them without a CORS preflight, which our CORS policy answers only
 * for the origins we trust. Apollo's own two (`x-apollo-operation-name`, `apollo-require-preflight`),
 * plus the credentials this API authenticates with: it reads a bearer token or an API key from a
 * header, never a cookie, so a request carrying either cannot ride on a victim's ambient
 * credentials. A GET query without a content type (urql's default, graphql-request with `GET`,
 * plain `fetch`) is therefore accepted when it carries `authorization` or `x-api-key`; one that
 * carries none of these headers and no non-simple content type is still blocked.
 */
export const CSRF_PROOF_HEADERS = [
  'x-apollo-operation-name',
  'apollo-require-preflight',
  'authorization',
  'x-api-key',
] as const;

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

let schema: GraphQLSchema | undefined;

/**
 * The SDL with every module's resolvers, every argument checked before a resolver runs
 * (input-guard.ts), built once per process: building the schema is the largest part of a cold
 * start's init after loading the code, so Apollo (HTTP) and the live-updates stream share this one.
 */
export function executableSchema(): GraphQLSchema {
  schema ??= guardSchemaArguments(makeExecutableSchema({ typeDefs, resolvers: allResolvers() as never }));
  return schema;
}

/** Every module's resolvers, merged; mutations run as their actor (audit-scope.ts). */
function allResolvers(): Resolvers {
  return mutationsAsActor(
    mergeResolvers(
      coreResolvers,
      orgResolvers,
      clientsResolvers,
      policiesResolvers,
      bookFilesResolvers,
      invoicesResolvers,
      webhooksResolvers,
      failuresResolvers,
      importsResolvers,
      tasksResolvers,
      campaignsResolvers,
      reportsResolvers,
      accessResolvers,
      auditResolvers,
      gdprResolvers,
      partnerPortalResolvers,
      referralsResolvers,
      outgoingWebhooksResolvers,
      partnerLinesResolvers,
      settlementResolvers,
      leadsResolvers,
      crossSellResolvers,
      // Last but one: it fills ClientCard.commissionSummary, which the clients module leaves null.
      commissionsResolvers,
      liveResolvers,
    ),
  );
}

/** The operation limits as GraphQL validation rules plus Apollo plugins (depth, aliases, cost…). */
export function operationProtection(production: boolean): ReturnType<ApolloArmor['protect']> {
  const armor = new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.maxDepth },
    maxAliases: { n: OPERATION_LIMITS.maxAliases },
    // Replaced by costLimitRule: armor's estimate refuses the documented 100-row pages (operation-cost.ts).
    costLimit: { enabled: false },
    // graphql-armor's token limit throws from a plugin hook, which Apollo answers with HTTP 500;
    // graphql-js's own parser limit (parseOptions below) fails as a syntax error: HTTP 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives },
    blockFieldSuggestion: { enabled: production },
  });
  return armor.protect();
}

/**
 * Builds the Apollo server: schema, resolvers, the single error formatter and operation limits.
 * It imports nothing of Lambda, so tests call `executeOperation` on it directly.
 */
export function createGraphQLServer(options: GraphQLServerOptions): ApolloServer<GraphQLContext> {
  const protection = operationProtection(options.production);
  return new ApolloServer<GraphQLContext>({
    schema: executableSchema(),
    formatError,
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    ...(options.persistedQueries
      ? { persistedQueries: { cache: options.persistedQueries, ttl: PERSISTED_QUERY_TTL_SECONDS } }
      : {}),
    parseOptions: { maxTokens: OPERATION_LIMITS.maxTokens },
    csrfPrevention: { requestHeaders: [...CSRF_PROOF_HEADERS] },
    validationRules: [...protection.validationRules, costLimitRule(OPERATION_LIMITS.maxCost)],
    // Disabled explicitly: we report to no Apollo service and serve no subgraph, so Apollo need not
    // import these plugins (and the bundle leaves them out, decision 0011).
    plugins: [
      ...protection.plugins,
      ...(options.tenantLimiter ? [options.tenantLimiter.plugin()] : []),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
    ],
  });
}
