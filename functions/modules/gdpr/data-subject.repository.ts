import { type Db, deleteOp, type StoredItem, versionedUpdateOp } from '../../shared/db.js';
import { VersionConflictError } from '../../shared/errors.js';
import { indexAttributeChanges } from '../../shared/index-attributes.js';
import { EntityType, type ItemKey, keys, STORAGE_ATTRIBUTES } from '../../shared/table-design.js';
import type { UniqueField } from '../../shared/unique-fields.js';

/** Everything the table holds on one client, as stored (keys included). */
export interface SubjectHoldings {
  client: StoredItem;
  /** The client's item collection but the client: contacts, policies, invoices, credits, open-task cards, timeline. */
  collection: StoredItem[];
  /** Tasks about the client (listTasksByClient). */
  tasks: StoredItem[];
  /** The client's campaign member snapshots and the records of e-mails sent to them. */
  campaignMail: StoredItem[];
  /** Audit entries of the client's record and of its policies. */
  audit: StoredItem[];
}

/** Attributes an erasure never rewrites: storage keys and ids (they are pseudonymous already). */
export const KEPT_ATTRIBUTES: ReadonlySet<string> = new Set([
  ...STORAGE_ATTRIBUTES,
  'id',
  'clientId',
  'policyId',
  'version',
]);

/**
 * The GDPR module's access to DynamoDB: it reads and rewrites whatever names one person wherever the
 * table keeps it (the client's collection, tasks by client, campaign snapshots, audit entries), by
 * the same access patterns those modules read with. A data subject's request is the one operation
 * that must see every module's items about a person at once; all of them are Queries on partitions
 * that belong to the client or the tenant's campaign list (never a scan).
 */
export class DataSubjectRepository {
  constructor(private readonly db: Db) {}

  async getClientItem(tenantId: string, clientId: string): Promise<StoredItem | undefined> {
    return this.db.get(keys.client(tenantId, clientId), { consistent: true });
  }

  /** listDataSubjectHoldings: the collection, tasks by client, campaign snapshots and mails, audit entries. */
  async holdings(tenantId: string, client: StoredItem): Promise<SubjectHoldings> {
    const clientId = String(client.id);
    const [items, tasks, campaignMail] = await Promise.all([
      this.db.queryAll({ partition: keys.clientCollection(tenantId, clientId) }),
      this.db.queryAll({ index: 'gsi2', partition: keys.tasksByClient(tenantId, clientId) }),
      this.campaignMailOf(tenantId, clientId),
    ]);
    const collection = items.filter((i) => i.type !== EntityType.Client);
    const policyIds = collection.filter((i) => i.type === EntityType.Policy).map((i) => String(i.id));
    const audit = await this.auditEntriesOf(tenantId, clientId, policyIds);
    return { client, collection, tasks, campaignMail, audit };
  }

  /** listAuditByEntity for the client and each of its policies. */
  async auditEntriesOf(
    tenantId: string,
    clientId: string,
    policyIds: readonly string[],
  ): Promise<StoredItem[]> {
    const entities = [
      keys.auditOfEntity(tenantId, EntityType.Client, clientId),
      ...policyIds.map((id) => keys.auditOfEntity(tenantId, EntityType.Policy, id)),
    ];
    return (await Promise.all(entities.map((partition) => this.db.queryAll({ partition })))).flat();
  }

  /** The client's member snapshot and e-mail records in each of the tenant's campaigns. */
  private async campaignMailOf(tenantId: string, clientId: string): Promise<StoredItem[]> {
    const campaigns = await this.db.queryAll({ index: 'gsi1', partition: keys.campaignsOfTenant(tenantId) });
    const found = await Promise.all(
      campaigns.map(async (campaign) => {
        const id = String(campaign.id);
        const [member, emails] = await Promise.all([
          this.db.get(keys.campaignMember(tenantId, id, clientId), { consistent: true }),
          this.db.queryAll({
            partition: keys.campaignCollection(tenantId, id),
            beginsWith: 'EMAIL#',
            filter: {
              expression: '#client = :client',
              names: { '#client': 'clientId' },
              values: { ':client': clientId },
            },
          }),
        ]);
        return [...(member ? [member] : []), ...emails];
      }),
    );
    return found.flat();
  }

  /**
   * Writes rewritten items back. Audited items (policies) go one by one through the data layer, so
   * their change is audited like any other; the rest in batches.
   */
  async rewrite(items: StoredItem[]): Promise<void> {
    const audited = items.filter((i) => i.type === EntityType.Policy);
    const plain = items.filter((i) => i.type !== EntityType.Policy);
    for (const item of audited) await this.db.put(item);
    await this.db.batchWrite(plain);
  }

  /** Deletes items (contacts, unique claims) that exist only to hold the person's data. */
  async remove(itemKeys: ItemKey[]): Promise<void> {
    if (itemKeys.length > 0) await this.db.batchWrite([], itemKeys);
  }

  /** The unique claim of a value (national id, e-mail…), to release it. */
  uniqueKey(tenantId: string, field: UniqueField, value: string): ItemKey {
    return keys.unique(tenantId, field, value);
  }

  /**
   * Replaces the client's record by its anonymised form at the expected version, moving it in the
   * by-name indexes (audited, in one transaction with the release of its unique claims).
   */
  async anonymiseClient(
    tenantId: string,
    client: StoredItem,
    changes: Record<string, unknown>,
    indexFields: Parameters<typeof keys.clientIndexes>[1],
    released: ItemKey[],
  ): Promise<void> {
    const clientId = String(client.id);
    await this.db.transact([
      versionedUpdateOp(
        keys.client(tenantId, clientId),
        Number(client.version),
        { ...changes, ...indexAttributeChanges(keys.clientIndexes(tenantId, indexFields)) },
        () => new VersionConflictError('Client', clientId, Number(client.version)),
      ),
      ...released.map((k) => deleteOp(k)),
    ]);
  }
}
