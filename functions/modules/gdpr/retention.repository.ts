import { type Db, putNewOp, replaceVersionedOp } from '../../shared/db.js';
import { VersionConflictError } from '../../shared/errors.js';
import { fromItem, queryAllRecords, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { RetentionSettings } from './gdpr.model.js';

/** Retention settings (one versioned item per tenant) and the clients a status list holds. */
export class RetentionRepository {
  constructor(private readonly db: Db) {}

  /** getRetentionSettings: one GetItem. */
  async getSettings(tenantId: string): Promise<RetentionSettings | undefined> {
    const item = await this.db.get(keys.retentionSettings(tenantId), { consistent: true });
    return item ? fromItem<RetentionSettings>(item) : undefined;
  }

  /** Stores the settings if the stored ones are still at `expectedVersion` (0: none stored yet). */
  async saveSettings(tenantId: string, settings: RetentionSettings, expectedVersion: number): Promise<void> {
    const conflict = () => new VersionConflictError('RetentionSettings', tenantId, expectedVersion);
    const item = toItem(keys.retentionSettings(tenantId), EntityType.RetentionSettings, tenantId, {
      ...settings,
      version: expectedVersion,
    });
    await this.db.transact([
      expectedVersion === 0
        ? putNewOp({ ...item, version: 1 }, conflict)
        : replaceVersionedOp(item, expectedVersion, conflict),
    ]);
  }

  /** listClientsByStatus, every page: the id, last change and erasure mark of each client. */
  async clientsOfStatus(
    tenantId: string,
    status: string,
  ): Promise<Array<{ id: string; updatedAt: string; erasedAt: string | null }>> {
    const items = await queryAllRecords<Record<string, unknown>>(this.db, {
      index: 'gsi2',
      partition: keys.clientsByStatus(tenantId, status),
    });
    return items.map((i) => ({
      id: String(i.id),
      updatedAt: String(i.updatedAt),
      erasedAt: typeof i.erasedAt === 'string' ? i.erasedAt : null,
    }));
  }
}
