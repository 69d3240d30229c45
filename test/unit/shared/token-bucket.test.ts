import { describe, expect, it } from 'vitest';
import { DeliveryRateLimits } from '../../../functions/modules/webhooks/delivery-limits.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { TokenBuckets } from '../../../functions/shared/token-bucket.js';

const T0 = new Date('2026-12-01T10:00:00Z');
const later = (clock: FixedClock, ms: number) => clock.set(new Date(clock.now().getTime() + ms));

function buckets(ratePerSecond: number, burst: number, maxKeys = 100) {
  const clock = new FixedClock(T0);
  return { clock, limits: new TokenBuckets({ ratePerSecond, burst, maxKeys }, clock) };
}

describe('TokenBuckets', () => {
  it('lets a quiet tenant spend its whole burst at once, then refuses with the seconds until one token refills', () => {
    const { limits } = buckets(2, 4);
    expect([1, 2, 3, 4].map(() => limits.take('t1'))).toEqual([0, 0, 0, 0]);
    // Empty at 2 tokens/s: one token is 0.5 s away, rounded up to a whole second.
    expect(limits.take('t1')).toBe(1);
  });

  it('refills at the sustained rate: half a second at 2/s gives back exactly one request', () => {
    const { clock, limits } = buckets(2, 4);
    for (let i = 0; i < 4; i++) limits.take('t1');
    later(clock, 499);
    expect(limits.take('t1')).toBe(1);
    later(clock, 1);
    expect(limits.take('t1')).toBe(0);
    expect(limits.take('t1')).toBe(1);
  });

  it('never holds more than the burst, however long the tenant was quiet', () => {
    const { clock, limits } = buckets(2, 4);
    limits.take('t1');
    later(clock, 3_600_000);
    expect([1, 2, 3, 4, 5].map(() => limits.take('t1'))).toEqual([0, 0, 0, 0, 1]);
  });

  it('says how long a slow rate makes the caller wait: 1 token at 0.5/s is 2 s away', () => {
    const { limits } = buckets(0.5, 1);
    expect(limits.take('t1')).toBe(0);
    expect(limits.take('t1')).toBe(2);
  });

  it('keeps two tenants independent: one spent tenant leaves the other its whole burst', () => {
    const { limits } = buckets(1, 3);
    for (let i = 0; i < 3; i++) limits.take('heavy');
    expect(limits.take('heavy')).toBe(1);
    expect([1, 2, 3].map(() => limits.take('light'))).toEqual([0, 0, 0]);
  });

  it('refuses a take it cannot cover without spending any of it', () => {
    const { limits } = buckets(1, 3);
    limits.take('t1', 2);
    expect(limits.take('t1', 2)).toBe(1);
    expect(limits.take('t1', 1)).toBe(0);
  });

  it('caps one request at a full bucket, so a request costlier than the burst can still pass when full', () => {
    const { limits } = buckets(1, 3);
    expect(limits.take('t1', 10)).toBe(0);
    expect(limits.take('t1')).toBe(1);
  });

  it('lets a charge after admission run into debt, bounded at one burst, that later requests wait out', () => {
    const { clock, limits } = buckets(1, 4);
    limits.take('t1');
    limits.spend('t1', 100);
    // -4 (the bound) to 1 token at 1/s: 5 s.
    expect(limits.retryAfterSeconds('t1')).toBe(5);
    later(clock, 5000);
    expect(limits.take('t1')).toBe(0);
  });

  it('keeps at most maxKeys buckets and forgets the least recently used one first', () => {
    const { limits } = buckets(1, 2, 2);
    limits.take('a', 2);
    limits.take('b', 2);
    // Touching a makes b the least recently used: c's bucket pushes b out.
    expect(limits.take('a')).toBe(1);
    limits.take('c');
    expect(limits.size).toBe(2);
    expect(limits.take('a')).toBe(1);
    // b was forgotten: it starts full again.
    expect(limits.take('b', 2)).toBe(0);
    expect(limits.size).toBe(2);
  });

  it('refuses nothing when the rate is 0 (the limit is off)', () => {
    const { limits } = buckets(0, 0);
    expect(limits.enabled).toBe(false);
    expect(Array.from({ length: 50 }, () => limits.take('t1'))).toEqual(Array(50).fill(0));
    expect(limits.size).toBe(0);
  });
});

describe('DeliveryRateLimits (webhook route)', () => {
  const settings = { tenantPerMinute: 3, insurerPerMinute: 2, maxKeys: 100 };

  it('limits one insurer of a tenant below the tenant, and the tenant across its insurers', () => {
    const clock = new FixedClock(T0);
    const limits = new DeliveryRateLimits(settings, clock);
    expect([limits.admit('t1', 'ins-a'), limits.admit('t1', 'ins-a')]).toEqual([0, 0]);
    // The insurer's 2 a minute are spent: 1 refills in 30 s.
    expect(limits.admit('t1', 'ins-a')).toBe(30);
    expect(limits.admit('t1', 'ins-b')).toBe(0);
    // The tenant's 3 a minute are spent, whichever insurer sends: 1 refills in 20 s.
    expect(limits.admit('t1', 'ins-c')).toBe(20);
    expect(limits.admit('t2', 'ins-a')).toBe(0);
  });

  it('counts a refused delivery against neither limit, so it passes once the window refills', () => {
    const clock = new FixedClock(T0);
    const limits = new DeliveryRateLimits(settings, clock);
    limits.admit('t1', 'ins-a');
    limits.admit('t1', 'ins-a');
    for (let i = 0; i < 10; i++) expect(limits.admit('t1', 'ins-a')).toBeGreaterThan(0);
    // Ten refusals of ins-a spent nothing of the tenant's 3: ins-b still gets the third.
    expect(limits.admit('t1', 'ins-b')).toBe(0);
    later(clock, 30_000);
    expect(limits.admit('t1', 'ins-a')).toBe(0);
  });
});
