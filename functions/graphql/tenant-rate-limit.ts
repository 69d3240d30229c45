import { type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { GraphQLError, type OperationDefinitionNode } from 'graphql';
import type { Clock } from '../shared/clock.js';
import type { Env } from '../shared/env.js';
import { RateLimitedError } from '../shared/errors.js';
import { TokenBuckets } from '../shared/token-bucket.js';
import { operationCost } from './operation-cost.js';

/** Estimated cost (operation-cost.ts) one token pays for: a 20-row page spends 1, a 100-row page ~4. */
export const COST_PER_TOKEN = 1000;

/** Tokens an operation of estimated `cost` spends in all: 1, plus 1 per started 1,000 above the first. */
export function tokensForCost(cost: number): number {
  return Math.max(1, Math.ceil(cost / COST_PER_TOKEN));
}

/** The caller whose tenant pays: whatever context carries a verified principal. */
interface TenantScoped {
  principal: { tenantId: string } | null;
}

/**
 * The API's per-tenant limit, in this warm instance's memory (no DynamoDB request): a request is
 * admitted with 1 token as soon as its caller is verified, before anything reads the table, and the
 * rest of its cost is charged once the operation is parsed and validated. A heavy query is therefore
 * served, and its tenant's next requests wait for the debt to refill. Other tenants' buckets are
 * untouched.
 */
export class TenantRateLimiter {
  private readonly costs = new WeakMap<OperationDefinitionNode, number>();

  constructor(private readonly buckets: TokenBuckets) {}

  /** The limiter the environment configures (API_TENANT_RATE_PER_SECOND, API_TENANT_BURST). */
  static fromEnv(env: Env, clock: Clock): TenantRateLimiter {
    const rate = env.API_TENANT_RATE_PER_SECOND;
    return new TenantRateLimiter(
      new TokenBuckets(
        { ratePerSecond: rate, burst: env.API_TENANT_BURST ?? 2 * rate, maxKeys: env.RATE_LIMIT_MAX_KEYS },
        clock,
      ),
    );
  }

  /** Spends the request's first token, or throws RATE_LIMITED (HTTP 429 with Retry-After). */
  admit(tenantId: string): void {
    const wait = this.buckets.take(tenantId, 1);
    if (wait > 0) throw rateLimitedGraphQLError(new RateLimitedError(wait, 'requests for this tenant'));
  }

  /** Charges the tokens of an admitted operation beyond the first. */
  charge(tenantId: string, tokens: number): void {
    if (tokens > 1) this.buckets.spend(tenantId, tokens - 1);
  }

  /** An Apollo plugin charging each resolved operation by its estimated cost. */
  plugin(): ApolloServerPlugin<TenantScoped> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ contextValue, document, operation, schema }) => {
          const tenantId = contextValue.principal?.tenantId;
          if (!tenantId || !operation || !this.buckets.enabled) return;
          let cost = this.costs.get(operation);
          if (cost === undefined) {
            const root = schema.getRootType(operation.operation);
            cost = root
              ? operationCost(
                  { getDocument: () => document, getSchema: () => schema },
                  operation.selectionSet,
                  root,
                )
              : 1;
            // Apollo keeps parsed documents, so a repeated query is costed once per instance.
            this.costs.set(operation, cost);
          }
          this.charge(tenantId, tokensForCost(cost));
        },
      }),
    };
  }
}

/** A RATE_LIMITED error as a GraphQL response: HTTP 429, `Retry-After`, `extensions.retryAfterSeconds`. */
export function rateLimitedGraphQLError(error: RateLimitedError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: {
      code: error.code,
      retryAfterSeconds: error.retryAfterSeconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(error.retryAfterSeconds)]]) },
    },
  });
}
