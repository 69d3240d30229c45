import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Services } from '../modules/services.js';
import type { Principal } from '../shared/auth/principal.js';
import type { TokenVerifier } from '../shared/auth/token-verifier.js';
import { isDomainError } from '../shared/errors.js';
import type { LiveEvents } from '../shared/live-hub.js';

/** What every resolver receives: the verified caller (or why there is none) and the services. */
export interface GraphQLContext {
  principal: Principal | null;
  services: Services;
  /** Table changes for subscriptions; only the live-updates endpoint (`/graphql/stream`) has them. */
  live?: LiveEvents;
}

/**
 * Builds an HTTP request's context from its Authorization header. Every request over HTTP needs a
 * valid bearer token: without one, or with a bad, expired or exp-less token, the whole request
 * answers 401 UNAUTHENTICATED with `WWW-Authenticate: Bearer` (RFC 6750), before anything is parsed
 * or resolved. Liveness is `GET /health`, which needs no token.
 */
export async function buildContext(
  services: Services,
  verifier: TokenVerifier,
  authorization: string | undefined | null,
): Promise<GraphQLContext> {
  if (!authorization) throw unauthenticated('A bearer token is required', 'Bearer realm="broker-crm"');
  try {
    const principal = await verifier.verifyAuthorizationHeader(authorization);
    if (!principal) throw unauthenticated('A bearer token is required', 'Bearer realm="broker-crm"');
    return { principal, services };
  } catch (error) {
    if (isDomainError(error)) {
      throw unauthenticated(error.message, 'Bearer realm="broker-crm", error="invalid_token"');
    }
    throw error;
  }
}

function unauthenticated(message: string, challenge: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: new HeaderMap([['www-authenticate', challenge]]) },
    },
  });
}
