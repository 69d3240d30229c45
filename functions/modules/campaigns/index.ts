import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { CampaignEmailsService } from './campaign-emails.service.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { CampaignsService } from './campaigns.service.js';
import { DistributionService } from './distribution.service.js';
import { FunnelService } from './funnel.service.js';
import type {
  CampaignClients,
  CampaignCrossSell,
  CampaignMail,
  CampaignOrg,
  CampaignPolicies,
  CampaignProspects,
  CampaignTasks,
  SigningKeys,
} from './ports.js';
import { ProspectImportService } from './prospect-import.service.js';
import { UnsubscribeService } from './unsubscribe.service.js';

/**
 * The campaigns module's public entry: its composition and what other modules, entry points and
 * tests may use. Everything else in this folder is internal.
 */
export type { SendResult } from './campaign-emails.service.js';
export type { Campaign, CampaignMember, CampaignSegment } from './campaigns.model.js';
export { campaignTaskId, type DistributionResult } from './distribution.service.js';
export type { CampaignFunnel, FunnelCounts, FunnelService, LeadWindow } from './funnel.service.js';
export type {
  CampaignClient,
  CampaignClients,
  CampaignCrossSell,
  CampaignMail,
  CampaignOrg,
  CampaignPolicies,
  CampaignPolicy,
  CampaignProspects,
  CampaignTask,
  CampaignTasks,
  CampaignUser,
  ClientSource,
  ProspectMatchField,
  SigningKeys,
} from './ports.js';
export type { ProspectImportReport } from './prospects.model.js';
export type { UnsubscribeResponse, UnsubscribeService } from './unsubscribe.service.js';
export { signUnsubscribe, unsubscribeKeysFrom, verifyUnsubscribe } from './unsubscribe-token.js';

/** The campaigns services, one responsibility each. */
export interface CampaignsModule {
  /** Define, start (freeze the member snapshot) and read campaigns. */
  campaigns: CampaignsService;
  /** A DRAFT campaign's members from an imported prospect list. */
  prospects: ProspectImportService;
  /** One task per member across chosen advisors. */
  distribution: DistributionService;
  /** Templates and personal e-mails, once per member and template. */
  emails: CampaignEmailsService;
  /** Members → contacted → interested → offer → sold, and leads per day. */
  funnel: FunnelService;
  /** The public unsubscribe link. */
  unsubscribe: UnsubscribeService;
}

/** What the campaigns module needs from other modules, through narrow ports. */
export interface CampaignsDeps {
  db: Db;
  clock: Clock;
  clients: CampaignClients;
  prospects: CampaignProspects;
  policies: CampaignPolicies;
  crossSell: CampaignCrossSell;
  tasks: CampaignTasks;
  org: CampaignOrg;
  signing: SigningKeys;
  /** Where e-mails go out; null in a process that sends none (sending then answers RULE_VIOLATION). */
  mail: CampaignMail | null;
}

/** Builds the campaigns module over its repository and the ports it reads other modules through. */
export function createCampaignsModule(deps: CampaignsDeps): CampaignsModule {
  const repository = new CampaignsRepository(deps.db);
  const campaigns = new CampaignsService(
    repository,
    deps.clients,
    deps.policies,
    deps.crossSell,
    deps.org,
    deps.clock,
  );
  return {
    campaigns,
    prospects: new ProspectImportService(
      campaigns,
      repository,
      deps.prospects,
      deps.clients,
      deps.org,
      deps.clock,
    ),
    distribution: new DistributionService(campaigns, repository, deps.tasks, deps.org),
    emails: new CampaignEmailsService(
      campaigns,
      repository,
      deps.clients,
      deps.org,
      deps.mail,
      deps.signing,
      deps.clock,
    ),
    funnel: new FunnelService(repository, deps.tasks, deps.policies, deps.clients),
    unsubscribe: new UnsubscribeService(deps.clients, deps.org, deps.signing),
  };
}

/**
 * The funnel alone, for the reports function: the campaigns repository and the three lookups the
 * funnel counts with, so a process that only reads funnels composes nothing else of campaigns.
 */
export function createCampaignFunnel(deps: {
  db: Db;
  tasks: Pick<CampaignTasks, 'getTasks'>;
  policies: Pick<CampaignPolicies, 'listOfProductLine'>;
  clients: Pick<CampaignClients, 'countCreatedBetween'>;
}): FunnelService {
  return new FunnelService(new CampaignsRepository(deps.db), deps.tasks, deps.policies, deps.clients);
}

/** The unsubscribe link's service alone, for the public unsubscribe function. */
export function createUnsubscribeService(
  deps: Pick<CampaignsDeps, 'clients' | 'org' | 'signing'>,
): UnsubscribeService {
  return new UnsubscribeService(deps.clients, deps.org, deps.signing);
}
