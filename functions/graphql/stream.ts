import type { IncomingMessage, ServerResponse } from 'node:http';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { validate } from 'graphql';
import type { HandlerOptions } from 'graphql-sse';
import { createHandler as createFetchHandler } from 'graphql-sse/lib/use/fetch';
import { createHandler } from 'graphql-sse/lib/use/http';
import type { Services } from '../modules/services.js';
import type { Principal } from '../shared/auth/principal.js';
import type { TokenVerifier } from '../shared/auth/token-verifier.js';
import { isDomainError } from '../shared/errors.js';
import type { LiveEvents } from '../shared/live-hub.js';
import { typeDefs } from './__generated__/type-defs.js';
import type { GraphQLContext } from './context.js';
import { costLimitRule } from './operation-cost.js';
import { allResolvers, OPERATION_LIMITS, operationProtection } from './server.js';

export interface LiveStreamOptions {
  services: Services;
  verifier: TokenVerifier;
  live: LiveEvents;
  production: boolean;
}

type LiveContext = GraphQLContext & Record<PropertyKey, unknown>;

/**
 * The live-updates endpoint: GraphQL over server-sent events (the graphql-sse protocol, "distinct
 * connections" mode: one streamed response per subscription), on the same schema, resolvers and
 * operation limits as `/graphql`. The bearer token is verified before anything streams: a missing
 * or bad one answers 401. Each event is resolved through the module's service as the caller.
 * This one serves Node's HTTP server (the local stack).
 */
export function createLiveStreamHandler(
  options: LiveStreamOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return createHandler<LiveContext>(liveHandlerOptions<IncomingMessage>(options));
}

/** The same endpoint over the fetch API's Request and Response (the Lambda function URL's entry). */
export function createLiveFetchHandler(options: LiveStreamOptions): (req: Request) => Promise<Response> {
  return createFetchHandler<LiveContext>(liveHandlerOptions<Request>(options));
}

function liveHandlerOptions<Raw extends object>(
  options: LiveStreamOptions,
): HandlerOptions<Raw, unknown, LiveContext> {
  const schema = makeExecutableSchema({ typeDefs, resolvers: allResolvers() as never });
  const { validationRules } = operationProtection(options.production);
  const principals = new WeakMap<Raw, Principal>();
  return {
    schema,
    validate: (s, document, rules) =>
      validate(s, document, [...(rules ?? []), ...validationRules, costLimitRule(OPERATION_LIMITS.maxCost)]),
    authenticate: async (req) => {
      try {
        const principal = await options.verifier.verifyAuthorizationHeader(req.headers.get('authorization'));
        if (!principal) return unauthorized('A bearer token is required');
        principals.set(req.raw, principal);
        // null: authenticated, and only distinct connections (no reserved single connection).
        return null;
      } catch (error) {
        if (isDomainError(error)) return unauthorized(error.message);
        throw error;
      }
    },
    context: (req) => ({
      principal: principals.get(req.raw) ?? null,
      services: options.services,
      live: options.live,
    }),
  };
}

function unauthorized(
  message: string,
): [string, { status: number; statusText: string; headers: Record<string, string> }] {
  return [
    JSON.stringify({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] }),
    { status: 401, statusText: 'Unauthorized', headers: { 'content-type': 'application/json' } },
  ];
}
