import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, jwtVerify } from 'jose';
import { UnauthenticatedError } from '../errors.js';
import { type Principal, principalFromClaims } from './principal.js';

export interface TokenVerifierConfig {
  issuer: string;
  audience: string;
  jwksUrl?: string | undefined;
  jwks?: JSONWebKeySet | undefined;
}

/**
 * Verifies bearer tokens against a JWKS (Cognito's in the cloud, the local issuer's locally) and
 * turns them into a {@link Principal}. Built once per process; jose caches the remote key set.
 */
export class TokenVerifier {
  private readonly keySet: ReturnType<typeof createRemoteJWKSet> | ReturnType<typeof createLocalJWKSet>;

  constructor(private readonly config: TokenVerifierConfig) {
    if (config.jwks) this.keySet = createLocalJWKSet(config.jwks);
    else if (config.jwksUrl) this.keySet = createRemoteJWKSet(new URL(config.jwksUrl));
    else throw new Error('TokenVerifier needs jwks or jwksUrl');
  }

  /** Verifies an `Authorization` header value. Null when no header was sent. */
  async verifyAuthorizationHeader(header: string | undefined | null): Promise<Principal | null> {
    if (!header) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match?.[1]) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"');
    return this.verify(match[1]);
  }

  async verify(token: string): Promise<Principal> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.keySet, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: ['RS256'],
        // A token without `exp` would be valid forever: refuse it.
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new UnauthenticatedError('The token has expired', {}, { cause: error });
      if (error instanceof errors.JOSEError) {
        throw new UnauthenticatedError('The token is not valid', {}, { cause: error });
      }
      throw error;
    }
    try {
      return principalFromClaims(payload);
    } catch (error) {
      throw new UnauthenticatedError(
        'The token lacks tenant, user, role or scope claims',
        {},
        { cause: error },
      );
    }
  }
}
