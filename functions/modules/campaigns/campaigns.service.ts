import { assertTenantWide, authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { NotFoundError, RuleViolationError, ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { parseInput } from '../../shared/validation.js';
import {
  type Campaign,
  type CampaignMember,
  CreateCampaignInputSchema,
  memberOf,
  StartCampaignInputSchema,
  segmentOf,
} from './campaigns.model.js';
import type { CampaignsRepository } from './campaigns.repository.js';
import type { CampaignClients, CampaignCrossSell, CampaignOrg, CampaignPolicies } from './ports.js';
import { resolveSegment } from './segment-snapshot.js';

type PageRequest = { limit: number; cursor: string | null };

/** Campaigns: define one, start it (freezing its member snapshot), read them back. */
export class CampaignsService {
  constructor(
    private readonly repo: CampaignsRepository,
    private readonly clients: CampaignClients,
    private readonly policies: CampaignPolicies,
    private readonly crossSell: CampaignCrossSell,
    private readonly org: CampaignOrg,
    private readonly clock: Clock,
  ) {}

  /** A campaign is the tenant's: managing one needs tenant-wide scope. */
  manager(principal: Principal | null, what: string): Principal {
    const p = authorize(principal, 'campaigns:manage');
    assertTenantWide(p, what);
    return p;
  }

  async createCampaign(principal: Principal | null, rawInput: unknown): Promise<Campaign> {
    const p = this.manager(principal, 'A campaign');
    const input = parseInput(CreateCampaignInputSchema, rawInput);
    for (const [i, id] of input.productLineIds.entries()) {
      if (!(await this.org.productLineExists(p.tenantId, id)))
        throw new ValidationFailedError('Unknown product line', [
          { path: `input.productLineIds.${i}`, message: 'is not a product line of the brokerage' },
        ]);
    }
    const candidateFor = input.segment.crossSellCandidateFor;
    if (candidateFor && !(await this.org.productLineExists(p.tenantId, candidateFor)))
      throw new ValidationFailedError('Unknown product line', [
        { path: 'input.segment.crossSellCandidateFor', message: 'is not a product line of the brokerage' },
      ]);
    const ownerId = input.ownerId ?? p.userId;
    if (input.ownerId && !(await this.org.getUser(p.tenantId, input.ownerId))?.active)
      throw new ValidationFailedError('Unknown owner', [
        { path: 'input.ownerId', message: 'must be an active user of the brokerage' },
      ]);
    const at = this.clock.now().toISOString();
    const campaign: Campaign = {
      id: newId(),
      name: input.name,
      periodFrom: input.periodFrom,
      periodTo: input.periodTo,
      productLineIds: [...new Set(input.productLineIds)],
      ownerId,
      segment: segmentOf(input.segment),
      targetSource: 'SEGMENT',
      status: 'DRAFT',
      memberCount: 0,
      startedAt: null,
      createdBy: p.userId,
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    await this.repo.createCampaign(p.tenantId, campaign);
    return campaign;
  }

  /**
   * Starts a DRAFT campaign: resolves its segment now and freezes the result as the member
   * snapshot, so later changes to the book do not change who the campaign is for. Members are
   * written first under keys derived from the client (a retry rewrites the same items), then the
   * campaign moves to STARTED at the version read (a concurrent start is CONFLICT). A campaign whose
   * target is an imported prospect list keeps the members its imports wrote; from then on no import
   * adds any (each member write checks the campaign is still a DRAFT).
   */
  async startCampaign(principal: Principal | null, rawInput: unknown): Promise<Campaign> {
    const p = this.manager(principal, 'A campaign');
    const input = parseInput(StartCampaignInputSchema, rawInput);
    const campaign = await this.requireCampaign(p, input.id);
    if (campaign.status !== 'DRAFT')
      throw new RuleViolationError(`The campaign is ${campaign.status} already`);
    // A prospect list's members were written by its imports; a segment is resolved now.
    const members =
      campaign.targetSource === 'PROSPECT_LIST'
        ? await this.repo.allMembers(p.tenantId, campaign.id)
        : (
            await resolveSegment(p.tenantId, campaign.segment, this.clients, this.policies, this.crossSell)
          ).map((c) => memberOf(campaign.id, c));
    if (campaign.targetSource === 'SEGMENT') await this.repo.putMembers(p.tenantId, members);
    const at = this.clock.now().toISOString();
    const changes: Partial<Campaign> = {
      status: 'STARTED',
      memberCount: members.length,
      startedAt: at,
      updatedAt: at,
    };
    await this.repo.transact([
      this.repo.updateCampaignOp(p.tenantId, { ...campaign, version: input.expectedVersion }, changes),
    ]);
    return { ...campaign, ...changes, version: input.expectedVersion + 1 };
  }

  async getCampaign(principal: Principal | null, id: string): Promise<Campaign | null> {
    const p = authorize(principal, 'campaigns:read');
    return (await this.repo.getCampaign(p.tenantId, id)) ?? null;
  }

  async listCampaigns(principal: Principal | null, page: PageRequest): Promise<Page<Campaign>> {
    const p = authorize(principal, 'campaigns:read');
    return this.repo.listCampaigns(p.tenantId, page);
  }

  async listMembers(
    principal: Principal | null,
    campaignId: string,
    page: PageRequest,
  ): Promise<Page<CampaignMember>> {
    const p = authorize(principal, 'campaigns:read');
    return this.repo.listMembers(p.tenantId, campaignId, page);
  }

  /** A campaign of the principal's tenant, NOT_FOUND otherwise. */
  async requireCampaign(p: Principal, id: string): Promise<Campaign> {
    const campaign = await this.repo.getCampaign(p.tenantId, id, true);
    if (!campaign) throw new NotFoundError('Campaign', id);
    return campaign;
  }
}
