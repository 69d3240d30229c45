import { randomUUID } from 'node:crypto';
import awsCron from 'aws-cron-parser';
import type { ScheduledEvent } from 'aws-lambda';
import type { FunctionSpec } from '../catalog.js';
import { FailureLog, invokeHandler, type LambdaHandler, LOCAL_ACCOUNT } from './change-bus.js';

/** A scheduled function's handler: EventBridge's Scheduled Event in. */
export type ScheduleHandler = LambdaHandler<ScheduledEvent<Record<string, never>>>;

/** A parsed schedule expression: when it fires next strictly after a given instant. */
export interface Schedule {
  expression: string;
  next(after: Date): Date | null;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const CRON = /^cron\((.+)\)$/;
// Characters EventBridge allows in a cron field: values, names, and * ? , - / L W #.
const CRON_FIELD = /^[0-9A-Za-z*?,\-/#]+$/;

/**
 * Parses an EventBridge schedule expression with AWS's own rules, so a bad expression fails here as
 * it would fail the cloud deploy. `rate(N unit)` fires every N units from `origin` (the local
 * stack's start, as a new schedule starts from its creation); `cron(...)` takes EventBridge's six
 * fields (minutes hours day-of-month month day-of-week year, UTC, day-of-week 1-7 = SUN-SAT, one of
 * the two day fields `?`), evaluated by `aws-cron-parser`, which implements exactly this dialect
 * (`L`, `W`, `#` and the year field included), unlike POSIX cron parsers.
 */
export function parseSchedule(expression: string, origin: Date = new Date()): Schedule {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = (rate[2] ?? '').replace(/s$/, '') as keyof typeof UNIT_MS;
    const plural = rate[2]?.endsWith('s') ?? false;
    if (value < 1 || (value === 1) === plural) {
      throw new RangeError(
        `Invalid rate expression ${expression}: use "1 ${unit}" or "N ${unit}s" with N > 1`,
      );
    }
    const period = value * UNIT_MS[unit];
    const start = origin.getTime();
    return {
      expression,
      next: (after) => {
        const elapsed = after.getTime() - start;
        const k = elapsed < 0 ? 1 : Math.floor(elapsed / period) + 1;
        return new Date(start + k * period);
      },
    };
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = (cron[1] ?? '').trim().split(/\s+/);
    if (fields.length !== 6 || !fields.every((f) => CRON_FIELD.test(f))) {
      throw new RangeError(`Invalid cron expression ${expression}: EventBridge wants 6 fields`);
    }
    const [, , dayOfMonth, , dayOfWeek] = fields;
    if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
      throw new RangeError(
        `Invalid cron expression ${expression}: exactly one of day-of-month and day-of-week must be ?`,
      );
    }
    let parsed: ReturnType<typeof awsCron.parse>;
    try {
      parsed = awsCron.parse(fields.join(' '));
    } catch (error) {
      throw new RangeError(`Invalid cron expression ${expression}: ${(error as Error).message}`);
    }
    return { expression, next: (after) => awsCron.next(parsed, after) };
  }
  throw new RangeError(`Unsupported schedule expression ${expression}: use rate(...) or cron(...)`);
}

/** The clock and timer the scheduler runs on; tests pass fakes so nothing waits. */
export interface SchedulerTimers {
  now(): Date;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

const realTimers: SchedulerTimers = {
  now: () => new Date(),
  setTimer: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** A catalog function triggered by a schedule, with its handler already loaded. */
export interface ScheduledJob {
  name: string;
  expression: string;
  timeoutSeconds: number;
  handler: ScheduleHandler;
}

/** Builds jobs from catalog entries of trigger kind `schedule`, skipping every other kind. */
export function scheduledJobs(
  specs: readonly FunctionSpec[],
  handlerOf: (spec: FunctionSpec) => ScheduleHandler,
): ScheduledJob[] {
  const jobs: ScheduledJob[] = [];
  for (const spec of specs) {
    if (spec.trigger.kind !== 'schedule') continue;
    jobs.push({
      name: spec.name,
      expression: spec.trigger.expression,
      timeoutSeconds: spec.timeoutSeconds,
      handler: handlerOf(spec),
    });
  }
  return jobs;
}

export interface SchedulerOptions {
  jobs: readonly ScheduledJob[];
  region: string;
  timers?: SchedulerTimers;
  failures?: FailureLog;
  log?: (line: string) => void;
}

// setTimeout overflows past 2^31-1 ms (~24.8 days); a monthly cron re-arms in steps instead.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Fires the catalog's schedules locally, with the event EventBridge hands a scheduled Lambda. Each
 * job is armed for its next fire time; a run does not wait for the previous one, as in the cloud.
 * A failed run is logged to the failure log and not retried: the next fire comes soon enough locally.
 */
export class Scheduler {
  readonly failures: FailureLog;
  private readonly timers: SchedulerTimers;
  private readonly schedules = new Map<
    string,
    { job: ScheduledJob; schedule: Schedule; handle?: unknown; due?: Date }
  >();
  private readonly running = new Set<Promise<unknown>>();
  private started = false;

  constructor(private readonly options: SchedulerOptions) {
    this.timers = options.timers ?? realTimers;
    this.failures = options.failures ?? new FailureLog();
    const origin = this.timers.now();
    for (const job of options.jobs) {
      this.schedules.set(job.name, { job, schedule: parseSchedule(job.expression, origin) });
    }
  }

  start(): void {
    this.started = true;
    for (const name of this.schedules.keys()) this.arm(name);
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const entry of this.schedules.values())
      if (entry.handle !== undefined) this.timers.clearTimer(entry.handle);
    await Promise.allSettled([...this.running]);
  }

  /** The names of the scheduled jobs. */
  names(): string[] {
    return [...this.schedules.keys()];
  }

  /** When a job fires next (while started), for logs and tests. */
  nextFire(name: string): Date | undefined {
    return this.schedules.get(name)?.due;
  }

  /**
   * Invokes a job at once with a Scheduled Event for the current time (or `at`: handlers that run
   * as of the event's time then act as of that instant), as a test would want a nightly job to run
   * now; resolves with the handler's result and rejects with its error.
   */
  async runNow(name: string, at?: Date): Promise<unknown> {
    const entry = this.schedules.get(name);
    if (!entry) throw new Error(`No scheduled function named ${name}`);
    return invokeHandler(
      entry.job.handler,
      this.event(entry.job, at ?? this.timers.now()),
      name,
      entry.job.timeoutSeconds,
    );
  }

  private event(job: ScheduledJob, time: Date): ScheduledEvent<Record<string, never>> {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: LOCAL_ACCOUNT,
      time: new Date(Math.floor(time.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
      region: this.options.region,
      resources: [`arn:aws:events:${this.options.region}:${LOCAL_ACCOUNT}:rule/${job.name}`],
      detail: {},
    };
  }

  /** Arms the job's timer for its next fire strictly after `after` (a timer may fire a little early). */
  private arm(name: string, after?: Date): void {
    const entry = this.schedules.get(name);
    if (!entry || !this.started) return;
    const now = this.timers.now();
    const from = after && after > now ? after : now;
    const due = entry.due && entry.due > now ? entry.due : entry.schedule.next(from);
    entry.due = due ?? undefined;
    if (!due) return;
    const delay = due.getTime() - now.getTime();
    entry.handle = this.timers.setTimer(
      () => (delay > MAX_TIMER_MS ? this.arm(name) : this.fire(name, due)),
      Math.min(delay, MAX_TIMER_MS),
    );
  }

  private fire(name: string, due: Date): void {
    const entry = this.schedules.get(name);
    if (!entry || !this.started) return;
    entry.due = undefined;
    const event = this.event(entry.job, due);
    const run = Promise.resolve(invokeHandler(entry.job.handler, event, name, entry.job.timeoutSeconds))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.options.log?.(`schedule: ${name} failed: ${message}`);
        void this.failures.add({
          at: this.timers.now().toISOString(),
          function: name,
          source: 'schedule',
          reason: 'retries-exhausted',
          attempts: 1,
          error: message,
          payload: event,
        });
      })
      .finally(() => this.running.delete(run));
    this.running.add(run);
    this.arm(name, due);
  }

  /** Resolves once every run started so far has finished. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
