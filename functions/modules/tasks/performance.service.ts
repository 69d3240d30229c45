import * as z from 'zod';
import { authorize, canReach, isTenantWide } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { type Clock, isoDateInZone } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { parseInput } from '../../shared/validation.js';
import type { TaskClientSegment, TaskClients, TaskPolicies, TaskTenants } from './ports.js';
import type { Task, TaskTypeCode } from './tasks.model.js';
import type { TasksRepository } from './tasks.repository.js';
import { taskReach } from './tasks.service.js';

const HOUR_MS = 3_600_000;
export const PERFORMANCE_GROUPS = ['ADVISOR', 'BRANCH', 'REGION'] as const;
export type PerformanceGroup = (typeof PERFORMANCE_GROUPS)[number];

const PerformanceArgsSchema = z.object({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM'),
  groupBy: z.enum(PERFORMANCE_GROUPS),
});

/** Counts of one group of tasks: assigned, done, late and the average completion against the SLA. */
export interface PerformanceCounts {
  assigned: number;
  done: number;
  late: number;
  /** Mean hours from creation to completion of the done tasks; null when none is done. */
  averageCompletionHours: number | null;
  /** Mean SLA hours of the same done tasks, to compare with; null when none is done. */
  averageSlaHours: number | null;
}

/** Where a task's product line is read for a task without a policy. */
export const NO_PRODUCT_LINE = 'none';

/** What a task's breakdowns need beside the task: its policy's product line and its client's segment. */
export interface TaskFacets {
  /** The product line code of the task's policy; NO_PRODUCT_LINE for a task without a policy. */
  productLineOf(task: Task): string;
  /** The segment of the task's client; null when the client is no longer in the book. */
  segmentOf(task: Task): TaskClientSegment | null;
}

/** One advisor's, branch's or region's figures for a month. */
export interface PerformanceRow extends PerformanceCounts {
  groupId: string | null;
  byType: Array<PerformanceCounts & { typeCode: TaskTypeCode }>;
  byProductLine: Array<PerformanceCounts & { productLineCode: string }>;
  bySegment: Array<PerformanceCounts & { segment: TaskClientSegment | null }>;
  /** Done checkpoint tasks: presentation → proposal → contract, and the rates between them. */
  checkpoints: {
    presentations: number;
    proposals: number;
    contracts: number;
    proposalRate: number | null;
    contractRate: number | null;
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The counts of a set of tasks as of an instant (a task is late when done after, or open past, its SLA). */
export function countTasks(tasks: Task[], asOf: number): PerformanceCounts {
  const done = tasks.filter((t) => t.status === 'DONE' && t.completedAt);
  const late = tasks.filter((t) =>
    t.status === 'DONE'
      ? (t.completedAt ?? '') > t.slaDueAt
      : t.status === 'OPEN' && Date.parse(t.slaDueAt) < asOf,
  );
  const hours = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / HOUR_MS;
  const mean = (values: number[]) =>
    values.length === 0 ? null : round2(values.reduce((a, b) => a + b, 0) / values.length);
  return {
    assigned: tasks.length,
    done: done.length,
    late: late.length,
    averageCompletionHours: mean(done.map((t) => hours(t.createdAt, t.completedAt ?? t.createdAt))),
    averageSlaHours: mean(done.map((t) => hours(t.createdAt, t.slaDueAt))),
  };
}

/** The counts of a set of tasks per value of one of their facets, in the values' order. */
function breakdown<K extends string | null>(tasks: Task[], keyOf: (t: Task) => K, asOf: number) {
  // Code-unit order, null (no segment) first.
  const keys = [...new Set(tasks.map(keyOf))].sort((a, b) => ((a ?? '') < (b ?? '') ? -1 : 1));
  return keys.map((key) => ({
    key,
    counts: countTasks(
      tasks.filter((t) => keyOf(t) === key),
      asOf,
    ),
  }));
}

/**
 * Groups a month's tasks by advisor, branch or region, each with its figures by task type, by its
 * policy's product line and by its client's segment.
 */
export function performanceRows(
  tasks: Task[],
  groupBy: PerformanceGroup,
  asOf: number,
  facets: TaskFacets,
): PerformanceRow[] {
  const keyOf = (t: Task) =>
    groupBy === 'ADVISOR' ? t.assigneeId : groupBy === 'BRANCH' ? t.branchId : t.regionId;
  const groups = new Map<string | null, Task[]>();
  for (const t of tasks) groups.set(keyOf(t), [...(groups.get(keyOf(t)) ?? []), t]);
  return [...groups.entries()]
    .sort(([a], [b]) => (a ?? '').localeCompare(b ?? ''))
    .map(([groupId, own]) => {
      const doneAt = (c: Task['checkpoint']) =>
        own.filter((t) => t.checkpoint === c && t.status === 'DONE').length;
      const [presentations, proposals, contracts] = [
        doneAt('PRESENTATION'),
        doneAt('PROPOSAL'),
        doneAt('CONTRACT'),
      ];
      const rate = (part: number, whole: number) => (whole === 0 ? null : round2(part / whole));
      return {
        groupId,
        ...countTasks(own, asOf),
        byType: breakdown(own, (t) => t.typeCode, asOf).map((b) => ({ typeCode: b.key, ...b.counts })),
        byProductLine: breakdown(own, facets.productLineOf, asOf).map((b) => ({
          productLineCode: b.key,
          ...b.counts,
        })),
        bySegment: breakdown(own, facets.segmentOf, asOf).map((b) => ({ segment: b.key, ...b.counts })),
        checkpoints: {
          presentations,
          proposals,
          contracts,
          proposalRate: rate(proposals, presentations),
          contractRate: rate(contracts, proposals),
        },
      };
    });
}

/**
 * Seller performance for a month of the tenant's time zone (tasks by due time), within the caller's
 * scope: an advisor's own tasks (assignee index), a branch manager's branch (branch index), tenant-wide
 * and region callers the tenant's task index, every task checked against the scope. The tasks'
 * policies and clients (for the product line and segment breakdowns) come by BatchGetItem. No scan.
 */
export class PerformanceService {
  constructor(
    private readonly repo: TasksRepository,
    private readonly clients: Pick<TaskClients, 'getClientSegments'>,
    private readonly policies: Pick<TaskPolicies, 'getProductLineCodes'>,
    private readonly tenants: TaskTenants,
    private readonly clock: Clock,
  ) {}

  async sellerPerformance(principal: Principal | null, rawArgs: unknown): Promise<PerformanceRow[]> {
    const p = authorize(principal, 'tasks:read');
    const args = parseInput(PerformanceArgsSchema, rawArgs, '');
    const zone = (await this.tenants.getTenantSettings(p.tenantId))?.timeZone ?? 'UTC';
    const start = Date.parse(`${args.period}-01T00:00:00Z`);
    const [y, m] = args.period.split('-').map(Number);
    const end = Date.UTC(y ?? 0, m ?? 1, 1);
    // A day either side covers every time zone; the exact month is then taken in the tenant's zone.
    const range = {
      dueFrom: new Date(start - 24 * HOUR_MS).toISOString(),
      dueTo: new Date(end + 24 * HOUR_MS).toISOString(),
    };
    const tasks: Task[] = [];
    let cursor: string | null = null;
    do {
      const page = { limit: 100, cursor };
      const result: Page<Task> =
        p.scope === 'own'
          ? await this.repo.listTasksOfAssignee(p.tenantId, p.userId, range, page)
          : p.scope === 'branch' && p.branchId && !isTenantWide(p)
            ? await this.repo.listTasksOfBranch(p.tenantId, p.branchId, range, page)
            : await this.repo.listTasksOfTenant(p.tenantId, range, page);
      tasks.push(
        ...result.items.filter(
          (t) =>
            t.status !== 'CANCELLED' &&
            canReach(p, taskReach(t)) &&
            isoDateInZone(new Date(t.dueAt), zone).slice(0, 7) === args.period,
        ),
      );
      cursor = result.nextCursor;
    } while (cursor);
    return performanceRows(
      tasks,
      args.groupBy,
      this.clock.now().getTime(),
      await this.facets(p.tenantId, tasks),
    );
  }

  /** The product lines of the tasks' policies and the segments of their clients, read in batches. */
  private async facets(tenantId: string, tasks: Task[]): Promise<TaskFacets> {
    // Each policy once: BatchGetItem refuses a request that names a key twice.
    const policyRefs = new Map(
      tasks.flatMap((t) =>
        t.policyId ? [[t.policyId, { id: t.policyId, clientId: t.clientId }] as const] : [],
      ),
    );
    const [lines, segments] = await Promise.all([
      this.policies.getProductLineCodes(tenantId, [...policyRefs.values()]),
      this.clients.getClientSegments(tenantId, [...new Set(tasks.map((t) => t.clientId))]),
    ]);
    return {
      productLineOf: (t) => (t.policyId ? lines.get(t.policyId) : undefined) ?? NO_PRODUCT_LINE,
      segmentOf: (t) => segments.get(t.clientId) ?? null,
    };
  }
}
