import type { Clock } from './clock.js';

/** A sustained rate with a burst above it, for every key (tenant, tenant and insurer…) alike. */
export interface BucketLimits {
  /** Tokens added per second; 0 turns the limit off. */
  ratePerSecond: number;
  /** What a bucket holds when full: the most a key may spend at once after a quiet spell. */
  burst: number;
  /**
   * How many keys' buckets this process keeps. The least recently used one is forgotten past it, so
   * memory stays bounded whatever the number of tenants; a forgotten key starts full again.
   */
  maxKeys: number;
}

interface Bucket {
  tokens: number;
  /** Epoch milliseconds of the last refill. */
  at: number;
}

/**
 * Token buckets per key, kept in this process's memory: a check costs no I/O at all, so a limit on
 * reads adds no DynamoDB request to them. Each warm Lambda instance keeps its own buckets, so the
 * fleet-wide bound for one key is the per-instance rate times the function's concurrency
 * (docs/scale.md, "Fairness between tenants").
 *
 * {@link retryAfterSeconds} and {@link spend} are separate so that several buckets (a tenant's and
 * an insurer's of that tenant) are checked first and spent only when all of them admit: a request
 * refused by one spends nothing from any.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limits: BucketLimits,
    private readonly clock: Clock,
  ) {}

  /** False when the rate is 0: nothing is ever refused. */
  get enabled(): boolean {
    return this.limits.ratePerSecond > 0;
  }

  /** Keys whose buckets are kept now (at most `maxKeys`). */
  get size(): number {
    return this.buckets.size;
  }

  /**
   * 0 when `key` may spend `tokens` now, else the whole seconds (≥ 1) until it may. A request never
   * needs more than a full bucket: `tokens` is capped at the burst.
   */
  retryAfterSeconds(key: string, tokens = 1): number {
    if (!this.enabled) return 0;
    const needed = Math.min(tokens, this.limits.burst);
    const bucket = this.refilled(key);
    if (bucket.tokens >= needed) return 0;
    return Math.max(1, Math.ceil((needed - bucket.tokens) / this.limits.ratePerSecond));
  }

  /**
   * Takes `tokens` from `key`'s bucket unconditionally: a charge made after admission (an operation
   * whose cost is known only once it is parsed) may leave the bucket in debt, which later requests
   * wait out. The debt is bounded at one burst below empty.
   */
  spend(key: string, tokens = 1): void {
    if (!this.enabled) return;
    const bucket = this.refilled(key);
    bucket.tokens = Math.max(-this.limits.burst, bucket.tokens - tokens);
  }

  /** Spends `tokens` if `key` has them; otherwise spends nothing and says how long to wait. */
  take(key: string, tokens = 1): number {
    const wait = this.retryAfterSeconds(key, tokens);
    if (wait === 0) this.spend(key, Math.min(tokens, this.limits.burst));
    return wait;
  }

  /** The key's bucket, refilled up to now and moved to the most recently used end of the map. */
  private refilled(key: string): Bucket {
    const now = this.clock.now().getTime();
    const bucket = this.buckets.get(key) ?? { tokens: this.limits.burst, at: now };
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + elapsed * this.limits.ratePerSecond);
    bucket.at = Math.max(bucket.at, now);
    // A Map iterates in insertion order: re-inserting makes the first entry the least recently used.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.limits.maxKeys) {
      const oldest = this.buckets.keys().next().value;
      if (oldest !== undefined) this.buckets.delete(oldest);
    }
    return bucket;
  }
}
