import {
  type Db,
  type Page,
  putNewOp,
  putOp,
  type StoredItem,
  type TransactOp,
  versionedUpdateOp,
} from '../../shared/db.js';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../shared/errors.js';
import { queryFilter } from '../../shared/filter-expression.js';
import { claimUniqueOp, insertItemOp, releaseUniqueOp } from '../../shared/item-ops.js';
import {
  fromItem,
  getRecord,
  getRecords,
  type KeyedRead,
  queryRecords,
  recordRead,
  toItem,
} from '../../shared/items.js';
import { EntityType, keys, OrgKind } from '../../shared/table-design.js';
import type { UniqueField } from '../../shared/unique-fields.js';
import type { InsurerSecrets, RateGroupMembership, TenantSettings, User, UserMove } from './org.model.js';
import {
  type PlacementChange,
  placementChange,
  type RateGroupSpell,
  rateGroupSpell,
  type UplineSegment,
} from './upline.js';

const ENTITY_OF_KIND: Record<OrgKind, EntityType> = {
  [OrgKind.Region]: EntityType.Region,
  [OrgKind.Branch]: EntityType.Branch,
  [OrgKind.User]: EntityType.User,
  [OrgKind.RateGroup]: EntityType.RateGroup,
  [OrgKind.Partner]: EntityType.Partner,
  [OrgKind.LeadSource]: EntityType.LeadSource,
  [OrgKind.Insurer]: EntityType.Insurer,
  [OrgKind.ProductLine]: EntityType.ProductLine,
};

/** A value that must be unique within the tenant, claimed in the same transaction as the record. */
export interface UniqueClaim {
  field: UniqueField;
  value: string;
}

/** The org module's access to DynamoDB: tenants, org entities, user history and insurer secrets. */
export class OrgRepository {
  constructor(private readonly db: Db) {}

  async getTenantSettings(tenantId: string): Promise<TenantSettings | undefined> {
    return getRecord<TenantSettings>(this.db, keys.tenant(tenantId));
  }

  /** Creates the tenant and its registry row together, so tenant-wide schedules find every tenant. */
  async createTenant(settings: TenantSettings): Promise<void> {
    const exists = () => new AlreadyExistsError('Tenant', 'id', settings.id);
    await this.db.transact([
      putNewOp(toItem(keys.tenant(settings.id), EntityType.Tenant, settings.id, settings), exists),
      putNewOp(
        toItem(keys.tenantRegistration(settings.id), EntityType.TenantRegistration, settings.id, {
          tenantId: settings.id,
        }),
        exists,
      ),
    ]);
  }

  /** Every tenant's id, from the registry partition (one Query, no Scan). */
  async listTenantIds(): Promise<string[]> {
    const items = await this.db.queryAll({ partition: keys.tenantRegistryPartition });
    return items.map((i) => i.sk);
  }

  async updateTenantSettings(
    tenantId: string,
    expectedVersion: number,
    changes: Partial<TenantSettings>,
  ): Promise<TenantSettings> {
    const item = await this.db.updateVersioned(keys.tenant(tenantId), expectedVersion, changes, {
      entity: 'Tenant',
      id: tenantId,
    });
    return fromItem<TenantSettings>(item);
  }

  async getOrgEntity<T>(tenantId: string, kind: OrgKind, id: string): Promise<T | undefined> {
    return getRecord<T>(this.db, keys.orgItem(tenantId, kind, id));
  }

  /** An org entity to read in one batch with other modules' items (see `readTogether`). */
  orgRead<T>(tenantId: string, kind: OrgKind, id: string): KeyedRead<T | undefined> {
    return recordRead<T>(keys.orgItem(tenantId, kind, id));
  }

  /** Reads several org entities of one kind in one batch (e.g. a user's uplines). */
  async getOrgEntities<T>(tenantId: string, kind: OrgKind, ids: string[]): Promise<T[]> {
    return getRecords<T>(this.db, ids, (id) => keys.orgItem(tenantId, kind, id));
  }

  /** Reads org entities of any kinds in one batch: the references a page of clients or policies names. */
  async getOrgEntitiesByRef(
    tenantId: string,
    refs: Array<{ kind: OrgKind; id: string }>,
  ): Promise<Map<string, unknown>> {
    const unique = new Map(refs.map((r) => [`${r.kind}:${r.id}`, r] as const));
    const found = new Map<string, unknown>();
    if (unique.size === 0) return found;
    const items = await this.db.batchGet(
      [...unique.values()].map((r) => keys.orgItem(tenantId, r.kind, r.id)),
    );
    for (const item of items) {
      const kind = [...unique.values()].find(
        (r) => keys.orgItem(tenantId, r.kind, r.id).pk === item.pk,
      )?.kind;
      const record = fromItem<{ id: string }>(item);
      if (kind) found.set(`${kind}:${record.id}`, record);
    }
    return found;
  }

  async listOrgEntities<T>(
    tenantId: string,
    kind: OrgKind,
    page: { limit: number; cursor: string | null },
    filter?: Record<string, string>,
  ): Promise<Page<T>> {
    return queryRecords<T>(this.db, {
      partition: keys.orgCollection(tenantId, kind),
      limit: page.limit,
      cursor: page.cursor,
      ...queryFilter({ equals: filter }),
    });
  }

  /** Every entity of a kind (small collections: a tenant's users for a hierarchy walk, its insurers…). */
  async listAllOrgEntities<T>(tenantId: string, kind: OrgKind): Promise<T[]> {
    const items = await this.db.queryAll({ partition: keys.orgCollection(tenantId, kind) });
    return items.map((i) => fromItem<T>(i));
  }

  /** Creates an org entity and claims its unique values in one transaction. */
  async createOrgEntity<T extends { id: string }>(
    tenantId: string,
    kind: OrgKind,
    record: T,
    unique: UniqueClaim[] = [],
    extra: TransactOp[] = [],
  ): Promise<T> {
    const entity = ENTITY_OF_KIND[kind];
    await this.db.transact([
      insertItemOp(toItem(keys.orgItem(tenantId, kind, record.id), entity, tenantId, record)),
      ...unique.map((u) => this.claimOp(tenantId, entity, record.id, u)),
      ...extra,
    ]);
    return { ...record, version: 1 };
  }

  /**
   * Optimistically updates an org entity. When a unique value changes, the new value is claimed
   * and the old one released in the same transaction.
   */
  async updateOrgEntity<T extends { id: string; version: number }>(
    tenantId: string,
    kind: OrgKind,
    current: T,
    expectedVersion: number,
    changes: Partial<T>,
    uniqueChanges: Array<{ field: UniqueField; from: string; to: string }> = [],
    extra: TransactOp[] = [],
  ): Promise<T> {
    const entity = ENTITY_OF_KIND[kind];
    const key = keys.orgItem(tenantId, kind, current.id);
    if (uniqueChanges.length === 0 && extra.length === 0) {
      const item = await this.db.updateVersioned(key, expectedVersion, changes, { entity, id: current.id });
      return fromItem<T>(item);
    }
    await this.db.transact([
      versionedUpdateOp(
        key,
        expectedVersion,
        changes,
        () => new VersionConflictError(entity, current.id, expectedVersion),
      ),
      ...uniqueChanges.flatMap((u) => [
        this.claimOp(tenantId, entity, current.id, { field: u.field, value: u.to }),
        releaseUniqueOp(tenantId, u.field, u.from),
      ]),
      ...extra,
    ]);
    return { ...current, ...changes, version: expectedVersion + 1 };
  }

  private claimOp(tenantId: string, entity: string, ownerId: string, claim: UniqueClaim): TransactOp {
    return claimUniqueOp(
      tenantId,
      claim.field,
      claim.value,
      { ownerType: entity, ownerId },
      () => new AlreadyExistsError(entity, claim.field, claim.value),
    );
  }

  /** Op that records a user's move; goes in the same transaction as the user update. */
  moveOp(tenantId: string, move: UserMove, moveId: string): TransactOp {
    return putNewOp(
      toItem(
        keys.userMove(tenantId, move.userId, move.effectiveDate, moveId),
        EntityType.UserMove,
        tenantId,
        move,
      ),
      () => new AlreadyExistsError('UserMove', 'id', moveId),
    );
  }

  async listUserMoves(tenantId: string, userId: string): Promise<UserMove[]> {
    const items = await this.db.queryAll({
      partition: keys.userCollection(tenantId, userId),
      beginsWith: keys.userMovePrefix,
      newestFirst: true,
    });
    return items.map((i) => fromItem<UserMove>(i));
  }

  /**
   * Records a membership; on a user whose item keeps its memberships (`rateGroupHistory`), appends it
   * there in the same transaction, so the copy never misses one.
   */
  /** A user's moves as the user item keeps them (the move's id is the last segment of its sort key). */
  async listPlacementChanges(tenantId: string, userId: string): Promise<PlacementChange[]> {
    const items = await this.db.queryAll({
      partition: keys.userCollection(tenantId, userId),
      beginsWith: keys.userMovePrefix,
      newestFirst: true,
    });
    return items.map((i) => placementChange(fromItem<UserMove>(i), lastSegment(i.sk)));
  }

  /** A user's memberships as the user item keeps them. */
  async listRateGroupSpells(tenantId: string, userId: string): Promise<RateGroupSpell[]> {
    const items = await this.db.queryAll({
      partition: keys.userCollection(tenantId, userId),
      beginsWith: keys.rateGroupMembershipPrefix,
      newestFirst: true,
    });
    return items.map((i) => rateGroupSpell(fromItem<RateGroupMembership>(i), lastSegment(i.sk)));
  }

  async addRateGroupMembership(
    tenantId: string,
    membership: RateGroupMembership,
    id: string,
    keptOnUser: boolean,
  ): Promise<void> {
    const item = toItem(
      keys.rateGroupMembership(tenantId, membership.userId, membership.from, id),
      EntityType.RateGroupMembership,
      tenantId,
      membership,
    );
    if (!keptOnUser) return this.db.put(item);
    await this.db.transact([putOp(item), this.appendRateGroupOp(tenantId, membership, id)]);
  }

  /** Op appending a membership to the user item's copy; fails (NOT_KEPT) when the item keeps none yet. */
  private appendRateGroupOp(tenantId: string, membership: RateGroupMembership, id: string): TransactOp {
    return {
      item: {
        Update: {
          TableName: '',
          Key: keys.orgItem(tenantId, OrgKind.User, membership.userId),
          UpdateExpression: 'SET #rg = list_append(#rg, :spell)',
          ConditionExpression: 'attribute_exists(#rg)',
          ExpressionAttributeNames: { '#rg': 'rateGroupHistory' },
          ExpressionAttributeValues: { ':spell': [rateGroupSpell(membership, id)] },
        },
      },
      onConditionFailed: () => new RateGroupsNotKeptError(),
    };
  }

  /**
   * Adds a membership under `id` only if none has that id on that date yet: false when it exists, so
   * a caller with a deterministic id (an automatic promotion replayed from the stream) records it once.
   */
  async addRateGroupMembershipOnce(
    tenantId: string,
    membership: RateGroupMembership,
    id: string,
  ): Promise<boolean> {
    const item = toItem(
      keys.rateGroupMembership(tenantId, membership.userId, membership.from, id),
      EntityType.RateGroupMembership,
      tenantId,
      membership,
    );
    const put = putNewOp(item, () => new AlreadyExistsError('RateGroupMembership', 'id', id));
    try {
      try {
        await this.db.transact([put, this.appendRateGroupOp(tenantId, membership, id)]);
      } catch (error) {
        // A user not migrated yet keeps no copy: the membership item alone stays the record.
        if (!(error instanceof RateGroupsNotKeptError)) throw error;
        await this.db.transact([put]);
      }
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  /** Runs ops of this module in one transaction (hint rewrites, the hierarchy migration). */
  async transactOps(ops: TransactOp[]): Promise<void> {
    await this.db.transact(ops);
  }

  /** Op rewriting the prefetch hint of a user's upline (derived data: no version bump). */
  uplineHintOp(tenantId: string, userId: string, hint: UplineSegment[]): TransactOp {
    return {
      item: {
        Update: {
          TableName: '',
          Key: keys.orgItem(tenantId, OrgKind.User, userId),
          UpdateExpression: 'SET #hint = :hint',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#hint': 'uplineHint' },
          ExpressionAttributeValues: { ':hint': hint },
        },
      },
    };
  }

  /**
   * Op writing a user's copies of its moves and memberships and its hint (the migration), only if
   * the user has not moved (version) and gained no membership (list size) since they were read.
   */
  hierarchyCopyOp(
    tenantId: string,
    user: User,
    copy: Required<Pick<User, 'placementHistory' | 'rateGroupHistory' | 'uplineHint'>>,
  ): TransactOp {
    return {
      item: {
        Update: {
          TableName: '',
          Key: keys.orgItem(tenantId, OrgKind.User, user.id),
          UpdateExpression: 'SET #ph = :ph, #rg = :rg, #hint = :hint',
          ConditionExpression: '#version = :version AND (attribute_not_exists(#rg) OR size(#rg) = :kept)',
          ExpressionAttributeNames: {
            '#ph': 'placementHistory',
            '#rg': 'rateGroupHistory',
            '#hint': 'uplineHint',
            '#version': 'version',
          },
          ExpressionAttributeValues: {
            ':ph': copy.placementHistory,
            ':rg': copy.rateGroupHistory,
            ':hint': copy.uplineHint,
            ':version': user.version,
            ':kept': user.rateGroupHistory?.length ?? 0,
          },
        },
      },
      onConditionFailed: () => new VersionConflictError('User', user.id, user.version),
    };
  }

  async listRateGroupMemberships(tenantId: string, userId: string): Promise<RateGroupMembership[]> {
    const items = await this.db.queryAll({
      partition: keys.userCollection(tenantId, userId),
      beginsWith: keys.rateGroupMembershipPrefix,
      newestFirst: true,
    });
    return items.map((i) => fromItem<RateGroupMembership>(i));
  }

  /** Ops that store an insurer's secrets and its webhook route, alongside the insurer item. */
  insurerSecretOps(tenantId: string, secrets: InsurerSecrets): TransactOp[] {
    return [
      putOp(
        toItem(keys.insurerSecret(tenantId, secrets.insurerId), EntityType.InsurerSecret, tenantId, secrets),
      ),
      putNewOp(
        toItem(keys.insurerRoute(secrets.insurerId), EntityType.InsurerRoute, tenantId, {
          insurerId: secrets.insurerId,
          routeTenantId: tenantId,
        }),
        () => new AlreadyExistsError('Insurer', 'id', secrets.insurerId),
      ),
    ];
  }

  async getInsurerSecrets(tenantId: string, insurerId: string): Promise<InsurerSecrets | undefined> {
    return getRecord<InsurerSecrets>(this.db, keys.insurerSecret(tenantId, insurerId), { consistent: true });
  }

  async replaceInsurerSecrets(tenantId: string, secrets: InsurerSecrets): Promise<void> {
    const existing = await this.db.get(keys.insurerSecret(tenantId, secrets.insurerId), { consistent: true });
    if (!existing) throw new NotFoundError('Insurer', secrets.insurerId);
    await this.db.updateVersioned(
      keys.insurerSecret(tenantId, secrets.insurerId),
      existing.version,
      {
        current: secrets.current,
        previous: secrets.previous,
        previousValidUntil: secrets.previousValidUntil,
      },
      { entity: 'InsurerSecret', id: secrets.insurerId },
    );
  }

  /** The tenant an insurer id belongs to (for webhooks, whose URL names only the insurer). */
  async getInsurerTenant(insurerId: string): Promise<string | undefined> {
    const item: StoredItem | undefined = await this.db.get(keys.insurerRoute(insurerId));
    return typeof item?.routeTenantId === 'string' ? item.routeTenantId : undefined;
  }
}

/** The user item keeps no copy of its memberships yet (not migrated). */
class RateGroupsNotKeptError extends Error {}

function lastSegment(sk: string): string {
  return sk.slice(sk.lastIndexOf('#') + 1);
}
