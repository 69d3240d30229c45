import type { ScheduledEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseSchedule, Scheduler, type SchedulerTimers } from '../../../infra/local/scheduler.js';

const at = (iso: string) => new Date(iso);

describe('parseSchedule', () => {
  it('fires rates every period from the origin', () => {
    const s = parseSchedule('rate(5 minutes)', at('2026-03-01T10:00:00Z'));
    expect(s.next(at('2026-03-01T10:00:00Z'))).toEqual(at('2026-03-01T10:05:00Z'));
    expect(s.next(at('2026-03-01T10:07:00Z'))).toEqual(at('2026-03-01T10:10:00Z'));
    expect(parseSchedule('rate(1 day)', at('2026-03-01T10:00:00Z')).next(at('2026-03-01T10:00:00Z'))).toEqual(
      at('2026-03-02T10:00:00Z'),
    );
    expect(
      parseSchedule('rate(2 hours)', at('2026-03-01T00:00:00Z')).next(at('2026-03-01T03:00:00Z')),
    ).toEqual(at('2026-03-01T04:00:00Z'));
  });

  it('rejects rates AWS rejects', () => {
    expect(() => parseSchedule('rate(1 minutes)')).toThrow(RangeError);
    expect(() => parseSchedule('rate(5 minute)')).toThrow(RangeError);
    expect(() => parseSchedule('rate(0 days)')).toThrow(RangeError);
    expect(() => parseSchedule('rate(5 weeks)')).toThrow(RangeError);
  });

  it('evaluates EventBridge cron in UTC, strictly after the given instant', () => {
    const daily = parseSchedule('cron(0 7 * * ? *)');
    expect(daily.next(at('2026-01-01T06:59:30Z'))).toEqual(at('2026-01-01T07:00:00Z'));
    expect(daily.next(at('2026-01-01T07:00:00Z'))).toEqual(at('2026-01-02T07:00:00Z'));
    // Weekdays MON-FRI every 15 minutes from 9 to 17; 2026-01-03 is a Saturday.
    const office = parseSchedule('cron(0/15 9-17 ? * MON-FRI *)');
    expect(office.next(at('2026-01-03T12:00:00Z'))).toEqual(at('2026-01-05T09:00:00Z'));
    expect(office.next(at('2026-01-05T09:00:00Z'))).toEqual(at('2026-01-05T09:15:00Z'));
    // Day-of-week numbers are 1-7 = SUN-SAT in EventBridge: 2 is Monday.
    expect(parseSchedule('cron(0 8 ? * 2 *)').next(at('2026-01-03T00:00:00Z'))).toEqual(
      at('2026-01-05T08:00:00Z'),
    );
    expect(parseSchedule('cron(0 12 L * ? *)').next(at('2026-02-03T00:00:00Z'))).toEqual(
      at('2026-02-28T12:00:00Z'),
    );
    expect(parseSchedule('cron(30 6 1,15 * ? 2027)').next(at('2026-06-01T00:00:00Z'))).toEqual(
      at('2027-01-01T06:30:00Z'),
    );
  });

  it('rejects cron expressions EventBridge rejects', () => {
    expect(() => parseSchedule('cron(0 7 * * *)')).toThrow(RangeError);
    expect(() => parseSchedule('cron(0 7 * * * *)')).toThrow(RangeError);
    expect(() => parseSchedule('cron(0 7 ? * ? *)')).toThrow(RangeError);
    expect(() => parseSchedule('every day')).toThrow(RangeError);
  });
});

/** A clock that only moves when the test says so, and timers that fire when it passes them. */
function fakeTimers(start: string) {
  let now = at(start).getTime();
  let timers: Array<{ due: number; fn: () => void; id: number }> = [];
  let nextId = 0;
  const api: SchedulerTimers = {
    now: () => new Date(now),
    setTimer: (fn, ms) => {
      const id = nextId++;
      timers.push({ due: now + ms, fn, id });
      return id;
    },
    clearTimer: (handle) => {
      timers = timers.filter((t) => t.id !== handle);
    },
  };
  const advanceTo = (iso: string) => {
    const target = at(iso).getTime();
    for (;;) {
      const due = timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.due;
      due.fn();
    }
    now = target;
  };
  return { api, advanceTo, pending: () => timers.length };
}

describe('Scheduler', () => {
  it('fires a schedule at each due time with a Scheduled Event', async () => {
    const clock = fakeTimers('2026-01-01T06:00:00Z');
    const events: ScheduledEvent[] = [];
    const scheduler = new Scheduler({
      jobs: [
        {
          name: 'reminders',
          expression: 'cron(0 7 * * ? *)',
          timeoutSeconds: 5,
          handler: (e) => {
            events.push(e);
          },
        },
      ],
      region: 'eu-central-1',
      timers: clock.api,
    });
    scheduler.start();
    expect(scheduler.nextFire('reminders')).toEqual(at('2026-01-01T07:00:00Z'));
    clock.advanceTo('2026-01-03T08:00:00Z');
    await scheduler.idle();
    expect(events.map((e) => e.time)).toEqual([
      '2026-01-01T07:00:00Z',
      '2026-01-02T07:00:00Z',
      '2026-01-03T07:00:00Z',
    ]);
    expect(events[0]).toMatchObject({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      region: 'eu-central-1',
      detail: {},
    });
    expect(events[0]?.resources[0]).toMatch(/rule\/reminders$/);
    await scheduler.stop();
    expect(clock.pending()).toBe(0);
  });

  it('records a failed run and keeps the schedule going', async () => {
    const clock = fakeTimers('2026-01-01T00:00:00Z');
    let runs = 0;
    const scheduler = new Scheduler({
      jobs: [
        {
          name: 'sweep',
          expression: 'rate(1 hour)',
          timeoutSeconds: 5,
          handler: () => {
            runs++;
            throw new Error('boom');
          },
        },
      ],
      region: 'eu-central-1',
      timers: clock.api,
    });
    scheduler.start();
    clock.advanceTo('2026-01-01T02:30:00Z');
    await scheduler.idle();
    expect(runs).toBe(2);
    expect(scheduler.failures.entries.map((f) => [f.function, f.source, f.error])).toEqual([
      ['sweep', 'schedule', 'boom'],
      ['sweep', 'schedule', 'boom'],
    ]);
    await scheduler.stop();
  });

  it('runs a job now on request', async () => {
    const clock = fakeTimers('2026-05-05T05:05:05Z');
    const scheduler = new Scheduler({
      jobs: [{ name: 'nightly', expression: 'rate(1 day)', timeoutSeconds: 5, handler: (e) => e.time }],
      region: 'eu-central-1',
      timers: clock.api,
    });
    await expect(scheduler.runNow('nightly')).resolves.toBe('2026-05-05T05:05:05Z');
    await expect(scheduler.runNow('missing')).rejects.toThrow(/No scheduled function/);
  });
});
