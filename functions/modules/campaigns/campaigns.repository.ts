import {
  type Db,
  type Page,
  putNewOp,
  putOp,
  type StoredItem,
  type TransactOp,
  versionedUpdateOp,
} from '../../shared/db.js';
import { AlreadyExistsError, RuleViolationError, VersionConflictError } from '../../shared/errors.js';
import { fromItem, toItem } from '../../shared/items.js';
import { campaignSortPrefixes, EntityType, keys } from '../../shared/table-design.js';
import type { Campaign, CampaignEmail, CampaignMember, CampaignTemplate } from './campaigns.model.js';

type PageRequest = { limit: number; cursor: string | null };

/** A stored campaign; one written before prospect lists existed targets its segment. */
function campaignOf(item: StoredItem): Campaign {
  const campaign = fromItem<Campaign>(item);
  return { ...campaign, targetSource: campaign.targetSource ?? 'SEGMENT' };
}

/** The campaigns module's access to DynamoDB: campaigns, member snapshots, send records, templates. */
export class CampaignsRepository {
  constructor(private readonly db: Db) {}

  private campaignItem(tenantId: string, campaign: Campaign) {
    return toItem(keys.campaign(tenantId, campaign.id), EntityType.Campaign, tenantId, campaign, {
      gsi1pk: keys.campaignsOfTenant(tenantId),
      gsi1sk: `${campaign.createdAt}#${campaign.id}`,
    });
  }

  async createCampaign(tenantId: string, campaign: Campaign): Promise<void> {
    await this.db.putNew(
      this.campaignItem(tenantId, campaign),
      () => new AlreadyExistsError('Campaign', campaign.id),
    );
  }

  async getCampaign(tenantId: string, id: string, consistent = false): Promise<Campaign | undefined> {
    const item = await this.db.get(keys.campaign(tenantId, id), { consistent });
    return item ? campaignOf(item) : undefined;
  }

  /** listCampaigns: the tenant's campaigns, newest first. */
  async listCampaigns(tenantId: string, page: PageRequest): Promise<Page<Campaign>> {
    const result = await this.db.queryPage({
      index: 'gsi1',
      partition: keys.campaignsOfTenant(tenantId),
      newestFirst: true,
      ...page,
    });
    return { ...result, items: result.items.map(campaignOf) };
  }

  /** The op moving a campaign on, at the version read (a stale one is CONFLICT). */
  updateCampaignOp(tenantId: string, current: Campaign, changes: Partial<Campaign>): TransactOp {
    return versionedUpdateOp(
      keys.campaign(tenantId, current.id),
      current.version,
      changes,
      () => new VersionConflictError('Campaign', current.id, current.version),
    );
  }

  private memberItem(tenantId: string, member: CampaignMember) {
    return toItem(
      keys.campaignMember(tenantId, member.campaignId, member.clientId),
      EntityType.CampaignMember,
      tenantId,
      member,
    );
  }

  /** Writes a snapshot's members, 100 per transaction; keys derive from the client, so a retry rewrites them. */
  async putMembers(tenantId: string, members: CampaignMember[]): Promise<void> {
    for (let i = 0; i < members.length; i += 100) {
      await this.db.transact(members.slice(i, i + 100).map((m) => putOp(this.memberItem(tenantId, m))));
    }
  }

  async transact(ops: TransactOp[]): Promise<void> {
    await this.db.transact(ops);
  }

  /** listCampaignMembers: one page of a campaign's snapshot, by client id. */
  async listMembers(tenantId: string, campaignId: string, page: PageRequest): Promise<Page<CampaignMember>> {
    const result = await this.db.queryPage({
      partition: keys.campaignCollection(tenantId, campaignId),
      beginsWith: campaignSortPrefixes.members,
      ...page,
    });
    return { ...result, items: result.items.map((i) => fromItem<CampaignMember>(i)) };
  }

  /** Every member of a campaign (distribution, e-mails and the funnel walk the whole snapshot). */
  async allMembers(tenantId: string, campaignId: string): Promise<CampaignMember[]> {
    const items = await this.db.queryAll({
      partition: keys.campaignCollection(tenantId, campaignId),
      beginsWith: campaignSortPrefixes.members,
      consistent: true,
    });
    return items.map((i) => fromItem<CampaignMember>(i));
  }

  /**
   * Adds one imported prospect to a DRAFT campaign's members, on the condition that the campaign is
   * still a DRAFT (a start meanwhile froze the list: RULE_VIOLATION). The key derives from the
   * client, so importing the same line again rewrites the same member.
   */
  async addProspectMember(tenantId: string, member: CampaignMember): Promise<void> {
    const campaign = keys.campaign(tenantId, member.campaignId);
    await this.db.transact([
      putOp(this.memberItem(tenantId, member)),
      {
        item: {
          ConditionCheck: {
            TableName: '',
            Key: { pk: campaign.pk, sk: campaign.sk },
            ConditionExpression: '#status = :draft',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':draft': 'DRAFT' },
          },
        },
        onConditionFailed: () => new RuleViolationError('The campaign has started: its members are frozen'),
      },
    ]);
  }

  /** Records the task a member was given. */
  async setMemberTask(
    tenantId: string,
    member: CampaignMember,
    taskId: string,
    assigneeId: string,
  ): Promise<void> {
    await this.db.put(this.memberItem(tenantId, { ...member, taskId, assigneeId }));
  }

  /**
   * Claims the send of one template to one member before it goes out. A member never claimed gets
   * a new record; one whose last attempt FAILED is claimed again by moving that record (at the
   * attempt read) back to SENDING, so of two concurrent runs only one retries. Anything else (sent,
   * or being sent) is not claimed: every member gets each template at most once. The attempt
   * claimed (1 for the first), or null when not claimed.
   */
  async claimEmail(tenantId: string, email: CampaignEmail): Promise<number | null> {
    const key = keys.campaignEmail(tenantId, email.campaignId, email.templateKey, email.clientId);
    const current = await this.db.get(key, { consistent: true });
    const previous = current ? fromItem<CampaignEmail>(current) : undefined;
    if (previous && previous.status !== 'FAILED') return null;
    const attempt = (previous?.attempts ?? (previous ? 1 : 0)) + 1;
    const item = toItem(key, EntityType.CampaignEmail, tenantId, { ...email, attempts: attempt });
    const taken = () => new AlreadyExistsError('CampaignEmail', email.clientId);
    try {
      await this.db.transact([
        previous
          ? {
              item: {
                Put: {
                  TableName: '',
                  Item: item,
                  ConditionExpression: '#status = :failed AND #at = :at',
                  ExpressionAttributeNames: { '#status': 'status', '#at': 'at' },
                  ExpressionAttributeValues: { ':failed': 'FAILED', ':at': previous.at },
                },
              },
              onConditionFailed: taken,
            }
          : putNewOp(item, taken),
      ]);
      return attempt;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return null;
      throw error;
    }
  }

  /** Marks a claimed send as sent (with the provider's id) or failed (the next run retries it). */
  async settleEmail(tenantId: string, email: CampaignEmail): Promise<void> {
    await this.db.put(
      toItem(
        keys.campaignEmail(tenantId, email.campaignId, email.templateKey, email.clientId),
        EntityType.CampaignEmail,
        tenantId,
        email,
      ),
    );
  }

  async putTemplate(tenantId: string, template: CampaignTemplate): Promise<void> {
    await this.db.put(
      toItem(
        keys.campaignTemplate(tenantId, template.key, template.language),
        EntityType.CampaignTemplate,
        tenantId,
        template,
      ),
    );
  }

  async getTemplate(tenantId: string, key: string, language: string): Promise<CampaignTemplate | undefined> {
    const item = await this.db.get(keys.campaignTemplate(tenantId, key, language));
    return item ? fromItem<CampaignTemplate>(item) : undefined;
  }
}
