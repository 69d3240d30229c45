import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { UnauthenticatedError } from '../errors.js';
import { type Principal, principalFromClaims } from './principal.js';

export interface TokenVerifierConfig {
  issuer: string;
  audience: string;
  jwksUrl?: string | undefined;
  jwks?: JSONWebKeySet | undefined;
  /** How many verified tokens a process remembers (default {@link VERIFIED_TOKENS_CACHED}). */
  cacheSize?: number;
  /** Milliseconds since the epoch; tests move it to see a cached token expire. Default `Date.now`. */
  now?: () => number;
}

/** Verified tokens a process keeps: a warm Lambda serves a few hundred users at most. */
export const VERIFIED_TOKENS_CACHED = 1000;

interface VerifiedToken {
  principal: Readonly<Principal>;
  /** The token's `exp`, in milliseconds: the entry is worthless from then on. */
  expiresAtMs: number;
}

/**
 * Verifies bearer tokens against a JWKS (Cognito's in the cloud, the local issuer's locally) and
 * turns them into a {@link Principal}. Built once per process; jose caches the remote key set.
 * A verified token is remembered until its `exp` (a bounded LRU), so a user's next requests to the
 * same instance skip the RS256 check; a token that failed is never remembered, and a remembered one
 * is refused from its `exp` on, as jose would refuse it.
 */
export class TokenVerifier {
  private readonly keySet: ReturnType<typeof createRemoteJWKSet> | ReturnType<typeof createLocalJWKSet>;
  private readonly verified: LRUCache<string, VerifiedToken>;
  private readonly now: () => number;

  constructor(private readonly config: TokenVerifierConfig) {
    if (config.jwks) this.keySet = createLocalJWKSet(config.jwks);
    else if (config.jwksUrl) this.keySet = createRemoteJWKSet(new URL(config.jwksUrl));
    else throw new Error('TokenVerifier needs jwks or jwksUrl');
    this.verified = new LRUCache({ max: config.cacheSize ?? VERIFIED_TOKENS_CACHED });
    this.now = config.now ?? Date.now;
  }

  /** Verifies an `Authorization` header value. Null when no header was sent. */
  async verifyAuthorizationHeader(header: string | undefined | null): Promise<Principal | null> {
    if (!header) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match?.[1]) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"');
    return this.verify(match[1]);
  }

  async verify(token: string): Promise<Principal> {
    const known = this.verified.get(token);
    if (known) {
      if (this.now() < known.expiresAtMs) return known.principal;
      this.verified.delete(token);
      throw new UnauthenticatedError('The token has expired');
    }
    return this.verifyUncached(token);
  }

  private async verifyUncached(token: string): Promise<Principal> {
    let payload: { exp?: number } & Record<string, unknown>;
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
    let principal: Readonly<Principal>;
    try {
      principal = Object.freeze(principalFromClaims(payload));
    } catch (error) {
      throw new UnauthenticatedError(
        'The token lacks tenant, user, role or scope claims',
        {},
        { cause: error },
      );
    }
    // `exp` is a required claim, so jose has checked it is a number in the future.
    this.verified.set(token, { principal, expiresAtMs: (payload.exp as number) * 1000 });
    return principal;
  }
}
