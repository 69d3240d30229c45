import { mayOwnClients } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db, Page } from '../shared/db.js';
import { OrgKind } from '../shared/table-design.js';
import {
  type CampaignClient,
  type CampaignMail,
  type CampaignPolicy,
  type CampaignsDeps,
  type CampaignsModule,
  createCampaignFunnel,
  createCampaignsModule,
  createUnsubscribeService,
  type FunnelService,
  type SigningKeys,
  type UnsubscribeService,
} from './campaigns/index.js';
import {
  type Client,
  ClientBook,
  type ClientsModule,
  ClientsRepository,
  normaliseId,
} from './clients/index.js';
import { createCrossSellTargeting } from './cross-sell/index.js';
import { crossSellPorts } from './cross-sell-wiring.js';
import { OrgRepository, type ProductLine, type User } from './org/index.js';
import type { PoliciesRepository, Policy } from './policies/index.js';
import type { TasksModule } from './tasks/index.js';

/** A client as campaigns see it: the marketing consent is the latest MARKETING_EMAIL record. */
function campaignClient(client: Client): CampaignClient {
  const consent = client.consents.filter((c) => c.channel === 'MARKETING_EMAIL').at(-1);
  return {
    id: client.id,
    kind: client.kind,
    name: client.name,
    firstName: client.firstName,
    email: client.email,
    segment: client.segment,
    status: client.status,
    ownerAdvisorId: client.ownerAdvisorId,
    branchId: client.branchId,
    tags: client.tags,
    marketingConsent: consent?.granted === true,
    createdAt: client.createdAt,
  };
}

const policyOf = (p: Policy): CampaignPolicy => ({
  id: p.id,
  clientId: p.clientId,
  productLineId: p.productLineId,
  status: p.status,
  writtenDate: p.writtenDate,
});

const mapPage = <A, B>(page: Page<A>, f: (a: A) => B): Page<B> => ({ ...page, items: page.items.map(f) });

/** The repositories the campaigns module's ports read through. */
interface CampaignPortRepositories {
  org: OrgRepository;
  clients: ClientsRepository;
  policies: PoliciesRepository;
}

/** Who records a consent withdrawn through an unsubscribe link, on the client's timeline. */
const UNSUBSCRIBE_ACTOR = 'system:unsubscribe';

/** The modules campaigns work through: tasks for distribution, clients for imported prospects. */
interface CampaignPortModules {
  tasks: TasksModule;
  clients: ClientsModule;
}

/**
 * The campaigns module's ports: clients through their owner, branch and status indexes (prospects
 * through the clients module's own create); policies through the product-line and renewal indexes;
 * tasks through the tasks module; users, product lines and the tenant's locale through the org
 * repository.
 */
export function campaignPorts(
  repositories: CampaignPortRepositories,
  modules: CampaignPortModules,
  clock: Clock,
): Pick<CampaignsDeps, 'clients' | 'prospects' | 'policies' | 'tasks' | 'org'> {
  const { policies } = repositories;
  const { tasks, clients } = modules;
  return {
    clients: campaignClients(repositories, clock),
    prospects: {
      clientHolding: (tenantId, field, value) =>
        clients.book.ownerOfUnique(
          tenantId,
          field,
          field === 'NATIONAL_ID' || field === 'TAX_ID'
            ? normaliseId(value)
            : field === 'CLIENT_EMAIL'
              ? value.trim().toLowerCase()
              : value,
        ),
      createClient: async (principal, input) =>
        campaignClient(
          await clients.records.createClient(principal, input, { source: 'campaign prospects' }),
        ),
    },
    policies: campaignPolicies(policies),
    tasks: {
      createTask: (tenantId, request) =>
        tasks.tasks.createSystemTask(tenantId, { ...request, policyId: null, process: null }, CAMPAIGN_ACTOR),
      getTasks: async (tenantId, ids) => tasks.reads.tasksByIds(tenantId, ids),
      openTaskLoad: (tenantId) => tasks.reads.openTaskLoad(tenantId),
    },
    org: campaignOrg(repositories.org),
  };
}

/** Policies through the product-line and renewal (term end) indexes. */
function campaignPolicies(policies: PoliciesRepository): CampaignsDeps['policies'] {
  return {
    listOfProductLine: async (tenantId, productLineId, page) =>
      mapPage(await policies.listPoliciesOfProductLine(tenantId, productLineId, page, {}), policyOf),
    listEndingBetween: async (tenantId, from, to, page) =>
      mapPage(
        await policies.listPoliciesByTermEnd(tenantId, { status: 'ACTIVE', from, to }, page, {}),
        policyOf,
      ),
  };
}

/** Clients through their owner, branch and status indexes; the unsubscribe link's consent write. */
function campaignClients(
  repositories: Pick<CampaignPortRepositories, 'clients' | 'org'>,
  clock: Clock,
): CampaignsDeps['clients'] {
  const { org, clients } = repositories;
  const book = new ClientBook(clients, org, clock);
  return {
    listClients: async (tenantId, source, page) => {
      const found =
        source.by === 'owner'
          ? await clients.listClientsOfOwner(tenantId, source.ownerId, page)
          : source.by === 'branch'
            ? await clients.listClientsOfBranch(tenantId, source.branchId, page)
            : await clients.listClientsByStatus(tenantId, source.status, page, {});
      return mapPage(found, campaignClient);
    },
    getClients: async (tenantId, ids) => (await clients.getClients(tenantId, ids)).map(campaignClient),
    countCreatedBetween: (tenantId, fromDay, toDay) =>
      clients.countClientsCreatedBetween(tenantId, fromDay, toDay),
    withdrawMarketingConsent: async (tenantId, clientId, how) => {
      const current = await clients.getClient(tenantId, clientId);
      if (!current) return false;
      if (!campaignClient(current).marketingConsent) return true;
      const at = clock.now().toISOString();
      const consent = {
        channel: 'MARKETING_EMAIL' as const,
        granted: false,
        at,
        how,
        recordedBy: UNSUBSCRIBE_ACTOR,
      };
      const summary = 'MARKETING_EMAIL consent withdrawn';
      await clients.updateClient(
        tenantId,
        current,
        current.version,
        {
          consents: [...current.consents, consent],
          updatedAt: at,
        },
        [
          clients.timelineOp(
            tenantId,
            book.entry(clientId, 'CONSENT', UNSUBSCRIBE_ACTOR, summary, { text: how }),
          ),
        ],
      );
      return true;
    },
  };
}

/** Users, product lines and the tenant's name and locale, from the org repository. */
function campaignOrg(org: OrgRepository): CampaignsDeps['org'] {
  return {
    getUser: async (tenantId, userId) => {
      const user = await org.getOrgEntity<User>(tenantId, OrgKind.User, userId);
      return user
        ? { id: user.id, name: user.name, active: user.active, takesClients: mayOwnClients(user.role) }
        : undefined;
    },
    productLineExists: async (tenantId, id) =>
      (await org.getOrgEntity<ProductLine>(tenantId, OrgKind.ProductLine, id)) !== undefined,
    leadSourceExists: async (tenantId, id) =>
      (await org.getOrgEntity(tenantId, OrgKind.LeadSource, id)) !== undefined,
    tenantSettings: async (tenantId) => {
      const settings = await org.getTenantSettings(tenantId);
      return { name: settings?.name ?? tenantId, locale: settings?.locale ?? 'en' };
    },
  };
}

/** Who files campaign tasks, in the tasks' history. */
const CAMPAIGN_ACTOR = 'system:campaign';

/** The campaigns module over the book's repositories and the tasks and clients modules. */
export function composeCampaigns(
  db: Db,
  clock: Clock,
  repositories: CampaignPortRepositories,
  modules: CampaignPortModules,
  options: { signing: SigningKeys; mail: CampaignMail | null },
): CampaignsModule {
  // Cross-sell candidates come from the learned rules and the holdings the learning run reads.
  const { book } = crossSellPorts(
    repositories,
    new ClientBook(repositories.clients, repositories.org, clock),
  );
  const crossSell = createCrossSellTargeting({ db, book });
  return createCampaignsModule({
    db,
    clock,
    ...campaignPorts(repositories, modules, clock),
    crossSell,
    ...options,
  });
}

/**
 * The campaign funnel alone, for the reports function: the same ports (and so the same counts) as
 * the campaigns module's funnel, with tasks read by id through the tasks module's narrow lookup.
 */
export function composeCampaignFunnel(
  db: Db,
  clock: Clock,
  repositories: CampaignPortRepositories,
  tasks: Pick<TasksModule['reads'], 'tasksByIds'>,
): FunnelService {
  return createCampaignFunnel({
    db,
    clients: campaignClients(repositories, clock),
    policies: campaignPolicies(repositories.policies),
    tasks: { getTasks: (tenantId, ids) => tasks.tasksByIds(tenantId, ids) },
  });
}

/**
 * The unsubscribe link's service alone: the clients and org repositories, no tasks, policies or
 * mail, so the public unsubscribe function's bundle carries only what it uses.
 */
export function composeUnsubscribe(db: Db, clock: Clock, signing: SigningKeys): UnsubscribeService {
  const repositories = { clients: new ClientsRepository(db), org: new OrgRepository(db) };
  return createUnsubscribeService({
    clients: campaignClients(repositories, clock),
    org: campaignOrg(repositories.org),
    signing,
  });
}
