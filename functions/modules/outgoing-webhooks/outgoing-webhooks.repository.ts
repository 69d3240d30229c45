import type { Db, Page } from '../../shared/db.js';
import { AlreadyExistsError } from '../../shared/errors.js';
import { fromItem, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { WebhookEndpoint, WebhookEndpointDelivery } from './outgoing-webhooks.model.js';

type PageRequest = { limit: number; cursor: string | null };

/** Outgoing webhook endpoints and their deliveries: the only code that reads or writes them. */
export class OutgoingWebhooksRepository {
  constructor(private readonly db: Db) {}

  /** getWebhookEndpoint */
  async getEndpoint(tenantId: string, id: string): Promise<WebhookEndpoint | undefined> {
    const item = await this.db.get(keys.hookEndpoint(tenantId, id), { consistent: true });
    return item ? { ...fromItem<WebhookEndpoint>(item), tenantId } : undefined;
  }

  /** listWebhookEndpoints: the tenant's endpoints, newest first. */
  async listEndpoints(tenantId: string, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    const result = await this.db.queryPage({
      partition: keys.hookEndpoints(tenantId),
      beginsWith: keys.hookEndpointPrefix,
      newestFirst: true,
      ...page,
    });
    return { ...result, items: result.items.map((i) => ({ ...fromItem<WebhookEndpoint>(i), tenantId })) };
  }

  /** Every endpoint of the tenant (a small collection), for fanning an event out. */
  async allEndpoints(tenantId: string): Promise<WebhookEndpoint[]> {
    const items = await this.db.queryAll({
      partition: keys.hookEndpoints(tenantId),
      beginsWith: keys.hookEndpointPrefix,
    });
    return items.map((i) => ({ ...fromItem<WebhookEndpoint>(i), tenantId }));
  }

  async createEndpoint(endpoint: WebhookEndpoint): Promise<void> {
    const key = keys.hookEndpoint(endpoint.tenantId, endpoint.id);
    await this.db.putNew(
      toItem(key, EntityType.WebhookEndpoint, endpoint.tenantId, endpoint),
      () => new AlreadyExistsError('WebhookEndpoint', 'id', endpoint.id),
    );
  }

  async updateEndpoint(
    endpoint: WebhookEndpoint,
    changes: Partial<WebhookEndpoint>,
  ): Promise<WebhookEndpoint> {
    const updated = await this.db.updateVersioned(
      keys.hookEndpoint(endpoint.tenantId, endpoint.id),
      endpoint.version,
      changes,
      {
        entity: 'WebhookEndpoint',
        id: endpoint.id,
      },
    );
    return { ...fromItem<WebhookEndpoint>(updated), tenantId: endpoint.tenantId };
  }

  /** getWebhookEndpointDelivery */
  async getDelivery(
    tenantId: string,
    endpointId: string,
    id: string,
  ): Promise<WebhookEndpointDelivery | undefined> {
    const item = await this.db.get(keys.hookDelivery(tenantId, endpointId, id), { consistent: true });
    return item ? { ...fromItem<WebhookEndpointDelivery>(item), tenantId } : undefined;
  }

  /** Creates a delivery; false when it exists already (the same change delivered again by the bus). */
  async createDelivery(delivery: WebhookEndpointDelivery): Promise<boolean> {
    try {
      await this.db.putNew(
        this.deliveryItem(delivery),
        () => new AlreadyExistsError('WebhookEndpointDelivery', 'id', delivery.id),
      );
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  /** Writes a delivery after an attempt; in the due index only while it waits for a retry. */
  async saveDelivery(delivery: WebhookEndpointDelivery): Promise<void> {
    await this.db.put(this.deliveryItem(delivery));
  }

  /** listWebhookEndpointDeliveries: an endpoint's deliveries, newest first. */
  async listDeliveries(
    tenantId: string,
    endpointId: string,
    page: PageRequest,
  ): Promise<Page<WebhookEndpointDelivery>> {
    const result = await this.db.queryPage({
      partition: keys.hookDeliveries(tenantId, endpointId),
      beginsWith: keys.hookDeliveryPrefix,
      newestFirst: true,
      ...page,
    });
    return {
      ...result,
      items: result.items.map((i) => ({ ...fromItem<WebhookEndpointDelivery>(i), tenantId })),
    };
  }

  /** listWebhookDeliveriesDue: deliveries whose retry is due by `now`, oldest first. */
  async listDue(tenantId: string, now: string, limit: number): Promise<WebhookEndpointDelivery[]> {
    const result = await this.db.queryPage({
      index: 'gsi1',
      partition: keys.hookDeliveriesDue(tenantId),
      between: ['0', `${now}#~`],
      limit,
    });
    return result.items.map((i) => ({ ...fromItem<WebhookEndpointDelivery>(i), tenantId }));
  }

  private deliveryItem(d: WebhookEndpointDelivery) {
    const due =
      d.status === 'PENDING' && d.nextAttemptAt
        ? keys.hookDeliveryDueIndexes(d.tenantId, {
            endpointId: d.endpointId,
            id: d.id,
            nextAttemptAt: d.nextAttemptAt,
          })
        : {};
    return toItem(
      keys.hookDelivery(d.tenantId, d.endpointId, d.id),
      EntityType.WebhookEndpointDelivery,
      d.tenantId,
      d,
      due,
    );
  }
}
