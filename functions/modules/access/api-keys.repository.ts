import type { Db, Page } from '../../shared/db.js';
import { fromItem, toItem } from '../../shared/items.js';
import { countInWindowOp } from '../../shared/rate-window.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { ApiKey } from './api-keys.model.js';

/** Raised inside the repository when a conditional write finds its condition false. */
class ConditionNotMet extends Error {}

/** API keys and their rate windows: the only code that reads or writes them. */
export class ApiKeysRepository {
  constructor(private readonly db: Db) {}

  /** getApiKey: one GetItem by tenant and key id (the tenant comes from the presented key). */
  async getApiKey(tenantId: string, keyId: string): Promise<ApiKey | undefined> {
    const item = await this.db.get(keys.apiKey(tenantId, keyId), { consistent: true });
    return item ? { ...fromItem<ApiKey>(item), tenantId } : undefined;
  }

  /** listApiKeys: the tenant's keys, newest first. */
  async listApiKeys(tenantId: string, page: { limit: number; cursor: string | null }): Promise<Page<ApiKey>> {
    const result = await this.db.queryPage({
      partition: keys.apiKeys(tenantId),
      beginsWith: keys.apiKeyPrefix,
      newestFirst: true,
      limit: page.limit,
      cursor: page.cursor,
    });
    return { ...result, items: result.items.map((i) => ({ ...fromItem<ApiKey>(i), tenantId })) };
  }

  async createApiKey(key: ApiKey): Promise<void> {
    await this.db.putNew(
      toItem(keys.apiKey(key.tenantId, key.id), EntityType.ApiKey, key.tenantId, key),
      () => new Error(`API key id ${key.id} is taken`),
    );
  }

  async updateApiKey(key: ApiKey, changes: Partial<ApiKey>): Promise<ApiKey> {
    const updated = await this.db.updateVersioned(keys.apiKey(key.tenantId, key.id), key.version, changes, {
      entity: 'ApiKey',
      id: key.id,
    });
    return { ...fromItem<ApiKey>(updated), tenantId: key.tenantId };
  }

  /**
   * Records a use unless one was recorded after `notBefore`: a conditional write, so concurrent
   * requests of a busy key write it once per interval and never bump the key's version.
   */
  async touchApiKey(key: ApiKey, at: string, notBefore: string): Promise<void> {
    const k = keys.apiKey(key.tenantId, key.id);
    await this.conditional({
      Update: {
        TableName: '',
        Key: { pk: k.pk, sk: k.sk },
        UpdateExpression: 'SET lastUsedAt = :at',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_type(lastUsedAt, :null) OR attribute_not_exists(lastUsedAt) OR lastUsedAt < :nb)',
        ExpressionAttributeValues: { ':at': at, ':nb': notBefore, ':null': 'NULL' },
      },
    });
  }

  /**
   * Counts one request in the key's fixed window; false when the window already holds `limit`
   * requests (nothing is counted then). The window item expires by TTL a window after it ends.
   */
  async countRequest(
    tenantId: string,
    keyId: string,
    windowStart: number,
    windowSeconds: number,
    limit: number,
  ): Promise<boolean> {
    const window = {
      key: keys.apiKeyRateWindow(tenantId, keyId, windowStart),
      entityType: EntityType.ApiKeyRateWindow,
      tenantId,
      windowStart,
      windowSeconds,
      limit,
    };
    return this.conditional(countInWindowOp(window, () => new ConditionNotMet()).item);
  }

  /** One conditional write; false when its condition did not hold. */
  private async conditional(item: Parameters<Db['transact']>[0][number]['item']): Promise<boolean> {
    try {
      await this.db.transact([{ item, onConditionFailed: () => new ConditionNotMet() }]);
      return true;
    } catch (error) {
      if (error instanceof ConditionNotMet) return false;
      throw error;
    }
  }
}
