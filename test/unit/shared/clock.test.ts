import { describe, expect, it } from 'vitest';
import { FixedClock, isoDateInZone, systemClock } from '../../../functions/shared/clock.js';

describe('isoDateInZone', () => {
  it('is already the next day in Prague at 23:30 UTC in winter (UTC+1)', () => {
    const instant = new Date('2026-01-31T23:30:00Z');
    expect(isoDateInZone(instant, 'UTC')).toBe('2026-01-31');
    expect(isoDateInZone(instant, 'Europe/Prague')).toBe('2026-02-01');
  });

  it('turns the day in Prague at 22:00 UTC in summer (UTC+2), not at 23:00', () => {
    expect(isoDateInZone(new Date('2026-06-30T21:59:59Z'), 'Europe/Prague')).toBe('2026-06-30');
    expect(isoDateInZone(new Date('2026-06-30T22:00:00Z'), 'Europe/Prague')).toBe('2026-07-01');
    expect(isoDateInZone(new Date('2026-06-30T22:00:00Z'), 'UTC')).toBe('2026-06-30');
  });

  it('rolls a commission period into the new year only in the zone where midnight has passed', () => {
    const instant = new Date('2026-12-31T23:15:00Z');
    expect(isoDateInZone(instant, 'Europe/Prague')).toBe('2027-01-01');
    expect(isoDateInZone(instant, 'UTC')).toBe('2026-12-31');
    expect(isoDateInZone(instant, 'America/New_York')).toBe('2026-12-31');
  });

  it('writes single-digit months and days with a leading zero', () => {
    expect(isoDateInZone(new Date('2026-03-05T12:00:00Z'), 'UTC')).toBe('2026-03-05');
  });

  it('throws for an unknown time zone', () => {
    expect(() => isoDateInZone(new Date(), 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('FixedClock', () => {
  it('stands still until set or advanced by whole days', () => {
    const clock = new FixedClock(new Date('2026-01-30T10:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-01-30T10:00:00.000Z');
    clock.advanceDays(3);
    expect(clock.now().toISOString()).toBe('2026-02-02T10:00:00.000Z');
    clock.set(new Date('2027-05-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2027-05-01T00:00:00.000Z');
  });

  it('hands out copies, so a caller mutating the date cannot move the clock', () => {
    const clock = new FixedClock(new Date('2026-01-30T10:00:00Z'));
    clock.now().setUTCFullYear(1999);
    expect(clock.now().getUTCFullYear()).toBe(2026);
  });
});

describe('systemClock', () => {
  it('reads the current time', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
