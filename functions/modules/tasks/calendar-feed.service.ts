import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { authorize, canReach } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { IdSchema, isId } from '../../shared/input.js';
import { parseInput } from '../../shared/validation.js';
import type { TaskUsers } from './ports.js';
import type { Task } from './tasks.model.js';
import type { TasksRepository } from './tasks.repository.js';

const DAY_MS = 86_400_000;
/** The feed covers the last 30 days and the next 180: what a calendar app shows around today. */
const FEED_BACK_DAYS = 30;
const FEED_AHEAD_DAYS = 180;
const FEED_MAX = 1000;
const TOKEN_PREFIX = 'bcf_';

/** A feed as `createCalendarFeed` answers it: the path carries the token, shown this once. */
export interface CreatedCalendarFeed {
  userId: string;
  path: string;
  createdAt: string;
}

const FeedTargetSchema = z.object({ userId: IdSchema.nullish() });

/** The parts of a presented token: where the feed is stored, and the secret to check. */
interface PresentedToken {
  tenantId: string;
  userId: string;
  secret: string;
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Splits `bcf_<tenant, base64url>.<user id>.<secret>`; null when it cannot be one of ours. */
function parseToken(raw: string): PresentedToken | null {
  if (!raw.startsWith(TOKEN_PREFIX) || raw.length > 400) return null;
  const [tenant, userId, secret, ...rest] = raw.slice(TOKEN_PREFIX.length).split('.');
  if (!tenant || !userId || !secret || rest.length > 0) return null;
  const tenantId = Buffer.from(tenant, 'base64url').toString('utf8');
  if (!isId(tenantId) || !isId(userId)) return null;
  return { tenantId, userId, secret };
}

/**
 * A user's iCalendar feed behind an unguessable, revocable token (`GET /calendar/<token>.ics`), so
 * Google or Outlook can subscribe to the user's tasks. The token is answered once; only the hash of
 * its 256-bit secret is stored, one feed per user (a new feed replaces the old, revoking deletes it).
 * The token names tenant and user, so serving a feed is one GetItem and one Query on the assignee
 * index, never a scan. A user who is no longer active has no feed.
 */
export class CalendarFeedService {
  constructor(
    private readonly repo: TasksRepository,
    private readonly users: TaskUsers,
    private readonly clock: Clock,
  ) {}

  /** Creates (or replaces) the feed of the caller, or of a user within the caller's scope. */
  async createFeed(principal: Principal | null, rawInput: unknown): Promise<CreatedCalendarFeed> {
    const p = authorize(principal, 'tasks:read');
    const userId = await this.target(p, rawInput);
    const secret = randomBytes(32).toString('base64url');
    const createdAt = this.clock.now().toISOString();
    await this.repo.putCalendarFeed(p.tenantId, {
      userId,
      secretHash: hashSecret(secret),
      createdBy: p.userId,
      createdAt,
    });
    const token = `${TOKEN_PREFIX}${Buffer.from(p.tenantId).toString('base64url')}.${userId}.${secret}`;
    return { userId, path: `/calendar/${token}.ics`, createdAt };
  }

  /** Revokes the feed of the caller, or of a user within the caller's scope; false when there was none. */
  async revokeFeed(principal: Principal | null, rawInput: unknown): Promise<boolean> {
    const p = authorize(principal, 'tasks:read');
    const userId = await this.target(p, rawInput);
    return this.repo.deleteCalendarFeed(p.tenantId, userId);
  }

  /**
   * The feed's iCalendar text for a presented token (with or without `.ics`); null when the token is
   * malformed, revoked, replaced or its user is inactive, so every failure looks the same.
   */
  async render(rawToken: string): Promise<string | null> {
    const token = parseToken(rawToken.replace(/\.ics$/, ''));
    if (!token) return null;
    const feed = await this.repo.getCalendarFeed(token.tenantId, token.userId);
    if (!feed || !secretMatches(token.secret, feed.secretHash)) return null;
    const user = await this.users.getUser(token.tenantId, token.userId);
    if (!user?.active) return null;
    const now = this.clock.now().getTime();
    const tasks = await this.tasksAround(token.tenantId, token.userId, now);
    // Loaded here only: the graphql function creates and revokes feeds but never writes one.
    const { default: ical, ICalEventStatus } = await import('ical-generator');
    const calendar = ical({ name: `Tasks: ${user.name}`, prodId: '//Broker CRM//Tasks//EN', ttl: 900 });
    for (const task of tasks) {
      const start = new Date(task.dueAt);
      calendar.createEvent({
        id: `${task.id}@broker-crm`,
        start,
        end: new Date(start.getTime() + Math.max(task.expectedMinutes, 15) * 60_000),
        stamp: new Date(task.updatedAt),
        summary: task.status === 'DONE' ? `✓ ${task.title}` : task.title,
        description: `${task.typeCode} · ${task.priority} · ${task.status}`,
        status: task.status === 'DONE' ? ICalEventStatus.CONFIRMED : ICalEventStatus.TENTATIVE,
      });
    }
    return calendar.toString();
  }

  private async tasksAround(tenantId: string, userId: string, now: number): Promise<Task[]> {
    const range = {
      dueFrom: new Date(now - FEED_BACK_DAYS * DAY_MS).toISOString(),
      dueTo: new Date(now + FEED_AHEAD_DAYS * DAY_MS).toISOString(),
    };
    const tasks: Task[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.repo.listTasksOfAssignee(tenantId, userId, range, { limit: 100, cursor });
      tasks.push(...page.items.filter((t) => t.status !== 'CANCELLED'));
      cursor = page.nextCursor;
    } while (cursor && tasks.length < FEED_MAX);
    return tasks.slice(0, FEED_MAX);
  }

  /** The feed's user: the caller by default, another user only within the caller's scope. */
  private async target(p: Principal, rawInput: unknown): Promise<string> {
    const input = parseInput(FeedTargetSchema, rawInput ?? {});
    const userId = input.userId ?? p.userId;
    if (userId === p.userId) return userId;
    const user = await this.users.getUser(p.tenantId, userId);
    if (!user) throw new NotFoundError('User', userId);
    if (!canReach(p, { ownerUserId: user.id, branchId: user.branchId, regionId: user.regionId }))
      throw new ForbiddenError("This user's calendar is outside your scope");
    return userId;
  }
}

/** Constant-time comparison of a presented secret with the stored hash. */
function secretMatches(secret: string, secretHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(secretHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
