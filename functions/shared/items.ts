import type { StoredItem } from './db.js';
import { type ItemKey, STORAGE_ATTRIBUTES } from './table-design.js';

/** Strips keys and storage attributes from an item, leaving the domain record (version included). */
export function fromItem<T>(item: StoredItem): T {
  const record: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (!STORAGE_ATTRIBUTES.has(k)) record[k] = v;
  }
  return record as T;
}

/** Wraps a domain record into a stored item with its key, entity type and tenant. */
export function toItem(
  key: ItemKey,
  type: string,
  tenantId: string,
  record: object,
  indexKeys: Record<string, string> = {},
): StoredItem {
  const version = (record as { version?: number }).version ?? 1;
  return { ...record, ...indexKeys, pk: key.pk, sk: key.sk, type, tenantId, version };
}
