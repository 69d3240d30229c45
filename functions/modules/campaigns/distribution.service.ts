import type { Principal } from '../../shared/auth/principal.js';
import { RuleViolationError, ValidationFailedError } from '../../shared/errors.js';
import { parseInput } from '../../shared/validation.js';
import { type Campaign, type CampaignMember, DistributeCampaignInputSchema } from './campaigns.model.js';
import type { CampaignsRepository } from './campaigns.repository.js';
import type { CampaignsService } from './campaigns.service.js';
import type { CampaignOrg, CampaignTasks } from './ports.js';

/** What a distribution did: tasks created now, members that had one already, and per advisor. */
export interface DistributionResult {
  created: number;
  alreadyDistributed: number;
  byAdvisor: Array<{ advisorId: string; tasks: number }>;
}

/** The task a member of a campaign gets: one id per campaign and client, so it is created once. */
export function campaignTaskId(campaignId: string, clientId: string): string {
  return `cmp.${campaignId}.${clientId}`;
}

/**
 * Picks the next advisor: round-robin in the order given, or the one with the fewest open tasks
 * (counting those handed out in this run; ties go to the earlier one in the list).
 */
export class AdvisorPicker {
  private next = 0;

  constructor(
    private readonly advisorIds: readonly string[],
    private readonly mode: 'ROUND_ROBIN' | 'OPEN_TASK_LOAD',
    private readonly load: Map<string, number>,
  ) {}

  pick(): string {
    let chosen = this.advisorIds[this.next % this.advisorIds.length] as string;
    if (this.mode === 'ROUND_ROBIN') this.next += 1;
    else
      for (const id of this.advisorIds)
        if ((this.load.get(id) ?? 0) < (this.load.get(chosen) ?? 0)) chosen = id;
    this.took(chosen);
    return chosen;
  }

  took(advisorId: string): void {
    this.load.set(advisorId, (this.load.get(advisorId) ?? 0) + 1);
  }
}

/** Hands a started campaign's members out as tasks, one per member, across chosen advisors. */
export class DistributionService {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly repo: CampaignsRepository,
    private readonly tasks: CampaignTasks,
    private readonly org: CampaignOrg,
  ) {}

  /**
   * One task per member: a member whose owner is an active user stays with the owner unless
   * `keepOwners` is false; the rest go round-robin or by open-task load. The task id derives from
   * the campaign and client, and the member records it, so distributing again creates nothing.
   */
  async distribute(principal: Principal | null, rawInput: unknown): Promise<DistributionResult> {
    const p = this.campaigns.manager(principal, 'Distributing a campaign');
    const input = parseInput(DistributeCampaignInputSchema, rawInput);
    const campaign = await this.campaigns.requireCampaign(p, input.campaignId);
    if (campaign.status !== 'STARTED') throw new RuleViolationError('Only a started campaign is distributed');
    const advisorIds = [...new Set(input.advisorIds)];
    for (const [i, id] of advisorIds.entries()) {
      const user = await this.org.getUser(p.tenantId, id);
      if (!user?.active || !user.takesClients)
        throw new ValidationFailedError('Not an advisor', [
          { path: `input.advisorIds.${i}`, message: 'must be an active user who takes clients' },
        ]);
    }
    const load = input.mode === 'OPEN_TASK_LOAD' ? await this.tasks.openTaskLoad(p.tenantId) : new Map();
    const picker = new AdvisorPicker(advisorIds, input.mode, load);
    const owners = new Map<string, boolean>();
    const ownerTakes = async (ownerId: string | null): Promise<boolean> => {
      if (!input.keepOwners || !ownerId) return false;
      if (!owners.has(ownerId)) {
        const user = await this.org.getUser(p.tenantId, ownerId);
        owners.set(ownerId, user?.active === true && user.takesClients);
      }
      return owners.get(ownerId) === true;
    };
    const members = await this.repo.allMembers(p.tenantId, campaign.id);
    const result: DistributionResult = { created: 0, alreadyDistributed: 0, byAdvisor: [] };
    const counts = new Map<string, number>();
    for (const member of members) {
      if (member.taskId) {
        result.alreadyDistributed += 1;
        continue;
      }
      const assigneeId = (await ownerTakes(member.ownerAdvisorId))
        ? (member.ownerAdvisorId as string)
        : picker.pick();
      const taskId = await this.give(p.tenantId, campaign, member, assigneeId, input);
      if (taskId.created) {
        result.created += 1;
        counts.set(taskId.assigneeId, (counts.get(taskId.assigneeId) ?? 0) + 1);
      } else result.alreadyDistributed += 1;
    }
    result.byAdvisor = [...counts].map(([advisorId, tasks]) => ({ advisorId, tasks }));
    return result;
  }

  private async give(
    tenantId: string,
    campaign: Campaign,
    member: CampaignMember,
    assigneeId: string,
    input: { typeCode: 'CALL' | 'MEETING' | 'OFFER' | 'CUSTOM'; title?: string | null },
  ): Promise<{ created: boolean; assigneeId: string }> {
    const id = campaignTaskId(campaign.id, member.clientId);
    const created = await this.tasks.createTask(tenantId, {
      id,
      typeCode: input.typeCode,
      title: input.title ?? `${campaign.name}: ${member.name}`,
      assigneeId,
      clientId: member.clientId,
      dueAt: `${campaign.periodTo}T16:00:00.000Z`,
    });
    // A task created by an earlier run that stopped before recording it keeps its own assignee.
    const actual = created
      ? assigneeId
      : ((await this.tasks.getTasks(tenantId, [id]))[0]?.assigneeId ?? assigneeId);
    await this.repo.setMemberTask(tenantId, member, id, actual);
    return { created, assigneeId: actual };
  }
}
