import type { KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, SignJWT } from 'jose';
import { claimsOf, type Principal } from '../../functions/shared/auth/principal.js';

type SigningKey = Awaited<ReturnType<typeof importJWK>> | KeyObject;

export const LOCAL_ISSUER = 'https://auth.broker-crm.local';
export const LOCAL_AUDIENCE = 'broker-crm-local';

/** A private signing key in JWK form, so the local stack can keep it in `.local/` across restarts. */
export interface IssuerKeyMaterial {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function generateIssuerKeys(): Promise<IssuerKeyMaterial> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `local-${Date.now().toString(36)}`;
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
}

/**
 * The local token issuer: signs RS256 tokens with Cognito-shaped claims and publishes its JWKS, so
 * the handlers verify local tokens exactly as they verify Cognito's in the cloud.
 */
export class LocalTokenIssuer {
  private constructor(
    private readonly keys: IssuerKeyMaterial,
    private readonly privateKey: SigningKey,
  ) {}

  static async create(keys?: IssuerKeyMaterial): Promise<LocalTokenIssuer> {
    const material = keys ?? (await generateIssuerKeys());
    const privateKey = await importJWK(material.privateJwk, 'RS256');
    return new LocalTokenIssuer(material, privateKey);
  }

  get keyMaterial(): IssuerKeyMaterial {
    return this.keys;
  }

  jwks(): JSONWebKeySet {
    return { keys: [this.keys.publicJwk] };
  }

  /** Signs an ID token for a principal; `expiresIn` like '7d' or '10m'. */
  async sign(principal: Principal, expiresIn = '8d', overrides: { issuer?: string; audience?: string } = {}) {
    return new SignJWT({ ...claimsOf(principal), token_use: 'id' })
      .setProtectedHeader({ alg: 'RS256', kid: this.keys.publicJwk.kid ?? 'local' })
      .setSubject(principal.userId)
      .setIssuer(overrides.issuer ?? LOCAL_ISSUER)
      .setAudience(overrides.audience ?? LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(this.privateKey);
  }
}
