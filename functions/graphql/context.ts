import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Services } from '../modules/services.js';
import type { Principal } from '../shared/auth/principal.js';
import type { TokenVerifier } from '../shared/auth/token-verifier.js';
import { isDomainError, RateLimitedError } from '../shared/errors.js';
import type { LiveEvents } from '../shared/live-hub.js';
import { rateLimitedGraphQLError, type TenantRateLimiter } from './tenant-rate-limit.js';

/** What every resolver receives: the verified caller (or why there is none) and the services. */
export interface GraphQLContext {
  principal: Principal | null;
  services: Services;
  /** Table changes for subscriptions; only the live-updates endpoint (`/graphql/stream`) has them. */
  live?: LiveEvents;
  /** The Lambda request id (what every log line of the request carries): audit entries name it. */
  requestId?: string;
}

/**
 * A verified caller's context: its role's actions in its tenant are loaded here, once per request
 * (one GetItem), so `may`/`authorize` in every resolver apply the tenant's role permissions.
 */
export async function principalContext(
  services: Services,
  principal: Principal,
  requestId?: string,
): Promise<GraphQLContext> {
  return {
    principal: await services.access.rolePermissions.principalWithTenantActions(principal),
    services,
    ...(requestId ? { requestId } : {}),
  };
}

/**
 * Builds an HTTP request's context from its credentials: a bearer token in `Authorization`, or a
 * machine client's API key in `x-api-key` (never both). Every request over HTTP needs one: without
 * one, or with a bad, expired or exp-less token, or a bad, expired or revoked key, the whole request
 * answers 401 UNAUTHENTICATED with `WWW-Authenticate: Bearer` (RFC 6750), before anything is parsed
 * or resolved; a key past its per-minute limit, or a tenant past its rate (`limiter`, checked before
 * the table is read), answers 429 RATE_LIMITED with `Retry-After`.
 * Liveness is `GET /health`, which needs no token.
 */
export async function buildContext(
  services: Services,
  verifier: TokenVerifier,
  authorization: string | undefined | null,
  apiKey?: string | undefined | null,
  requestId?: string,
  limiter?: TenantRateLimiter,
): Promise<GraphQLContext> {
  if (apiKey) {
    if (authorization) throw unauthenticated('Send a bearer token or an API key, not both', REALM);
    const principal = await apiKeyPrincipal(services, apiKey);
    limiter?.admit(principal.tenantId);
    return principalContext(services, principal, requestId);
  }
  if (!authorization) throw unauthenticated('A bearer token is required', REALM);
  const principal = await verifier.verifyAuthorizationHeader(authorization).catch(invalidToken);
  if (!principal) throw unauthenticated('A bearer token is required', REALM);
  // Admitted on the verified token alone: a refused request reads nothing from the table.
  limiter?.admit(principal.tenantId);
  return principalContext(services, principal, requestId).catch(invalidToken);
}

/** A domain error while verifying the caller (a bad token, an unknown tenant) is a 401; anything else passes. */
function invalidToken(error: unknown): never {
  if (isDomainError(error)) throw unauthenticated(error.message, `${REALM}, error="invalid_token"`);
  throw error;
}

const REALM = 'Bearer realm="broker-crm"';

async function apiKeyPrincipal(services: Services, apiKey: string): Promise<Principal> {
  try {
    return await services.access.apiKeys.authenticate(apiKey);
  } catch (error) {
    if (error instanceof RateLimitedError) throw rateLimitedGraphQLError(error);
    if (isDomainError(error)) throw unauthenticated(error.message, `${REALM}, error="invalid_token"`);
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
