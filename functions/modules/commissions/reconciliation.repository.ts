import type { Db } from '../../shared/db.js';
import { fromItem, getRecord, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { ReconciliationRow, StatementMapping } from './commissions.model.js';

/** Insurers' statement column mappings and the reconciliation of each statement month. */
export class ReconciliationRepository {
  constructor(private readonly db: Db) {}

  async getStatementMapping(tenantId: string, insurerId: string): Promise<StatementMapping | undefined> {
    return getRecord<StatementMapping>(this.db, keys.commissionStatementMapping(tenantId, insurerId));
  }

  async putStatementMapping(tenantId: string, insurerId: string, mapping: StatementMapping): Promise<void> {
    await this.db.put(
      toItem(
        keys.commissionStatementMapping(tenantId, insurerId),
        EntityType.CommissionStatementMapping,
        tenantId,
        {
          ...mapping,
          insurerId,
        },
      ),
    );
  }

  async listReconciliation(
    tenantId: string,
    insurerId: string,
    period: string,
  ): Promise<ReconciliationRow[]> {
    const items = await this.db.queryAll({
      partition: keys.commissionReconciliation(tenantId, insurerId, period),
    });
    return items.map((i) => fromItem<ReconciliationRow>(i));
  }

  /**
   * Replaces a month's reconciliation with a new one (a re-import of the same statement gives the
   * same items; rows that no longer exist are removed). Idempotent, so batched rather than atomic.
   */
  async replaceReconciliation(
    tenantId: string,
    insurerId: string,
    period: string,
    rows: ReconciliationRow[],
  ): Promise<void> {
    const keyOf = (r: ReconciliationRow) =>
      keys.commissionReconciliationRow(
        tenantId,
        insurerId,
        period,
        Buffer.from(r.policyNumber).toString('base64url'),
      );
    const fresh = new Set(rows.map((r) => keyOf(r).sk));
    const stale = (await this.listReconciliation(tenantId, insurerId, period))
      .map(keyOf)
      .filter((k) => !fresh.has(k.sk));
    await this.db.batchWrite(
      rows.map((r) => toItem(keyOf(r), EntityType.CommissionReconciliationRow, tenantId, r)),
      stale,
    );
  }
}
