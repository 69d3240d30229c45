import type { TaskClient, TaskClients, TaskUsers } from './ports.js';

/**
 * Visits every owned client of a tenant, owner by owner: the tenant's active staff, then each one's
 * clients on the owner index (Queries, never a scan). Pooled clients have no owner and are skipped.
 */
export async function forEachOwnedClient(
  users: TaskUsers,
  clients: TaskClients,
  tenantId: string,
  visit: (client: TaskClient, ownerId: string) => Promise<void>,
): Promise<number> {
  let visited = 0;
  for (const ownerId of await users.listActiveStaffIds(tenantId)) {
    for (const client of await clients.listClientsOfOwner(tenantId, ownerId)) {
      visited += 1;
      await visit(client, ownerId);
    }
  }
  return visited;
}
