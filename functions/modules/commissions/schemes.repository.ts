import { type Db, replaceVersionedOp, type TransactOp } from '../../shared/db.js';
import { VersionConflictError } from '../../shared/errors.js';
import { insertItemOp } from '../../shared/item-ops.js';
import { fromItem, getRecord, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { SchemeChange, StoredScheme } from './commissions.model.js';

/** Commission schemes and their change log in DynamoDB. */
export class SchemesRepository {
  constructor(private readonly db: Db) {}

  private schemeItem(tenantId: string, scheme: StoredScheme) {
    return toItem(keys.commissionScheme(tenantId, scheme.id), EntityType.CommissionScheme, tenantId, scheme);
  }

  private changeOp(tenantId: string, change: SchemeChange): TransactOp {
    return insertItemOp(
      toItem(
        keys.commissionSchemeChange(tenantId, change.schemeId, change.id),
        EntityType.CommissionSchemeChange,
        tenantId,
        change,
      ),
    );
  }

  /** Creates a scheme and its change entries (creation, each initial version) in one transaction. */
  async insertScheme(tenantId: string, scheme: StoredScheme, changes: SchemeChange[]): Promise<void> {
    await this.db.transact([
      insertItemOp(this.schemeItem(tenantId, scheme)),
      ...changes.map((c) => this.changeOp(tenantId, c)),
    ]);
  }

  /** Replaces a scheme if still at `expectedVersion`, with the change entry in the same transaction. */
  async replaceScheme(
    tenantId: string,
    scheme: StoredScheme,
    expectedVersion: number,
    change: SchemeChange,
  ): Promise<void> {
    await this.db.transact([
      replaceVersionedOp(
        this.schemeItem(tenantId, scheme),
        expectedVersion,
        () => new VersionConflictError('CommissionScheme', scheme.id, expectedVersion),
      ),
      this.changeOp(tenantId, change),
    ]);
  }

  async getScheme(tenantId: string, schemeId: string): Promise<StoredScheme | undefined> {
    return getRecord<StoredScheme>(this.db, keys.commissionScheme(tenantId, schemeId), { consistent: true });
  }

  /** listCommissionSchemes: all of a tenant's schemes in one Query (a handful per tenant). */
  async listSchemes(tenantId: string): Promise<StoredScheme[]> {
    const items = await this.db.queryAll({ partition: keys.commissionSchemes(tenantId) });
    return items.map((i) => fromItem<StoredScheme>(i));
  }

  async listSchemeChanges(tenantId: string, schemeId: string): Promise<SchemeChange[]> {
    const items = await this.db.queryAll({ partition: keys.commissionSchemeChanges(tenantId, schemeId) });
    return items.map((i) => fromItem<SchemeChange>(i));
  }
}
