import type { Clock } from '../../shared/clock.js';
import { TokenBuckets } from '../../shared/token-bucket.js';

/** Deliveries a minute per warm instance: each limit refills evenly and holds one minute's worth. */
export interface DeliveryLimitSettings {
  /** All insurers of one tenant together; 0: no limit. */
  tenantPerMinute: number;
  /** One insurer of one tenant; 0: no limit. */
  insurerPerMinute: number;
  /** Buckets kept per limit before the least recently used is forgotten. */
  maxKeys: number;
}

/**
 * The webhook route's per-tenant and per-insurer limits, counted per delivery (one request, however
 * many events it carries) in this instance's memory. Checked before the body is archived or anything
 * is claimed, so a refused delivery leaves nothing behind and its retry is processed as if it were
 * the first copy. Why not a DynamoDB window in the claim's transaction: the archive is written
 * before the claim, so a refusal there would leave the body stored (docs/scale.md).
 */
export class DeliveryRateLimits {
  private readonly tenants: TokenBuckets;
  private readonly insurers: TokenBuckets;

  constructor(settings: DeliveryLimitSettings, clock: Clock) {
    const perMinute = (n: number) => ({ ratePerSecond: n / 60, burst: n, maxKeys: settings.maxKeys });
    this.tenants = new TokenBuckets(perMinute(settings.tenantPerMinute), clock);
    this.insurers = new TokenBuckets(perMinute(settings.insurerPerMinute), clock);
  }

  /**
   * 0 when the delivery is admitted (counted against both limits), else the seconds until it would
   * be; a refused delivery is counted against neither.
   */
  admit(tenantId: string, insurerId: string): number {
    const insurerKey = `${tenantId}/${insurerId}`;
    const wait = Math.max(
      this.tenants.retryAfterSeconds(tenantId),
      this.insurers.retryAfterSeconds(insurerKey),
    );
    if (wait > 0) return wait;
    this.tenants.spend(tenantId);
    this.insurers.spend(insurerKey);
    return 0;
  }
}
