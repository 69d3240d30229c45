import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { addDays, daysBetween } from '../../shared/dates.js';
import { NotFoundError } from '../../shared/errors.js';
import { Dec } from '../../shared/money.js';
import type { Campaign, CampaignMember } from './campaigns.model.js';
import type { CampaignsRepository } from './campaigns.repository.js';
import type { CampaignClients, CampaignPolicies, CampaignTask, CampaignTasks } from './ports.js';
import { drain } from './segment-snapshot.js';

/** The funnel's stages; a member counted at a stage is counted at every stage before it. */
export interface FunnelCounts {
  members: number;
  contacted: number;
  interested: number;
  offer: number;
  sold: number;
}

/** New clients in a window of days: how many, and per day (a decimal string, 2 places). */
export interface LeadWindow {
  from: string;
  to: string;
  leads: number;
  perDay: string;
}

export interface CampaignFunnel {
  campaignId: string;
  total: FunnelCounts;
  byAdvisor: Array<{ advisorId: string | null; counts: FunnelCounts }>;
  leads: { before: LeadWindow; during: LeadWindow; after: LeadWindow };
}

const STAGES = ['members', 'contacted', 'interested', 'offer', 'sold'] as const;
const zero = (): FunnelCounts => ({ members: 0, contacted: 0, interested: 0, offer: 0, sold: 0 });

/** How far a member got: 0 member … 4 sold. */
function stageOf(task: CampaignTask | undefined, policyStatuses: string[]): number {
  if (policyStatuses.some((s) => s !== 'OFFER')) return 4;
  if (policyStatuses.length > 0) return 3;
  if (task?.status === 'DONE' && (task.outcome === 'SUCCESSFUL' || task.outcome === 'ACCEPTED')) return 2;
  if (task?.status === 'DONE' && task.outcome !== 'NO_CONTACT') return 1;
  return 0;
}

function add(counts: FunnelCounts, stage: number): void {
  for (let i = 0; i <= stage; i++) counts[STAGES[i] as keyof FunnelCounts] += 1;
}

/**
 * The campaign funnel, counted from task outcomes and policies: contacted = the member's campaign
 * task done with any outcome but NO_CONTACT; interested = SUCCESSFUL or ACCEPTED; offer = a policy
 * of a campaign product line written for the member within the period (an OFFER or more); sold =
 * such a policy that is not a mere offer. Leads are the tenant's new clients per day in the period
 * and in windows of the same length before and after it, counted on the clients' by-creation index.
 */
export class FunnelService {
  constructor(
    private readonly repo: CampaignsRepository,
    private readonly tasks: Pick<CampaignTasks, 'getTasks'>,
    private readonly policies: Pick<CampaignPolicies, 'listOfProductLine'>,
    private readonly clients: Pick<CampaignClients, 'countCreatedBetween'>,
  ) {}

  async funnel(principal: Principal | null, campaignId: string): Promise<CampaignFunnel> {
    return (await this.campaignFunnel(principal, campaignId)).funnel;
  }

  /**
   * The funnel with the campaign it counts (its name and period), under the same check as
   * {@link funnel}: what a campaign funnel report prints.
   */
  async campaignFunnel(
    principal: Principal | null,
    campaignId: string,
  ): Promise<{ campaign: Campaign; funnel: CampaignFunnel }> {
    const p = authorize(principal, 'campaigns:read');
    const campaign = await this.repo.getCampaign(p.tenantId, campaignId);
    if (!campaign) throw new NotFoundError('Campaign', campaignId);
    const members = await this.repo.allMembers(p.tenantId, campaign.id);
    const taskIds = members.flatMap((m) => (m.taskId ? [m.taskId] : []));
    const tasks = new Map<string, CampaignTask>();
    for (let i = 0; i < taskIds.length; i += 100)
      for (const t of await this.tasks.getTasks(p.tenantId, taskIds.slice(i, i + 100))) tasks.set(t.id, t);
    const written = await this.policiesInPeriod(
      p.tenantId,
      campaign,
      new Set(members.map((m) => m.clientId)),
    );
    const total = zero();
    const byAdvisor = new Map<string | null, FunnelCounts>();
    for (const member of members) {
      const stage = stageOf(
        member.taskId ? tasks.get(member.taskId) : undefined,
        written.get(member.clientId) ?? [],
      );
      add(total, stage);
      const advisorId = advisorOf(member);
      if (!byAdvisor.has(advisorId)) byAdvisor.set(advisorId, zero());
      add(byAdvisor.get(advisorId) as FunnelCounts, stage);
    }
    const funnel: CampaignFunnel = {
      campaignId: campaign.id,
      total,
      byAdvisor: [...byAdvisor].map(([advisorId, counts]) => ({ advisorId, counts })),
      leads: await this.leads(p.tenantId, campaign),
    };
    return { campaign, funnel };
  }

  /** Statuses of the campaign-line policies each member got within the period (product-line index). */
  private async policiesInPeriod(
    tenantId: string,
    campaign: Campaign,
    members: Set<string>,
  ): Promise<Map<string, string[]>> {
    const byClient = new Map<string, string[]>();
    for (const line of campaign.productLineIds) {
      const policies = await drain((page) => this.policies.listOfProductLine(tenantId, line, page));
      for (const policy of policies) {
        if (!members.has(policy.clientId)) continue;
        if (policy.writtenDate < campaign.periodFrom || policy.writtenDate > campaign.periodTo) continue;
        byClient.set(policy.clientId, [...(byClient.get(policy.clientId) ?? []), policy.status]);
      }
    }
    return byClient;
  }

  /**
   * New clients per day before, during and after the period (windows as long as the period): one
   * count per window on the clients' by-creation index, so the cost follows the leads in the
   * windows, not the size of the book.
   */
  private async leads(tenantId: string, campaign: Campaign): Promise<CampaignFunnel['leads']> {
    const days = daysBetween(campaign.periodFrom, campaign.periodTo) + 1;
    const window = async (from: string, to: string): Promise<LeadWindow> => {
      const leads = await this.clients.countCreatedBetween(tenantId, from, to);
      return { from, to, leads, perDay: new Dec(leads).div(days).toFixed(2) };
    };
    const [before, during, after] = await Promise.all([
      window(addDays(campaign.periodFrom, -days), addDays(campaign.periodFrom, -1)),
      window(campaign.periodFrom, campaign.periodTo),
      window(addDays(campaign.periodTo, 1), addDays(campaign.periodTo, days)),
    ]);
    return { before, during, after };
  }
}

/** Whose the member's work is: the campaign task's assignee, else the client's owner. */
function advisorOf(member: CampaignMember): string | null {
  return member.assigneeId ?? member.ownerAdvisorId;
}
