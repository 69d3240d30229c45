import { receivesLeads } from '../shared/auth/policy.js';
import { systemPrincipal } from '../shared/auth/principal.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { OrgKind } from '../shared/table-design.js';
import { type BookRepositories, bookRepositories } from './book-wiring.js';
import { type ClientsModule, createClientsModule } from './clients/index.js';
import { createLeadsModule, type LeadsDeps, type LeadsModule } from './leads/index.js';
import type { Branch, Partner, ProductLine, User } from './org/index.js';
import { createTasksModule, type TasksModule } from './tasks/index.js';
import { taskPorts } from './tasks-wiring.js';

/** Who files leads, in clients' and tasks' history. */
const LEADS_ACTOR = 'system:lead-intake';

/**
 * The leads module's ports: potential clients and consents through the clients module's services
 * (their validation, unique claims and timeline), first-contact tasks through the tasks module,
 * branches, lead sources, partners, product lines and advisors from the org repository. A partner's
 * lead is filed by the partner user who submitted it (their id in the history and on the consents).
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
      referringPartnerOf: async (tenantId, clientId) =>
        (await clients.book.getClient(tenantId, clientId))?.referringPartnerId ?? null,
      potentialClientOps: async (tenantId, lead) => {
        const { client, ops } = await clients.records.createClientOps(
          systemPrincipal(tenantId, lead.actor ?? LEADS_ACTOR),
          {
            kind: lead.kind,
            firstName: lead.firstName,
            lastName: lead.lastName,
            companyName: lead.companyName,
            email: lead.email,
            phone: lead.phone,
            nationalId: lead.nationalId,
            taxId: lead.taxId,
            segment: lead.kind === 'COMPANY' ? 'BUSINESS' : 'INDIVIDUAL',
            acquisitionType: lead.referringPartnerId ? 'PARTNER_REFERRAL' : 'OWN_PROMOTION',
            leadSourceId: lead.leadSourceId,
            referringPartnerId: lead.referringPartnerId,
            ownerAdvisorId: lead.ownerAdvisorId,
            status: 'POTENTIAL',
            consents: lead.consents.map(({ channel, how }) => ({ channel, granted: true, how })),
          },
          { source: lead.how },
        );
        return { clientId: client.id, ops };
      },
      consentOps: (tenantId, clientId, consents, actor) =>
        clients.records.recordConsentsOps(
          systemPrincipal(tenantId, actor ?? LEADS_ACTOR),
          clientId,
          consents.map(({ channel, how }) => ({ channel, granted: true, how })),
        ),
    },
    tasks: {
      firstContactTaskOps: async (tenantId, task, actor) => {
        const ops = await tasks.tasks.systemTaskOps(
          tenantId,
          { ...task, typeCode: 'CALL', policyId: null, process: null, priority: 'HIGH' },
          actor ?? LEADS_ACTOR,
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
      partner: async (tenantId, id) => {
        const partner = await org.getOrgEntity<Partner>(tenantId, OrgKind.Partner, id);
        return partner ? { name: partner.name, active: partner.active } : undefined;
      },
      productLineCodes: async (tenantId) =>
        (await org.listAllOrgEntities<ProductLine>(tenantId, OrgKind.ProductLine))
          .filter((l) => l.active)
          .map((l) => l.code),
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
