import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from '../../../functions/shared/auth/token-verifier.js';
import { UnauthenticatedError } from '../../../functions/shared/errors.js';

const ISSUER = 'https://issuer.broker-crm.test';
const AUDIENCE = 'broker-crm-api';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

let signingKey: SigningKey;
let strangerKey: SigningKey;
let verifier: TokenVerifier;
let jwks: JSONWebKeySet;

const claims: JWTPayload = {
  sub: 'sub-1',
  'custom:tenantId': 't1',
  'custom:userId': 'u1',
  'custom:role': 'manager',
  'custom:scope': 'branch',
  'custom:branchId': 'b1',
};

async function sign(
  options: {
    key?: SigningKey;
    issuer?: string;
    audience?: string;
    expiresAt?: number | string;
    payload?: JWTPayload;
  } = {},
): Promise<string> {
  return new SignJWT(options.payload ?? claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? '5m')
    .sign(options.key ?? signingKey);
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = await exportJWK(pair.publicKey);
  // The verifier is given JWKS JSON as it would come from AUTH_JWKS_JSON: no HTTP.
  jwks = JSON.parse(
    JSON.stringify({ keys: [{ ...jwk, kid: 'test-key', alg: 'RS256', use: 'sig' }] }),
  ) as JSONWebKeySet;
  verifier = new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks });
});

describe('TokenVerifier', () => {
  it('accepts a valid token and returns the principal from its claims', async () => {
    await expect(verifier.verify(await sign())).resolves.toEqual({
      tenantId: 't1',
      userId: 'u1',
      role: 'manager',
      scope: 'branch',
      branchId: 'b1',
      regionId: null,
      partnerId: null,
    });
  });

  it('rejects an expired token as UNAUTHENTICATED "The token has expired"', async () => {
    const token = await sign({ expiresAt: Math.floor(Date.now() / 1000) - 60 });
    const attempt = verifier.verify(token);
    await expect(attempt).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(attempt).rejects.toThrow('The token has expired');
  });

  it.each([
    ['a wrong issuer', { issuer: 'https://evil.example' }],
    ['a wrong audience', { audience: 'another-app' }],
  ])('rejects a token with %s', async (_label, options) => {
    const attempt = verifier.verify(await sign(options));
    await expect(attempt).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(attempt).rejects.toThrow('The token is not valid');
  });

  it('rejects a token signed by a key that is not in the key set', async () => {
    await expect(verifier.verify(await sign({ key: strangerKey }))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('rejects an unsigned token with alg "none"', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({
      ...claims,
      iss: ISSUER,
      aud: AUDIENCE,
      iat: now,
      exp: now + 300,
    })}.`;
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects a valid token whose payload was altered after signing', async () => {
    const [header, , signature] = (await sign()).split('.');
    const forged = `${header}.${base64url({ ...claims, 'custom:role': 'admin', iss: ISSUER, aud: AUDIENCE })}.${signature}`;
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects a correctly signed token that lacks the role claim', async () => {
    const { 'custom:role': _role, ...withoutRole } = claims;
    await expect(verifier.verify(await sign({ payload: withoutRole }))).rejects.toThrow(
      'The token lacks tenant, user, role or scope claims',
    );
  });

  it('rejects a correctly signed token with an unknown role', async () => {
    await expect(
      verifier.verify(await sign({ payload: { ...claims, 'custom:role': 'root' } })),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects garbage as UNAUTHENTICATED', async () => {
    await expect(verifier.verify('not.a.jwt')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('TokenVerifier: claims that would reach keys, and tokens that never expire', () => {
  it.each([
    ['a tenant claim containing #', { 'custom:tenantId': 't1#USER#x' }],
    ['a user claim containing /', { 'custom:userId': 'u/1' }],
    ['an empty branch claim', { 'custom:branchId': '' }],
    ['a 101-character tenant claim', { 'custom:tenantId': 't'.repeat(101) }],
  ])('refuses %s as UNAUTHENTICATED', async (_label, override) => {
    const token = await sign({ payload: { ...claims, ...override } });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a correctly signed token without exp', async () => {
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .sign(signingKey);
    await expect(verifier.verify(token)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      message: 'The token is not valid',
    });
  });
});

describe('TokenVerifier.verifyAuthorizationHeader', () => {
  it('returns null when no header was sent', async () => {
    await expect(verifier.verifyAuthorizationHeader(undefined)).resolves.toBeNull();
    await expect(verifier.verifyAuthorizationHeader('')).resolves.toBeNull();
  });

  it('accepts a Bearer header in any case', async () => {
    const token = await sign();
    await expect(verifier.verifyAuthorizationHeader(`bearer ${token}`)).resolves.toMatchObject({
      userId: 'u1',
    });
  });

  it('refuses a header that is not "Bearer <token>"', async () => {
    await expect(verifier.verifyAuthorizationHeader(`Basic ${await sign()}`)).rejects.toThrow(
      'The Authorization header must be "Bearer <token>"',
    );
  });
});

describe('TokenVerifier construction', () => {
  it('needs a key set', () => {
    expect(() => new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE })).toThrow('needs jwks or jwksUrl');
  });
});

describe('TokenVerifier cache of verified tokens', () => {
  it('answers a token it verified with the same principal, without verifying it again', async () => {
    const cached = new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks });
    const token = await sign();
    const first = await cached.verify(token);
    await expect(cached.verify(token)).resolves.toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('refuses a remembered token from its exp on, as an expired one', async () => {
    let nowMs = Date.now();
    const cached = new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, now: () => nowMs });
    const exp = Math.floor(nowMs / 1000) + 120;
    const token = await sign({ expiresAt: exp });
    await cached.verify(token);
    nowMs = exp * 1000 - 1;
    await expect(cached.verify(token)).resolves.toMatchObject({ userId: 'u1' });
    nowMs = exp * 1000;
    await expect(cached.verify(token)).rejects.toThrow('The token has expired');
  });

  it('remembers at most cacheSize tokens, least recently used out first', async () => {
    const cached = new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, cacheSize: 2 });
    const tokens: string[] = [];
    const first: unknown[] = [];
    for (const userId of ['u1', 'u2', 'u3']) {
      const token = await sign({ payload: { ...claims, 'custom:userId': userId } });
      tokens.push(token);
      first.push(await cached.verify(token));
    }
    // u1 was pushed out by u3 and is verified afresh; u3 is still remembered.
    expect(await cached.verify(tokens[0] as string)).not.toBe(first[0]);
    expect(await cached.verify(tokens[2] as string)).toBe(first[2]);
  });

  it('never remembers a token that failed', async () => {
    const cached = new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks });
    const forged = await sign({ key: strangerKey });
    await expect(cached.verify(forged)).rejects.toThrow('The token is not valid');
    await expect(cached.verify(forged)).rejects.toThrow('The token is not valid');
  });
});
