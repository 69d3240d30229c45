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
 * Builds a request's context from its Authorization header. Without a header the context has no
 * principal, and every field that needs one answers UNAUTHENTICATED (`health` still answers). A
 * header with a bad or expired token fails the whole request with 401 UNAUTHENTICATED.
 */
export async function buildContext(
  services: Services,
  verifier: TokenVerifier,
  authorization: string | undefined | null,
): Promise<GraphQLContext> {
  try {
    return { principal: await verifier.verifyAuthorizationHeader(authorization), services };
  } catch (error) {
    if (isDomainError(error)) {
      throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 401 } } });
    }
    throw error;
  }
}
