import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { AUDITED_TYPES, applyUpdate, auditOpsFor, currentActor } from './audit.js';
import { CursorSealer, ephemeralCursorKeys } from './cursor-seal.js';
import { versionedUpdate, withTable } from './db-expressions.js';
import { InvalidCursorError, NotFoundError, VersionConflictError } from './errors.js';
import { type IndexName, type ItemKey, TABLE } from './table-design.js';

/** Every stored item: generic keys, entity type and optimistic-locking version. */
export interface StoredItem extends ItemKey {
  type: string;
  version: number;
  [attribute: string]: unknown;
}

type NativeAttributeValue = unknown;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write of a transaction, with the domain error to raise if its condition fails. */
export interface TransactOp {
  item: TransactItem;
  onConditionFailed?: () => Error;
}

export interface QueryPageInput {
  index?: IndexName;
  partition: string;
  /** Sort-key condition: a prefix, or an inclusive range. */
  beginsWith?: string;
  between?: [string, string];
  /** Sort keys strictly greater than this one (a poller's position). */
  after?: string;
  newestFirst?: boolean;
  /** A strongly consistent read (table only): sees every write acknowledged before it. */
  consistent?: boolean;
  limit: number;
  cursor?: string | null;
  filter?: { expression: string; names?: Record<string, string>; values?: Record<string, unknown> };
}

export interface Page<T> {
  items: T[];
  /** One opaque cursor per item (Relay edges); each is a valid `after`. */
  cursors: string[];
  nextCursor: string | null;
  /** True when the page was read after a cursor (Relay `hasPreviousPage` for forward pagination). */
  afterCursor?: boolean;
}

/** Counts requests per operation and consumed capacity, for tests that pin a path's cost and for benchmarks. */
export class DbStats {
  requests: Record<string, number> = {};
  capacityUnits = 0;
  total(): number {
    return Object.values(this.requests).reduce((a, b) => a + b, 0);
  }
  reset(): void {
    this.requests = {};
    this.capacityUnits = 0;
  }
}

const MAX_TRANSACT_ITEMS = 100;
const MAX_BATCH_GET = 100;
const MAX_BATCH_WRITE = 25;
const MAX_UNPROCESSED_RETRIES = 8;

export { createDocumentClient } from './sdk-client.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Backoff with full jitter for unprocessed batch items: 25 ms, 50 ms, … capped at 1.6 s. */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(1600, 25 * 2 ** attempt);
}

/**
 * The data layer: the only wrapper around DynamoDB. Repositories build keys with
 * `table-design.ts` and call these helpers; nothing here scans.
 */
export class Db {
  readonly stats = new DbStats();

  /**
   * @param cursors seals page cursors; the default key lives only in this process (tests). Lambda
   *   and the local stack pass the keys from the environment, so every instance opens every cursor.
   */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly cursors: CursorSealer = new CursorSealer(ephemeralCursorKeys()),
  ) {}

  private count(
    operation: string,
    consumed?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }>,
  ) {
    this.stats.requests[operation] = (this.stats.requests[operation] ?? 0) + 1;
    const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
    for (const c of list) this.stats.capacityUnits += c.CapacityUnits ?? 0;
  }

  async get<T extends StoredItem>(
    key: ItemKey,
    options: { consistent?: boolean } = {},
  ): Promise<T | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: key.pk, sk: key.sk },
        ConsistentRead: options.consistent ?? false,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.count('GetItem', out.ConsumedCapacity);
    return out.Item as T | undefined;
  }

  /** Puts an item that must not exist yet; `onExists` says which domain error a clash means. */
  async putNew(item: StoredItem, onExists: () => Error): Promise<void> {
    if (currentActor() && AUDITED_TYPES.has(item.type)) return this.transact([putNewOp(item, onExists)]);
    try {
      const out = await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count('PutItem', out.ConsumedCapacity);
    } catch (error) {
      this.count('PutItem');
      if (error instanceof ConditionalCheckFailedException) throw onExists();
      throw error;
    }
  }

  /** Unconditional put, for writes whose key is derived from their source so a replay rewrites the same item. */
  async put(item: StoredItem): Promise<void> {
    if (currentActor() && AUDITED_TYPES.has(item.type)) return this.transact([putOp(item)]);
    const out = await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: item, ReturnConsumedCapacity: 'TOTAL' }),
    );
    this.count('PutItem', out.ConsumedCapacity);
  }

  /**
   * Optimistic update: applies `changes` only if the item is still at `expectedVersion`, bumps the
   * version and returns the new item. A stale version raises CONFLICT, a missing item NOT_FOUND;
   * either way nothing is written.
   */
  async updateVersioned<T extends StoredItem>(
    key: ItemKey,
    expectedVersion: number,
    changes: Record<string, unknown>,
    describe: { entity: string; id: string },
  ): Promise<T> {
    // An audited item changes in a transaction that carries its audit entry (auditOps).
    const before = currentActor() ? await this.get<T>(key, { consistent: true }) : undefined;
    if (before && AUDITED_TYPES.has(before.type)) {
      const conflict = () => new VersionConflictError(describe.entity, describe.id, expectedVersion);
      const op = versionedUpdateOp(key, expectedVersion, changes, conflict);
      await this.transact([op]);
      return applyUpdate(before, op.item.Update ?? {}) as T;
    }
    const update = versionedUpdate(key, expectedVersion, changes);
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          ...update,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count('UpdateItem', out.ConsumedCapacity);
      return out.Attributes as T;
    } catch (error) {
      this.count('UpdateItem');
      if (error instanceof ConditionalCheckFailedException) {
        if (!error.Item) throw new NotFoundError(describe.entity, describe.id);
        throw new VersionConflictError(describe.entity, describe.id, expectedVersion);
      }
      throw error;
    }
  }

  /**
   * All-or-nothing write of up to 100 operations. When a condition fails, the failing operation's
   * own domain error is raised (e.g. ALREADY_EXISTS for a taken national id) and nothing is written.
   */
  async transact(changes: TransactOp[]): Promise<void> {
    if (changes.length === 0) return;
    // Audit entries of the changes to audited items ride along (audit.ts), after them, so a failing
    // condition still names the change's own op; reading their before images is one BatchGet.
    const audits = await auditOpsFor(changes, (k) => this.batchGet(k, { consistent: true }));
    const ops: TransactOp[] = [...changes, ...audits];
    if (ops.length > MAX_TRANSACT_ITEMS) {
      throw new RangeError(`A transaction holds at most ${MAX_TRANSACT_ITEMS} operations, got ${ops.length}`);
    }
    const TransactItems = ops.map((op) => withTable(op.item, this.tableName));
    try {
      const out = await this.client.send(
        new TransactWriteCommand({ TransactItems, ReturnConsumedCapacity: 'TOTAL' }),
      );
      this.count('TransactWriteItems', out.ConsumedCapacity);
    } catch (error) {
      this.count('TransactWriteItems');
      if (error instanceof TransactionCanceledException) {
        const reasons = error.CancellationReasons ?? [];
        const failed = reasons.findIndex((r) => r.Code === 'ConditionalCheckFailed');
        const mapper = failed >= 0 ? ops[failed]?.onConditionFailed : undefined;
        if (mapper) throw mapper();
      }
      throw error;
    }
  }

  /**
   * One page of a Query on the table or an index. The cursor is the sealed LastEvaluatedKey; a
   * cursor sealed for another partition or index (another list, another tenant) is refused.
   */
  async queryPage<T extends StoredItem>(input: QueryPageInput): Promise<Page<T>> {
    const keyNames = input.index ? TABLE.indexes[input.index] : { partitionKey: 'pk', sortKey: 'sk' };
    const names: Record<string, string> = { '#pk': keyNames.partitionKey, ...(input.filter?.names ?? {}) };
    const values: Record<string, NativeAttributeValue> = {
      ':pk': input.partition,
      ...(input.filter?.values ?? {}),
    };
    let condition = '#pk = :pk';
    if (input.beginsWith !== undefined) {
      names['#sk'] = keyNames.sortKey;
      values[':skPrefix'] = input.beginsWith;
      condition += ' AND begins_with(#sk, :skPrefix)';
    } else if (input.between) {
      names['#sk'] = keyNames.sortKey;
      values[':skFrom'] = input.between[0];
      values[':skTo'] = input.between[1];
      condition += ' AND #sk BETWEEN :skFrom AND :skTo';
    } else if (input.after !== undefined) {
      names['#sk'] = keyNames.sortKey;
      values[':skAfter'] = input.after;
      condition += ' AND #sk > :skAfter';
    }
    const params: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: !input.newestFirst,
      Limit: input.limit,
      ReturnConsumedCapacity: 'TOTAL',
    };
    if (input.index) params.IndexName = input.index;
    if (input.consistent) params.ConsistentRead = true;
    if (input.filter) params.FilterExpression = input.filter.expression;
    if (input.cursor)
      params.ExclusiveStartKey = await this.openCursor(input.cursor, input.partition, input.index);

    // With a filter, DynamoDB may return fewer than `limit` matches per request: keep reading
    // until the page is full or the partition is exhausted.
    const items: T[] = [];
    let lastKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(new QueryCommand(params));
      this.count('Query', out.ConsumedCapacity);
      items.push(...((out.Items ?? []) as T[]));
      lastKey = out.LastEvaluatedKey;
      if (items.length > input.limit) {
        items.length = input.limit;
        const last = items[input.limit - 1] as StoredItem;
        lastKey = keyOf(last, input.index);
      }
      params.ExclusiveStartKey = lastKey;
      params.Limit = input.limit - items.length || input.limit;
    } while (lastKey && items.length < input.limit && input.filter);

    const cursors = await Promise.all(
      items.map((item) => this.sealCursor(keyOf(item, input.index), input.partition, input.index)),
    );
    const lastItem = items.at(-1);
    const endsAtLastItem = lastKey && lastItem && sameKey(lastKey, keyOf(lastItem, input.index));
    return {
      items,
      cursors,
      nextCursor: lastKey
        ? endsAtLastItem
          ? (cursors.at(-1) ?? null)
          : await this.sealCursor(lastKey, input.partition, input.index)
        : null,
      afterCursor: Boolean(input.cursor),
    };
  }

  /**
   * Seals a LastEvaluatedKey as an opaque, URL-safe cursor bound to this list (partition and
   * index). The partition is not stored in the cursor: the query supplies it again.
   */
  async sealCursor(lastKey: Record<string, unknown>, partition: string, index?: IndexName): Promise<string> {
    const partitionAttribute = index ? TABLE.indexes[index].partitionKey : 'pk';
    const { [partitionAttribute]: _partition, ...rest } = lastKey;
    return this.cursors.seal(rest, cursorBinding(partition, index));
  }

  /** Opens a cursor, refusing one that was not sealed for this list or was altered (INVALID_CURSOR). */
  async openCursor(cursor: string, partition: string, index?: IndexName): Promise<Record<string, unknown>> {
    const rest = await this.cursors.open(cursor, cursorBinding(partition, index));
    if (!Object.values(rest).every((v) => typeof v === 'string' || typeof v === 'number')) {
      throw new InvalidCursorError();
    }
    const partitionAttribute = index ? TABLE.indexes[index].partitionKey : 'pk';
    return { ...rest, [partitionAttribute]: partition };
  }

  /** How many items of an index partition have a sort key in [from, to] (Select COUNT: no item travels). */
  async countBetween(index: IndexName, partition: string, [from, to]: [string, string]): Promise<number> {
    const { partitionKey: pk, sortKey: sk } = TABLE.indexes[index];
    const params: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: index,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': pk, '#sk': sk },
      ExpressionAttributeValues: { ':pk': partition, ':from': from, ':to': to },
      Select: 'COUNT',
      ReturnConsumedCapacity: 'TOTAL',
    };
    for (let total = 0; ; ) {
      const out = await this.client.send(new QueryCommand(params));
      this.count('Query', out.ConsumedCapacity);
      total += out.Count ?? 0;
      if (!out.LastEvaluatedKey) return total;
      params.ExclusiveStartKey = out.LastEvaluatedKey;
    }
  }

  /** Reads every item of a partition (small collections such as one tenant's branches). */
  async queryAll<T extends StoredItem>(input: Omit<QueryPageInput, 'limit' | 'cursor'>): Promise<T[]> {
    const all: T[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<T> = await this.queryPage<T>({ ...input, limit: 500, cursor });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  /** Reads up to any number of keys in chunks of 100, retrying unprocessed keys with backoff. */
  async batchGet<T extends StoredItem>(
    keyList: ItemKey[],
    options: { consistent?: boolean } = {},
  ): Promise<T[]> {
    const found: T[] = [];
    for (let i = 0; i < keyList.length; i += MAX_BATCH_GET) {
      let pending: Record<string, unknown>[] | undefined = keyList
        .slice(i, i + MAX_BATCH_GET)
        .map((k) => ({ pk: k.pk, sk: k.sk }));
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > MAX_UNPROCESSED_RETRIES)
          throw new Error('BatchGetItem left keys unprocessed after retries');
        if (attempt > 0) await sleep(backoffMs(attempt));
        const out = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: options.consistent } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        this.count('BatchGetItem', out.ConsumedCapacity);
        found.push(...((out.Responses?.[this.tableName] ?? []) as T[]));
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }

  /** Writes items in chunks of 25, retrying unprocessed writes with backoff. Not atomic: use for idempotent writes. */
  async batchWrite(puts: StoredItem[], deletes: ItemKey[] = []): Promise<void> {
    type WriteRequest = {
      PutRequest?: { Item: Record<string, unknown> };
      DeleteRequest?: { Key: Record<string, unknown> };
    };
    const requests: WriteRequest[] = [
      ...puts.map((Item) => ({ PutRequest: { Item } })),
      ...deletes.map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } })),
    ];
    for (let i = 0; i < requests.length; i += MAX_BATCH_WRITE) {
      let pending: WriteRequest[] | undefined = requests.slice(i, i + MAX_BATCH_WRITE);
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > MAX_UNPROCESSED_RETRIES)
          throw new Error('BatchWriteItem left writes unprocessed after retries');
        if (attempt > 0) await sleep(backoffMs(attempt));
        const out = await this.client.send(
          new BatchWriteCommand({
            RequestItems: { [this.tableName]: pending },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        this.count('BatchWriteItem', out.ConsumedCapacity);
        pending = out.UnprocessedItems?.[this.tableName] as WriteRequest[] | undefined;
      }
    }
  }
}

/** Builds a transaction op that creates an item only if its key is free. */
export function putNewOp(item: StoredItem, onExists: () => Error): TransactOp {
  return {
    item: { Put: { TableName: '', Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
    onConditionFailed: onExists,
  };
}

/** Builds a transaction op that creates or replaces an item without condition. */
export function putOp(item: StoredItem): TransactOp {
  return { item: { Put: { TableName: '', Item: item } } };
}

/** Builds a transaction op for an optimistic update (see {@link Db.updateVersioned}). */
export function versionedUpdateOp(
  key: ItemKey,
  expectedVersion: number,
  changes: Record<string, unknown>,
  onConflict: () => Error,
): TransactOp {
  return {
    item: { Update: { TableName: '', ...versionedUpdate(key, expectedVersion, changes) } },
    onConditionFailed: onConflict,
  };
}

/** Builds a transaction op that deletes an item (e.g. releasing a unique claim). */
export function deleteOp(key: ItemKey): TransactOp {
  return { item: { Delete: { TableName: '', Key: { pk: key.pk, sk: key.sk } } } };
}

function keyOf(item: StoredItem, index?: IndexName): Record<string, unknown> {
  const key: Record<string, unknown> = { pk: item.pk, sk: item.sk };
  if (index) {
    const names = TABLE.indexes[index];
    key[names.partitionKey] = item[names.partitionKey];
    key[names.sortKey] = item[names.sortKey];
  }
  return key;
}

/** What a cursor is bound to: the list it pages (index and partition, which starts with the tenant). */
function cursorBinding(partition: string, index?: IndexName): string {
  return `${index ?? 'table'}|${partition}`;
}

function sameKey(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((n) => a[n] === b[n]);
}

/**
 * Builds a transaction op that replaces a whole item if it still has the expected version: for
 * records whose every field a domain operation recomputes (a policy after an endorsement).
 */
export function replaceVersionedOp(
  item: StoredItem,
  expectedVersion: number,
  onConflict: () => Error,
): TransactOp {
  return {
    item: {
      Put: {
        TableName: '',
        Item: { ...item, [TABLE.version]: expectedVersion + 1 },
        ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
        ExpressionAttributeNames: { '#version': TABLE.version },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      },
    },
    onConditionFailed: onConflict,
  };
}
