import { forEachOwnedClient } from './owned-clients.js';
import type { TaskClient, TaskClients, TaskTenants, TaskUsers } from './ports.js';
import type { Task } from './tasks.model.js';
import type { TasksRepository } from './tasks.repository.js';

const DAY_MS = 86_400_000;
/** The tasks that count as contacting the client. */
const CONTACT_TYPES: ReadonlySet<Task['typeCode']> = new Set(['CALL', 'MEETING']);

/** Who moves a client to the pool, on its timeline. */
export const POOL_RULE_ACTOR = 'system:pool-rule';

/** What one run of the pool rule did. */
export interface PoolRuleResult {
  clients: number;
  pooled: number;
}

/**
 * The daily pool rule: a client whose owner missed the tenant's number of contact tasks (calls,
 * meetings) in a row, or whom nobody has contacted for the tenant's number of days, moves to its
 * branch's shared pool with the reason on its timeline (through the clients module's pool). A
 * contact task is missed when its SLA ended before it was done; a contact is a call or meeting done
 * with any outcome but NO_CONTACT (before the first, the client's creation stands in). Each owner's
 * clients come from the owner index and each client's tasks from the client index: Queries, no scan.
 * A pooled client has no owner, so a rerun finds nothing more to move.
 */
export class PoolRuleService {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly clients: TaskClients,
    private readonly users: TaskUsers,
    private readonly tenants: TaskTenants,
  ) {}

  async run(asOf: Date): Promise<PoolRuleResult> {
    const total: PoolRuleResult = { clients: 0, pooled: 0 };
    for (const tenantId of await this.tenants.listTenantIds()) {
      const one = await this.runTenant(tenantId, asOf);
      total.clients += one.clients;
      total.pooled += one.pooled;
    }
    return total;
  }

  async runTenant(tenantId: string, asOf: Date): Promise<PoolRuleResult> {
    const settings = await this.tasks.getSettings(tenantId);
    let pooled = 0;
    const visited = await forEachOwnedClient(this.users, this.clients, tenantId, async (client, ownerId) => {
      const reason = poolReason(client, ownerId, await this.tasksOf(tenantId, client.id, asOf), asOf, {
        missed: settings.missedContactsToPool,
        days: settings.daysWithoutContactToPool,
      });
      if (reason && (await this.clients.moveToPool(tenantId, client.id, POOL_RULE_ACTOR, reason)))
        pooled += 1;
    });
    return { clients: visited, pooled };
  }

  /** The client's tasks due up to the instant (one Query on the client index, paged). */
  private async tasksOf(tenantId: string, clientId: string, asOf: Date): Promise<Task[]> {
    const tasks: Task[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.tasks.listTasksOfClient(
        tenantId,
        clientId,
        { dueTo: asOf.toISOString() },
        { limit: 100, cursor },
      );
      tasks.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return tasks;
  }
}

/** Why the client moves to the pool, or null when it stays (a pure decision over its tasks). */
export function poolReason(
  client: TaskClient,
  ownerId: string,
  tasks: Task[],
  asOf: Date,
  limits: { missed: number; days: number },
): string | null {
  const now = asOf.getTime();
  const contacts = tasks.filter((t) => CONTACT_TYPES.has(t.typeCode) && t.status !== 'CANCELLED');
  // The owner's contact tasks whose SLA has ended, newest first: each either done in time or missed.
  const decided = contacts
    .filter((t) => t.assigneeId === ownerId && Date.parse(t.slaDueAt) < now)
    .sort((a, b) => b.dueAt.localeCompare(a.dueAt));
  const missed = (t: Task) => t.completedAt === null || t.completedAt > t.slaDueAt;
  const latest = decided.slice(0, limits.missed);
  if (limits.missed > 0 && latest.length === limits.missed && latest.every(missed))
    return `the owner missed ${limits.missed} contact tasks in a row`;
  const reached = contacts
    .filter((t) => t.status === 'DONE' && t.outcome !== 'NO_CONTACT' && t.completedAt)
    .map((t) => t.completedAt as string);
  const last = [client.createdAt, ...reached].sort().at(-1) ?? client.createdAt;
  if (limits.days > 0 && now - Date.parse(last) > limits.days * DAY_MS)
    return `not contacted for ${limits.days} days`;
  return null;
}
