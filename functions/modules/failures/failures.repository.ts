import type { Db, Page, StoredItem } from '../../shared/db.js';
import { fromItem, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { FailedChange, FailedChangeStatus } from './failures.model.js';

type PageRequest = { limit: number; cursor: string | null };

/** fromItem drops the storage attribute `tenantId`, which a failed change keeps (null: system partition). */
function toFailedChange(item: StoredItem): FailedChange {
  return { ...fromItem<FailedChange>(item), tenantId: (item.tenantId as string | null) ?? null };
}

/** The failure store: one item per (consumer, change record), in the tenant's partition. */
export class FailuresRepository {
  constructor(private readonly db: Db) {}

  /** getFailedChange */
  async getFailedChange(tenantId: string | null, id: string): Promise<FailedChange | undefined> {
    const item = await this.db.get(keys.failedChange(tenantId, id), { consistent: true });
    return item ? toFailedChange(item) : undefined;
  }

  /** listFailedChanges / listFailedChangesByStatus: newest first. */
  async listFailedChanges(
    tenantId: string,
    status: FailedChangeStatus | null,
    page: PageRequest,
  ): Promise<Page<FailedChange>> {
    const result = await this.db.queryPage({
      index: status ? 'gsi2' : 'gsi1',
      partition: status ? keys.failedChangesByStatus(tenantId, status) : keys.failedChanges(tenantId),
      newestFirst: true,
      limit: page.limit,
      cursor: page.cursor,
    });
    return { ...result, items: result.items.map(toFailedChange) };
  }

  /** Writes the whole item; its key is derived from (consumer, record), so a rewrite replaces it. */
  async saveFailedChange(failure: FailedChange): Promise<void> {
    const item = toItem(
      keys.failedChange(failure.tenantId, failure.id),
      EntityType.FailedChange,
      failure.tenantId ?? '',
      failure,
      keys.failedChangeIndexes(failure.tenantId, failure),
    );
    await this.db.put({ ...item, tenantId: failure.tenantId });
  }
}
