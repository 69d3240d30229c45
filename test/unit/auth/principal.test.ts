import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import {
  CLAIMS,
  claimsOf,
  type Principal,
  principalFromClaims,
  systemPrincipal,
} from '../../../functions/shared/auth/principal.js';

const advisorClaims = {
  sub: 'cognito-sub-1',
  [CLAIMS.tenantId]: 't1',
  [CLAIMS.userId]: 'u1',
  [CLAIMS.role]: 'advisor',
  [CLAIMS.scope]: 'own',
  [CLAIMS.branchId]: 'b1',
  [CLAIMS.regionId]: 'r1',
};

describe('principalFromClaims', () => {
  it('maps Cognito custom claims onto a principal, with absent optional ids as null', () => {
    expect(principalFromClaims(advisorClaims)).toEqual({
      tenantId: 't1',
      userId: 'u1',
      role: 'advisor',
      scope: 'own',
      branchId: 'b1',
      regionId: 'r1',
      partnerId: null,
    });
  });

  it('takes the user id from the custom claim, not from sub', () => {
    expect(principalFromClaims(advisorClaims).userId).toBe('u1');
  });

  it.each([
    ['an unknown role', { [CLAIMS.role]: 'superuser' }],
    ['an upper-case role', { [CLAIMS.role]: 'ADMIN' }],
    ['a missing role', { [CLAIMS.role]: undefined }],
    ['an unknown scope', { [CLAIMS.scope]: 'everything' }],
    ['a missing tenant', { [CLAIMS.tenantId]: undefined }],
    ['an empty tenant', { [CLAIMS.tenantId]: '' }],
    ['a missing user id', { [CLAIMS.userId]: undefined }],
    ['an empty branch id', { [CLAIMS.branchId]: '' }],
    ['a missing sub', { sub: undefined }],
  ])('refuses claims with %s', (_label, change) => {
    expect(() => principalFromClaims({ ...advisorClaims, ...change })).toThrow(ZodError);
  });

  it('refuses a payload that is not an object', () => {
    expect(() => principalFromClaims(null)).toThrow(ZodError);
    expect(() => principalFromClaims('admin')).toThrow(ZodError);
  });
});

describe('claimsOf', () => {
  it('writes a principal as claims that map back onto the same principal', () => {
    const partner: Principal = {
      tenantId: 't1',
      userId: 'p-user',
      role: 'partner',
      scope: 'own',
      branchId: null,
      regionId: null,
      partnerId: 'p1',
    };
    const claims = claimsOf(partner);
    expect(claims).toEqual({
      'custom:tenantId': 't1',
      'custom:userId': 'p-user',
      'custom:role': 'partner',
      'custom:scope': 'own',
      'custom:partnerId': 'p1',
    });
    expect(principalFromClaims({ sub: 'x', ...claims })).toEqual(partner);
  });
});

describe('systemPrincipal', () => {
  it('acts as an admin with full reach inside exactly one tenant', () => {
    expect(systemPrincipal('t9', 'seed')).toEqual({
      tenantId: 't9',
      userId: 'seed',
      role: 'admin',
      scope: 'all',
      branchId: null,
      regionId: null,
      partnerId: null,
    });
  });
});
