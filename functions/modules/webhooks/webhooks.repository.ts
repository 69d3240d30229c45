import { gunzipSync, gzipSync } from 'node:zlib';
import {
  type Db,
  deleteOp,
  type Page,
  putNewOp,
  putOp,
  replaceVersionedOp,
  type StoredItem,
  type TransactOp,
} from '../../shared/db.js';
import { VersionConflictError } from '../../shared/errors.js';
import { fromItem, getRecord, queryRecords, toItem } from '../../shared/items.js';
import type { Money } from '../../shared/money.js';
import { EntityType, type ItemKey, keys, TABLE } from '../../shared/table-design.js';
import type { WebhookDelivery, WebhookMapping } from './webhooks.model.js';

type PageRequest = { limit: number; cursor: string | null };

/** The first answer to a delivery, replayed verbatim to repeats of it. */
export interface StoredResponse {
  statusCode: number;
  body: string;
}

/** A delivery's dedupe record: being processed (under a lease) or done (with its answer). */
export interface DedupeRecord {
  state: 'PROCESSING' | 'DONE';
  leaseUntil: string;
  response: StoredResponse | null;
}

/** How a dedupe record is stored: the answer's body gzipped (a binary attribute). */
interface StoredDedupe {
  state: DedupeRecord['state'];
  leaseUntil: string;
  response: { statusCode: number; bodyGzip: Uint8Array } | null;
}

/** An insurer event's record: claimed while being applied, then done with what it did. */
export interface EventRecord {
  eventId: string;
  type: string;
  state: 'PROCESSING' | 'DONE';
  leaseUntil: string;
  policyId: string | null;
  note: string | null;
  webhookId: string;
  /** The client of the policy a policy event applied to (links the delivery's archive to them). */
  clientId?: string | null;
}

/** A premium payment an insurer reported against a policy (the invoices module settles from it). */
export interface InsurerPremiumPayment {
  policyId: string;
  policyNumber: string;
  amount: Money;
  paidDate: string;
  reference: string | null;
}

/** A commission statement an insurer sent, for reconciliation against the ledger. */
export interface InsurerCommissionStatement {
  period: string;
  currency: string;
  lines: Array<{ policyNumber: string; amount: Money; kind: string | null }>;
  total: Money;
  receivedAt: string;
}

/** Two items an event whose effect is a stored record writes: a transaction holds 100 items. */
export const PREMIUM_PAYMENTS_PER_TRANSACTION = 50;

/** Raised when a claim is held by someone else (a concurrent or earlier delivery). */
export class ClaimTakenError extends Error {}

/**
 * A put that succeeds when the key is free or the previous holder's lease ran out (a process that
 * died mid-way must not block the retry forever).
 */
function claimOp(item: StoredItem, nowIso: string): TransactOp {
  return {
    item: {
      Put: {
        TableName: '',
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk) OR (#state = :processing AND #lease < :now)',
        ExpressionAttributeNames: { '#state': 'state', '#lease': 'leaseUntil' },
        ExpressionAttributeValues: { ':processing': 'PROCESSING', ':now': nowIso },
      },
    },
    onConditionFailed: () => new ClaimTakenError('claimed'),
  };
}

/**
 * The webhooks module's access to DynamoDB: mappings, delivery dedupe and log, event claims, and
 * the premium payments and commission statements insurers report. Every access is by key.
 */
export class WebhooksRepository {
  constructor(private readonly db: Db) {}

  // ---- mapping -----------------------------------------------------------------------------

  async getMapping(tenantId: string, insurerId: string): Promise<WebhookMapping | undefined> {
    return getRecord<WebhookMapping>(this.db, keys.webhookMapping(tenantId, insurerId), { consistent: true });
  }

  /** Creates (expected version 0) or replaces a mapping at the version read; a stale version is CONFLICT. */
  async saveMapping(tenantId: string, mapping: WebhookMapping, expectedVersion: number): Promise<void> {
    const conflict = () => new VersionConflictError('WebhookMapping', mapping.insurerId, expectedVersion);
    const item = toItem(
      keys.webhookMapping(tenantId, mapping.insurerId),
      EntityType.WebhookMapping,
      tenantId,
      {
        ...mapping,
        version: expectedVersion,
      },
    );
    await this.db.transact([
      expectedVersion === 0
        ? putNewOp({ ...item, version: 1 }, conflict)
        : replaceVersionedOp(item, expectedVersion, conflict),
    ]);
  }

  // ---- deliveries --------------------------------------------------------------------------

  async getDedupe(tenantId: string, insurerId: string, webhookId: string): Promise<DedupeRecord | undefined> {
    const item = await this.db.get(keys.webhookDedupe(tenantId, insurerId, webhookId), { consistent: true });
    if (!item) return undefined;
    const stored = fromItem<StoredDedupe>(item);
    return {
      state: stored.state,
      leaseUntil: stored.leaseUntil,
      response: stored.response
        ? {
            statusCode: stored.response.statusCode,
            body: gunzipSync(stored.response.bodyGzip).toString('utf8'),
          }
        : null,
    };
  }

  /**
   * Claims a delivery for processing, with its log entry (unanswered yet) in the same transaction,
   * so an archived delivery whose processing then fails is still listed for replay. Throws
   * {@link ClaimTakenError} when another attempt holds it or it is done.
   */
  async claimDelivery(
    tenantId: string,
    insurerId: string,
    webhookId: string,
    now: Date,
    leaseSeconds: number,
    ttlSeconds: number,
    log?: WebhookDelivery,
  ): Promise<void> {
    const record: DedupeRecord = {
      state: 'PROCESSING',
      leaseUntil: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
      response: null,
    };
    const item = toItem(
      keys.webhookDedupe(tenantId, insurerId, webhookId),
      EntityType.WebhookDedupe,
      tenantId,
      {
        ...record,
        [TABLE.ttl]: Math.floor(now.getTime() / 1000) + ttlSeconds,
      },
    );
    await this.db.transact([
      claimOp(item, now.toISOString()),
      ...(log ? [this.deliveryLogOp(tenantId, log)] : []),
    ]);
  }

  /** Gives a claim up after an unexpected failure, so the sender's retry processes the delivery. */
  async releaseDelivery(tenantId: string, insurerId: string, webhookId: string): Promise<void> {
    await this.db.transact([deleteOp(keys.webhookDedupe(tenantId, insurerId, webhookId))]);
  }

  /** Stores the answer for repeats and the delivery's log entry, together. */
  async completeDelivery(
    tenantId: string,
    delivery: WebhookDelivery,
    response: StoredResponse,
    now: Date,
    ttlSeconds: number,
  ): Promise<void> {
    // Gzipped: a 500-event report full of field errors would not fit an item's 400 KB as text.
    const done: StoredDedupe = {
      state: 'DONE',
      leaseUntil: now.toISOString(),
      response: { statusCode: response.statusCode, bodyGzip: gzipSync(response.body) },
    };
    await this.db.transact([
      putOp(
        toItem(
          keys.webhookDedupe(tenantId, delivery.insurerId, delivery.webhookId),
          EntityType.WebhookDedupe,
          tenantId,
          { ...done, [TABLE.ttl]: Math.floor(now.getTime() / 1000) + ttlSeconds },
        ),
      ),
      this.deliveryLogOp(tenantId, delivery),
    ]);
  }

  /**
   * Writes a delivery's log entry at its claim and its completion. Its receipt time (and with it the
   * list's sort key) is kept from the first attempt: a retry after a failed or timed-out attempt
   * neither moves the entry in the insurer's list nor costs that index key a delete and a put. Every
   * other attribute is set as given; DynamoDB writes no index entry for a write that changes
   * nothing projected (docs/scale.md, section 4).
   */
  private deliveryLogOp(tenantId: string, delivery: WebhookDelivery): TransactOp {
    const { pk, sk, ...attributes } = this.deliveryItem(tenantId, delivery);
    const kept = new Set(['receivedAt', 'gsi3sk']);
    const names = Object.keys(attributes);
    const assignment = (name: string, i: number) =>
      kept.has(name) ? `#a${i} = if_not_exists(#a${i}, :v${i})` : `#a${i} = :v${i}`;
    return {
      item: {
        Update: {
          TableName: '',
          Key: { pk, sk },
          UpdateExpression: `SET ${names.map(assignment).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
          ExpressionAttributeValues: Object.fromEntries(names.map((n, i) => [`:v${i}`, attributes[n]])),
        },
      },
    };
  }

  private deliveryItem(tenantId: string, delivery: WebhookDelivery): StoredItem {
    return toItem(
      keys.webhookDelivery(tenantId, delivery.insurerId, delivery.webhookId),
      EntityType.WebhookDelivery,
      tenantId,
      delivery,
      keys.webhookDeliveryIndexes(tenantId, delivery.insurerId, delivery.receivedAt, delivery.webhookId),
    );
  }

  async getDelivery(
    tenantId: string,
    insurerId: string,
    webhookId: string,
  ): Promise<WebhookDelivery | undefined> {
    return getRecord<WebhookDelivery>(this.db, keys.webhookDelivery(tenantId, insurerId, webhookId), {
      consistent: true,
    });
  }

  /** listWebhookDeliveriesByInsurerAndDate: newest first. */
  async listDeliveries(
    tenantId: string,
    insurerId: string,
    page: PageRequest,
  ): Promise<Page<WebhookDelivery>> {
    return queryRecords<WebhookDelivery>(this.db, {
      index: 'gsi3',
      partition: keys.webhookDeliveriesByInsurer(tenantId, insurerId),
      newestFirst: true,
      limit: page.limit,
      cursor: page.cursor,
    });
  }

  async saveDelivery(tenantId: string, delivery: WebhookDelivery): Promise<void> {
    await this.db.put(this.deliveryItem(tenantId, delivery));
  }

  // ---- events ------------------------------------------------------------------------------

  async getEvent(tenantId: string, insurerId: string, eventId: string): Promise<EventRecord | undefined> {
    return getRecord<EventRecord>(this.db, keys.webhookEvent(tenantId, insurerId, eventId), {
      consistent: true,
    });
  }

  /** The records of several events by their ids (one consistent BatchGetItem per 100), by event id. */
  async getEvents(
    tenantId: string,
    insurerId: string,
    eventIds: readonly string[],
  ): Promise<Map<string, EventRecord>> {
    const unique = [...new Set(eventIds)];
    if (unique.length === 0) return new Map();
    const items = await this.db.batchGet(
      unique.map((id) => keys.webhookEvent(tenantId, insurerId, id)),
      { consistent: true },
    );
    return new Map(items.map((i) => fromItem<EventRecord>(i)).map((r) => [r.eventId, r]));
  }

  private eventItem(tenantId: string, insurerId: string, record: EventRecord): StoredItem {
    return toItem(keys.webhookEvent(tenantId, insurerId, record.eventId), EntityType.WebhookEvent, tenantId, {
      ...record,
      insurerId,
    });
  }

  /** Claims an event before applying it; throws {@link ClaimTakenError} if it is applied or being applied. */
  async claimEvent(tenantId: string, insurerId: string, record: EventRecord, now: Date): Promise<void> {
    await this.db.transact([claimOp(this.eventItem(tenantId, insurerId, record), now.toISOString())]);
  }

  async releaseEvent(tenantId: string, insurerId: string, eventId: string): Promise<void> {
    await this.db.transact([deleteOp(keys.webhookEvent(tenantId, insurerId, eventId))]);
  }

  async completeEvent(tenantId: string, insurerId: string, record: EventRecord): Promise<void> {
    await this.db.put(this.eventItem(tenantId, insurerId, record));
  }

  /** Stores a premium payment the insurer reported, with its event record, once per event id. */
  async recordPremiumPayment(
    tenantId: string,
    insurerId: string,
    record: EventRecord,
    payment: InsurerPremiumPayment,
  ): Promise<void> {
    await this.recordEventWithItem(
      tenantId,
      insurerId,
      record,
      keys.insurerPremiumPayment(tenantId, payment.policyId, payment.paidDate, record.eventId),
      EntityType.InsurerPremiumPayment,
      payment,
    );
  }

  /**
   * Stores the premium payments of several new events, each with its event record, in one
   * transaction (at most {@link PREMIUM_PAYMENTS_PER_TRANSACTION}): all or none. Throws
   * {@link ClaimTakenError} when any of the events was recorded meanwhile; the caller then records
   * them one by one, so each finds out on its own whether it is a duplicate.
   */
  async recordPremiumPayments(
    tenantId: string,
    insurerId: string,
    entries: ReadonlyArray<{ record: EventRecord; payment: InsurerPremiumPayment }>,
  ): Promise<void> {
    if (entries.length > PREMIUM_PAYMENTS_PER_TRANSACTION) {
      throw new RangeError(`At most ${PREMIUM_PAYMENTS_PER_TRANSACTION} premium payments per transaction`);
    }
    await this.db.transact(
      entries.flatMap(({ record, payment }) =>
        this.eventWithItemOps(
          tenantId,
          insurerId,
          record,
          keys.insurerPremiumPayment(tenantId, payment.policyId, payment.paidDate, record.eventId),
          EntityType.InsurerPremiumPayment,
          payment,
        ),
      ),
    );
  }

  /** Stores a commission statement the insurer sent, with its event record, once per event id. */
  async recordCommissionStatement(
    tenantId: string,
    insurerId: string,
    record: EventRecord,
    statement: InsurerCommissionStatement,
  ): Promise<void> {
    await this.recordEventWithItem(
      tenantId,
      insurerId,
      record,
      keys.insurerCommissionStatement(tenantId, insurerId, statement.period, record.eventId),
      EntityType.InsurerCommissionStatement,
      statement,
    );
  }

  /**
   * Records an event whose whole effect is one stored item (a premium payment, a commission
   * statement): the event record and the item in one transaction, conditioned on the event being
   * new, so a repeat writes nothing ({@link ClaimTakenError}).
   */
  private async recordEventWithItem(
    tenantId: string,
    insurerId: string,
    record: EventRecord,
    key: ItemKey,
    type: string,
    body: object,
  ): Promise<void> {
    await this.db.transact(this.eventWithItemOps(tenantId, insurerId, record, key, type, body));
  }

  private eventWithItemOps(
    tenantId: string,
    insurerId: string,
    record: EventRecord,
    key: ItemKey,
    type: string,
    body: object,
  ): TransactOp[] {
    return [
      putNewOp(this.eventItem(tenantId, insurerId, record), () => new ClaimTakenError('recorded')),
      putOp(toItem(key, type, tenantId, { ...body, insurerId, eventId: record.eventId })),
    ];
  }

  /** listInsurerCommissionStatements: the statements of one period (reconciliation reads them). */
  async listCommissionStatements(tenantId: string, insurerId: string, period: string): Promise<StoredItem[]> {
    return this.db.queryAll({
      partition: keys.insurerCommissionStatements(tenantId, insurerId),
      beginsWith: `${period}#`,
    });
  }

  /** listInsurerPremiumPaymentsByPolicy. */
  async listPremiumPayments(tenantId: string, policyId: string): Promise<StoredItem[]> {
    return this.db.queryAll({ partition: keys.insurerPremiumPayments(tenantId, policyId) });
  }
}
