import type { Db, Page, QueryPageInput } from '../../shared/db.js';
import { fromItem } from '../../shared/items.js';
import { keys } from '../../shared/table-design.js';
import type { AuditEntry } from './audit.model.js';

/** Which list to read and how to narrow it: every one sorts by time, then entry id. */
export interface AuditQuery {
  entity?: { type: string; id: string };
  actorId?: string;
  entityType?: string;
  from?: string | null;
  to?: string | null;
}

/** Audit entries: written by the data layer with each change (shared/audit.ts); read here only. */
export class AuditRepository {
  constructor(private readonly db: Db) {}

  /**
   * listAuditByEntity (table), listAuditByActor (gsi1) or listAuditOfTenant (gsi2), newest first,
   * within [from, to]; a second criterion the chosen list's key does not hold is a filter.
   */
  async listAudit(
    tenantId: string,
    query: AuditQuery,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<AuditEntry>> {
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let target: Pick<QueryPageInput, 'index' | 'partition'>;
    if (query.entity) {
      target = { partition: keys.auditOfEntity(tenantId, query.entity.type, query.entity.id) };
      if (query.actorId) {
        filters.push('#actor = :actor');
        names['#actor'] = 'actorId';
        values[':actor'] = query.actorId;
      }
    } else if (query.actorId) {
      target = { index: 'gsi1', partition: keys.auditOfActor(tenantId, query.actorId) };
    } else {
      target = { index: 'gsi2', partition: keys.auditOfTenant(tenantId) };
    }
    if (!query.entity && query.entityType) {
      filters.push('#entityType = :entityType');
      names['#entityType'] = 'entityType';
      values[':entityType'] = query.entityType;
    }
    const result = await this.db.queryPage({
      ...target,
      between: [query.from ?? '0000', `${query.to ?? '9999'}#~`],
      newestFirst: true,
      limit: page.limit,
      cursor: page.cursor,
      ...(filters.length ? { filter: { expression: filters.join(' AND '), names, values } } : {}),
    });
    return { ...result, items: result.items.map((i) => fromItem<AuditEntry>(i)) };
  }
}
