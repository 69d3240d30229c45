import { receivesLeads } from '../shared/auth/policy.js';
import { systemPrincipal } from '../shared/auth/principal.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { OrgKind } from '../shared/table-design.js';
import { type BookRepositories, bookRepositories } from './book-wiring.js';
import { type ClientsModule, createClientsModule } from './clients/index.js';
import { createLeadsModule, type LeadsDeps, type LeadsModule } from './leads/index.js';
import type { Branch, User } from './org/index.js';
import { createTasksModule, type TasksModule } from './tasks/index.js';
import { taskPorts } from './tasks-wiring.js';

/** Who files leads, in clients' and tasks' history. */
const LEADS_ACTOR = 'system:lead-intake';

/**
 * The leads module's ports: potential clients and consents through the clients module's services
 * (their validation, unique claims and timeline), first-contact tasks through the tasks module,
 * branches, lead sources and advisors from the org repository.
 */
export function leadPorts(
  repositories: BookRepositories,
  clients: ClientsModule,
  tasks: TasksModule,
): Pick<LeadsDeps, 'clients' | 'tasks' | 'org'> {
  const { org } = repositories;
  return {
    clients: {
      clientHolding: (tenantId, field, value) => clients.book.ownerOfUnique(tenantId, field, value),
      potentialClientOps: async (tenantId, lead) => {
        const { client, ops } = await clients.records.createClientOps(
          systemPrincipal(tenantId, LEADS_ACTOR),
          {
            kind: 'PERSON',
            firstName: lead.firstName,
            lastName: lead.lastName,
            email: lead.email,
            phone: lead.phone,
            nationalId: lead.nationalId,
            taxId: lead.taxId,
            segment: 'INDIVIDUAL',
            acquisitionType: 'OWN_PROMOTION',
            leadSourceId: lead.leadSourceId,
            ownerAdvisorId: lead.ownerAdvisorId,
            status: 'POTENTIAL',
            consents: lead.consents.map((channel) => ({ channel, granted: true, how: lead.how })),
          },
          { source: lead.how },
        );
        return { clientId: client.id, ops };
      },
      consentOps: (tenantId, clientId, channels, how) =>
        clients.records.recordConsentsOps(
          systemPrincipal(tenantId, LEADS_ACTOR),
          clientId,
          channels.map((channel) => ({ channel, granted: true, how })),
        ),
    },
    tasks: {
      firstContactTaskOps: async (tenantId, task) => {
        const ops = await tasks.tasks.systemTaskOps(
          tenantId,
          { ...task, typeCode: 'CALL', policyId: null, process: null, priority: 'HIGH' },
          LEADS_ACTOR,
        );
        // The task's id is new: it cannot exist yet.
        if (!ops) throw new Error(`First-contact task ${task.id} exists already`);
        return ops;
      },
    },
    org: {
      branchAdvisorIds: async (tenantId, branchId) =>
        (await org.listAllOrgEntities<User>(tenantId, OrgKind.User))
          .filter((u) => u.active && u.branchId === branchId && receivesLeads(u.role))
          .map((u) => u.id)
          .sort(),
      branchRegion: async (tenantId, id) => {
        const branch = await org.getOrgEntity<Branch>(tenantId, OrgKind.Branch, id);
        return branch ? { regionId: branch.regionId } : undefined;
      },
      hasLeadSource: async (tenantId, id) =>
        (await org.getOrgEntity(tenantId, OrgKind.LeadSource, id)) !== undefined,
    },
  };
}

/**
 * The lead intake function's composition: the leads module over the clients and tasks modules
 * only, so its bundle carries no invoices, commissions or webhooks code.
 */
export function composeLeads(db: Db, clock: Clock): LeadsModule {
  const repositories = bookRepositories(db);
  const clients = createClientsModule({
    repository: repositories.clients,
    org: repositories.org,
    policies: repositories.policies,
    clock,
  });
  const tasks = createTasksModule({ db, clock, ...taskPorts(repositories, clients) });
  return createLeadsModule({ db, clock, ...leadPorts(repositories, clients, tasks) });
}
