import { GraphQLError } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { buildContext } from '../../../functions/graphql/context.js';
import { TenantRateLimiter, tokensForCost } from '../../../functions/graphql/tenant-rate-limit.js';
import type { Services } from '../../../functions/modules/services.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import type { TokenVerifier } from '../../../functions/shared/auth/token-verifier.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { TokenBuckets } from '../../../functions/shared/token-bucket.js';

const principal: Principal = {
  userId: 'u1',
  tenantId: 'busy',
  role: 'admin',
  scope: 'all',
  branchId: null,
  regionId: null,
  partnerId: null,
};

describe('tokensForCost', () => {
  it('charges 1 token up to an estimated cost of 1,000, then 1 per started 1,000: a 100-row client page (2,504) 3, the cap (5,000) 5', () => {
    expect([1, 1000, 1001, 2504, 3404, 5000].map(tokensForCost)).toEqual([1, 1, 2, 3, 4, 5]);
  });
});

describe('admission in the request context', () => {
  it('refuses a tenant past its burst before the role-permission read: no DynamoDB request for a refusal', async () => {
    const principalWithTenantActions = vi.fn(async (p: Principal) => p);
    const services = { access: { rolePermissions: { principalWithTenantActions } } } as unknown as Services;
    const verifier = { verifyAuthorizationHeader: async () => principal } as unknown as TokenVerifier;
    const limiter = new TenantRateLimiter(
      new TokenBuckets({ ratePerSecond: 0.5, burst: 1, maxKeys: 10 }, new FixedClock(new Date())),
    );

    await expect(buildContext(services, verifier, 'Bearer t', null, 'r1', limiter)).resolves.toMatchObject({
      principal,
    });
    const refused = buildContext(services, verifier, 'Bearer t', null, 'r2', limiter);
    await expect(refused).rejects.toBeInstanceOf(GraphQLError);
    const error = (await refused.catch((e: unknown) => e)) as GraphQLError;
    expect(error.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 2,
      http: { status: 429 },
    });
    expect((error.extensions.http as { headers: Map<string, string> }).headers.get('retry-after')).toBe('2');
    expect(principalWithTenantActions).toHaveBeenCalledTimes(1);
  });
});
