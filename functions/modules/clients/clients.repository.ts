import {
  type Db,
  deleteOp,
  type Page,
  putNewOp,
  type TransactOp,
  versionedUpdateOp,
} from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { queryFilter } from '../../shared/filter-expression.js';
import { indexAttributeChanges } from '../../shared/index-attributes.js';
import { claimUniqueOp, insertItemOp, uniqueClaim } from '../../shared/item-ops.js';
import {
  fromItem,
  getRecord,
  getRecords,
  type KeyedRead,
  queryRecords,
  recordRead,
  toItem,
} from '../../shared/items.js';
import { EntityType, type IndexName, keys, type ShardedPartition } from '../../shared/table-design.js';
import type { UniqueField } from '../../shared/unique-fields.js';
import type { CreditEntry, Invoice } from '../invoices/index.js';
import type { Policy } from '../policies/index.js';
import type { Client, Contact, TimelineEntry } from './clients.model.js';

/** A value unique per tenant (national id, tax id, e-mail, external id). */
export interface UniqueValue {
  field: UniqueField;
  value: string;
}

/** Everything on a client's card, read by one Query. */
export interface ClientCardItems {
  client: Client;
  contacts: Contact[];
  policies: Policy[];
  /** Invoices and credits of the client (the invoices module keeps them in this collection). */
  invoices: Invoice[];
  credits: CreditEntry[];
  /** Open tasks about the client (the tasks module keeps one card item per open task here). */
  openTasks: CardTask[];
}

/** An open task as the card shows it. */
export interface CardTask {
  id: string;
  title: string;
  dueAt: string;
}

type PageRequest = { limit: number; cursor: string | null };

/** A client list's narrowing: a status (sort-key prefix) and attributes equal to values (filter). */
interface ListOptions {
  status?: string | null;
  filter?: Record<string, string>;
}

/** The clients module's access to DynamoDB: the client collection, its indexes and unique claims. */
export class ClientsRepository {
  constructor(private readonly db: Db) {}

  clientItem(tenantId: string, client: Client) {
    return toItem(
      keys.client(tenantId, client.id),
      EntityType.Client,
      tenantId,
      client,
      keys.clientIndexes(tenantId, client),
    );
  }

  claimOp(tenantId: string, ownerId: string, u: UniqueValue): TransactOp {
    return claimUniqueOp(
      tenantId,
      u.field,
      u.value,
      { ownerType: 'Client', ownerId },
      () => new AlreadyExistsError('Client', fieldLabel(u.field), u.value),
    );
  }

  timelineOp(tenantId: string, entry: TimelineEntry): TransactOp {
    return insertItemOp(
      toItem(
        keys.timelineEntry(tenantId, entry.clientId, entry.id),
        EntityType.TimelineEntry,
        tenantId,
        entry,
      ),
    );
  }

  /** Creates a client with its unique claims and first timeline entry, all or nothing. */
  async createClient(
    tenantId: string,
    client: Client,
    unique: UniqueValue[],
    created: TimelineEntry,
  ): Promise<void> {
    await this.db.transact(this.createClientOps(tenantId, client, unique, created));
  }

  /** The ops creating a client: its item, its unique claims and its timeline entry. */
  createClientOps(
    tenantId: string,
    client: Client,
    unique: UniqueValue[],
    created: TimelineEntry,
  ): TransactOp[] {
    return [
      putNewOp(this.clientItem(tenantId, client), () => new AlreadyExistsError('Client', 'id', client.id)),
      ...unique.map((u) => this.claimOp(tenantId, client.id, u)),
      this.timelineOp(tenantId, created),
    ];
  }

  /** Whose is a unique value (e.g. for import: the client already imported under this external id). */
  async ownerOfUnique(tenantId: string, field: UniqueField, value: string): Promise<string | undefined> {
    const item = await uniqueClaim(this.db, tenantId, field, value);
    return typeof item?.ownerId === 'string' ? item.ownerId : undefined;
  }

  async getClient(tenantId: string, clientId: string): Promise<Client | undefined> {
    return getRecord<Client>(this.db, keys.client(tenantId, clientId));
  }

  /** A client as a read to batch with other items (see `readTogether`). */
  clientRead(tenantId: string, clientId: string): KeyedRead<Client | undefined> {
    return recordRead<Client>(keys.client(tenantId, clientId));
  }

  async getClients(tenantId: string, clientIds: string[]): Promise<Client[]> {
    return getRecords<Client>(this.db, clientIds, (id) => keys.client(tenantId, id));
  }

  /**
   * The op that updates a client optimistically, re-deriving its index keys from the merged record
   * so it moves between lists (owner, status, pool) in the same write.
   */
  updateClientOp(
    tenantId: string,
    current: Client,
    expectedVersion: number,
    changes: Partial<Client>,
  ): TransactOp {
    const merged: Client = { ...current, ...changes };
    return versionedUpdateOp(
      keys.client(tenantId, current.id),
      expectedVersion,
      { ...changes, ...indexAttributeChanges(keys.clientIndexes(tenantId, merged)) },
      () => new VersionConflictError('Client', current.id, expectedVersion),
    );
  }

  /** Updates a client together with any other ops (timeline entries, unique claims), all or nothing. */
  async updateClient(
    tenantId: string,
    current: Client,
    expectedVersion: number,
    changes: Partial<Client>,
    extra: TransactOp[] = [],
    uniqueChanges: Array<{ field: UniqueField; from: string | null; to: string | null }> = [],
  ): Promise<Client> {
    await this.db.transact([
      this.updateClientOp(tenantId, current, expectedVersion, changes),
      ...uniqueChanges.flatMap((u) => [
        ...(u.to ? [this.claimOp(tenantId, current.id, { field: u.field, value: u.to })] : []),
        ...(u.from ? [deleteOp(keys.unique(tenantId, u.field, u.from))] : []),
      ]),
      ...extra,
    ]);
    return { ...current, ...changes, version: expectedVersion + 1 };
  }

  async transact(ops: TransactOp[]): Promise<void> {
    await this.db.transact(ops);
  }

  async addContact(tenantId: string, contact: Contact): Promise<void> {
    await this.db.putNew(
      toItem(keys.contact(tenantId, contact.clientId, contact.id), EntityType.Contact, tenantId, contact),
      () => new AlreadyExistsError('Contact', 'id', contact.id),
    );
  }

  /** The client card: one Query on the client's collection (card items only). */
  async clientCard(tenantId: string, clientId: string): Promise<ClientCardItems | undefined> {
    const items = await this.db.queryAll({
      partition: keys.clientCollection(tenantId, clientId),
      beginsWith: keys.cardPrefix,
    });
    const clientItem = items.find((i) => i.type === EntityType.Client);
    if (!clientItem) return undefined;
    return {
      client: fromItem<Client>(clientItem),
      contacts: items.filter((i) => i.type === EntityType.Contact).map((i) => fromItem<Contact>(i)),
      policies: items.filter((i) => i.type === EntityType.Policy).map((i) => fromItem<Policy>(i)),
      invoices: items.filter((i) => i.type === EntityType.Invoice).map((i) => fromItem<Invoice>(i)),
      credits: items.filter((i) => i.type === EntityType.ClientCredit).map((i) => fromItem<CreditEntry>(i)),
      openTasks: items
        .filter((i) => i.type === EntityType.OpenTask)
        .map((i) => fromItem<CardTask>(i))
        .sort((a, b) => a.dueAt.localeCompare(b.dueAt)),
    };
  }

  /**
   * listReferralPolicies: for each client, its referring partner and its policies: one BatchGetItem
   * for the clients and one Query per client's policies, all at once (a page of referrals in one round).
   */
  async referralPolicies(
    tenantId: string,
    clientIds: readonly string[],
  ): Promise<Map<string, { referringPartnerId: string | null; policies: Policy[] }>> {
    const [clients, policies] = await Promise.all([
      this.getClients(tenantId, [...clientIds]),
      Promise.all(
        clientIds.map((id) =>
          this.db.queryAll({ partition: keys.clientCollection(tenantId, id), beginsWith: keys.policyPrefix }),
        ),
      ),
    ]);
    const partnerOf = new Map(clients.map((c) => [c.id, c.referringPartnerId] as const));
    return new Map(
      clientIds.flatMap((id, i) =>
        partnerOf.has(id)
          ? [
              [
                id,
                {
                  referringPartnerId: partnerOf.get(id) ?? null,
                  policies: (policies[i] ?? []).map((p) => fromItem<Policy>(p)),
                },
              ] as const,
            ]
          : [],
      ),
    );
  }

  async timeline(tenantId: string, clientId: string, page: PageRequest): Promise<Page<TimelineEntry>> {
    return queryRecords<TimelineEntry>(this.db, {
      partition: keys.clientCollection(tenantId, clientId),
      beginsWith: keys.timelinePrefix,
      newestFirst: true,
      ...page,
    });
  }

  /** One page of a client list on an index, optionally narrowed by a sort-key prefix and a filter. */
  /** An advisor's clients (optionally of one status), by name. */
  listClientsOfOwner(tenantId: string, ownerId: string, page: PageRequest, options: ListOptions = {}) {
    return this.queryClients('gsi1', keys.clientsByOwner(tenantId, ownerId), page, options);
  }

  /** A branch's clients (optionally of one status), by name. */
  listClientsOfBranch(tenantId: string, branchId: string, page: PageRequest, options: ListOptions = {}) {
    return this.queryClients('gsi3', keys.clientsByBranch(tenantId, branchId), page, options);
  }

  /** The tenant's clients of one status, by name. */
  listClientsByStatus(tenantId: string, status: string, page: PageRequest, filter: Record<string, string>) {
    return this.queryClients('gsi2', keys.clientsByStatus(tenantId, status), page, { filter });
  }

  /** countClientsCreatedBetween: the tenant's clients created on the days from–to (inclusive, UTC). */
  async countClientsCreatedBetween(tenantId: string, fromDay: string, toDay: string): Promise<number> {
    const { shards } = keys.clientsByCreation(tenantId);
    const counts = await Promise.all(
      shards.map((shard) => this.db.countBetween('gsi6', shard, [fromDay, `${toDay}~`])),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /** The clients in a branch's shared pool. */
  listClientsOfPool(tenantId: string, branchId: string, page: PageRequest) {
    return this.queryClients('gsi4', keys.clientPool(tenantId, branchId), page);
  }

  /** The clients a partner referred. */
  listClientsOfPartner(tenantId: string, partnerId: string, page: PageRequest) {
    return this.queryClients('gsi5', keys.clientsByPartner(tenantId, partnerId), page);
  }

  private async queryClients(
    index: IndexName,
    partition: string | ShardedPartition,
    page: PageRequest,
    options: ListOptions = {},
  ): Promise<Page<Client>> {
    return queryRecords<Client>(this.db, {
      index,
      partition,
      ...page,
      ...(options.status ? { beginsWith: `${options.status}#` } : {}),
      ...queryFilter({ equals: options.filter }),
    });
  }

  /** Every client an advisor owns (for handing over a whole book). */
  async allClientsOfAdvisor(tenantId: string, advisorId: string): Promise<Client[]> {
    const items = await this.db.queryAll({
      index: 'gsi1',
      partition: keys.clientsByOwner(tenantId, advisorId),
    });
    return items.map((i) => fromItem<Client>(i));
  }
}

function fieldLabel(field: string): string {
  return (
    { NATIONAL_ID: 'nationalId', TAX_ID: 'taxId', CLIENT_EMAIL: 'email', CLIENT_EXTERNAL_ID: 'externalId' }[
      field
    ] ?? field
  );
}
