import { isStaff } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { OrgKind } from '../shared/table-design.js';
import { type Client, type ClientsModule, ClientsRepository, createClientsModule } from './clients/index.js';
import type { FollowUpTasks } from './invoices/index.js';
import { type Branch, OrgRepository, type User } from './org/index.js';
import { PoliciesRepository } from './policies/index.js';
import {
  createTasksModule,
  type ReminderChannels,
  type TaskClient,
  type TasksDeps,
  type TasksModule,
} from './tasks/index.js';

/** A client as tasks see it: the SMS consent is the latest SMS consent record. */
function taskClient(client: Client): TaskClient {
  const sms = client.consents.filter((c) => c.channel === 'SMS').at(-1);
  return {
    id: client.id,
    name: client.name,
    ownerAdvisorId: client.ownerAdvisorId,
    phone: client.phone,
    smsConsent: sms?.granted === true,
    createdAt: client.createdAt,
  };
}

/** The repositories the tasks module's ports read through. */
interface TaskPortRepositories {
  org: OrgRepository;
  clients: ClientsRepository;
  policies: PoliciesRepository;
}

/**
 * The tasks module's ports over the org and policies repositories and the clients module: users with
 * their region, clients within scope and their timeline, an owner's book and the pool, ACTIVE
 * policies by term end, the tenants.
 */
export function taskPorts(
  repositories: TaskPortRepositories,
  clientsModule: Pick<ClientsModule, 'book' | 'transfers'>,
): Omit<TasksDeps, 'db' | 'clock'> {
  const { org, policies } = repositories;
  const { book, transfers } = clientsModule;
  return {
    clients: {
      requireClient: async (p, id) => taskClient(await book.requireClient(p, id)),
      getClient: async (tenantId, id) => {
        const client = await book.getClient(tenantId, id);
        return client ? taskClient(client) : undefined;
      },
      timelineOp: (tenantId, clientId, kind, by, summary) =>
        book.timelineOp(tenantId, clientId, kind, by, summary),
      listClientsOfOwner: async (tenantId, ownerId) =>
        (await repositories.clients.allClientsOfAdvisor(tenantId, ownerId)).map(taskClient),
      listPolicyDates: async (tenantId, clientId) =>
        ((await repositories.clients.clientCard(tenantId, clientId))?.policies ?? []).map((p) => ({
          writtenDate: p.writtenDate,
          termStart: p.termStart,
          termEnd: p.termEnd,
        })),
      moveToPool: (tenantId, clientId, by, reason) =>
        transfers.releaseToPoolByRule(tenantId, clientId, by, reason),
      getClientSegments: async (tenantId, ids) =>
        new Map((await repositories.clients.getClients(tenantId, [...ids])).map((c) => [c.id, c.segment])),
    },
    users: {
      getUser: async (tenantId, userId) => {
        const user = await org.getOrgEntity<User>(tenantId, OrgKind.User, userId);
        if (!user) return undefined;
        const branch = user.branchId
          ? await org.getOrgEntity<Branch>(tenantId, OrgKind.Branch, user.branchId)
          : undefined;
        return { ...user, regionId: branch?.regionId ?? null };
      },
      listActiveStaffIds: async (tenantId) =>
        (await org.listAllOrgEntities<User>(tenantId, OrgKind.User))
          .filter((u) => u.active && isStaff(u.role))
          .map((u) => u.id),
    },
    policies: {
      listEndingBetween: (tenantId, from, to, page) =>
        policies.listPoliciesByTermEnd(tenantId, { status: 'ACTIVE', from, to }, page, {}),
      getProductLineCodes: async (tenantId, refs) =>
        new Map(
          [...(await policies.getPoliciesByRef(tenantId, refs)).values()].map((p) => [
            p.id,
            p.productLineCode,
          ]),
        ),
    },
    tenants: {
      listTenantIds: () => org.listTenantIds(),
      getTenantSettings: (tenantId) => org.getTenantSettings(tenantId),
    },
  };
}

/**
 * The tasks module alone with what it reads, for an entry point that needs nothing else (the
 * renewals and reminders schedules): no invoices, commissions or webhooks code in its bundle.
 */
export function composeTasks(db: Db, clock: Clock, channels: ReminderChannels | null = null): TasksModule {
  const repositories = {
    org: new OrgRepository(db),
    clients: new ClientsRepository(db),
    policies: new PoliciesRepository(db),
  };
  // The clients module (scope, timeline, the pool) over the policies repository: not the policy services.
  const clients = createClientsModule({
    repository: repositories.clients,
    org: repositories.org,
    policies: repositories.policies,
    clock,
  });
  return createTasksModule({ db, clock, channels, ...taskPorts(repositories, clients) });
}

/** Who files a dunning step's payment follow-up task, in the task's history. */
const DUNNING_ACTOR = 'system:dunning';

/** Dunning's collector step files its payment follow-up as a system task of the tasks module. */
export function dunningFollowUps(tasks: TasksModule): FollowUpTasks {
  return {
    createFollowUp: (tenantId, request) =>
      tasks.tasks.createSystemTask(
        tenantId,
        { ...request, typeCode: 'PAYMENT_FOLLOW_UP', policyId: null, process: null, priority: 'HIGH' },
        DUNNING_ACTOR,
      ),
  };
}
