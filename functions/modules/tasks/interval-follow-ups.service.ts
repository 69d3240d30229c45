import { forEachOwnedClient } from './owned-clients.js';
import type { ClientPolicyDates, TaskClients, TaskTenants, TaskUsers } from './ports.js';
import type { TasksRepository } from './tasks.repository.js';
import type { TasksService } from './tasks.service.js';

const DAY_MS = 86_400_000;

/** Who files an interval follow-up, in the task's history. */
export const INTERVAL_ACTOR = 'system:interval-follow-up';

/** What one run of the interval follow-ups did. */
export interface IntervalFollowUpsResult {
  clients: number;
  created: number;
}

/**
 * The daily interval follow-up: a client whose usual interval between policies has passed (plus
 * the tenant's grace days) with no new policy gets a follow-up call for its owner. The usual interval
 * is the median gap between the client's policy dates, or the latest policy's term with a single
 * one. The task's id names the client and its latest policy date, so it is created once, and a new
 * policy starts the next interval.
 */
export class IntervalFollowUpsService {
  constructor(
    private readonly repo: TasksRepository,
    private readonly tasks: TasksService,
    private readonly clients: TaskClients,
    private readonly users: TaskUsers,
    private readonly tenants: TaskTenants,
  ) {}

  async run(asOf: Date): Promise<IntervalFollowUpsResult> {
    const total: IntervalFollowUpsResult = { clients: 0, created: 0 };
    for (const tenantId of await this.tenants.listTenantIds()) {
      const one = await this.runTenant(tenantId, asOf);
      total.clients += one.clients;
      total.created += one.created;
    }
    return total;
  }

  async runTenant(tenantId: string, asOf: Date): Promise<IntervalFollowUpsResult> {
    const { intervalGraceDays } = await this.repo.getSettings(tenantId);
    let created = 0;
    const clients = await forEachOwnedClient(this.users, this.clients, tenantId, async (client, ownerId) => {
      const due = nextPolicyDue(await this.clients.listPolicyDates(tenantId, client.id));
      if (!due || asOf.getTime() < Date.parse(`${due.expected}T00:00:00Z`) + intervalGraceDays * DAY_MS)
        return;
      const made = await this.tasks.createSystemTask(
        tenantId,
        {
          id: `interval.${client.id}.${due.last}`,
          typeCode: 'CALL',
          title: `Follow up ${client.name}: no new policy since ${due.last} (usual interval ${due.intervalDays} days)`,
          assigneeId: ownerId,
          clientId: client.id,
          policyId: null,
          dueAt: asOf.toISOString(),
          process: 'CROSS_SELL',
        },
        INTERVAL_ACTOR,
      );
      if (made) created += 1;
    });
    return { clients, created };
  }
}

/**
 * When the client's next policy is expected: its latest policy date plus the usual interval (the
 * median gap between distinct policy dates; with one date, that policy's term). Null without policies.
 */
export function nextPolicyDue(
  policies: ClientPolicyDates[],
): { last: string; expected: string; intervalDays: number } | null {
  const dates = [...new Set(policies.map((p) => p.writtenDate))].sort();
  const last = dates.at(-1);
  if (!last) return null;
  const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY_MS;
  let intervalDays: number;
  if (dates.length > 1) {
    const gaps = dates
      .slice(1)
      .map((d, i) => day(d) - day(dates[i] ?? d))
      .sort((a, b) => a - b);
    const mid = Math.floor(gaps.length / 2);
    intervalDays =
      gaps.length % 2 === 1 ? (gaps[mid] ?? 0) : Math.round(((gaps[mid - 1] ?? 0) + (gaps[mid] ?? 0)) / 2);
  } else {
    const latest = policies.find((p) => p.writtenDate === last);
    if (!latest) return null;
    intervalDays = day(latest.termEnd) - day(latest.termStart) + 1;
  }
  const expected = new Date((day(last) + intervalDays) * DAY_MS).toISOString().slice(0, 10);
  return { last, expected, intervalDays };
}
