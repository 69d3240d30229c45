import type { RoleChanges } from '../../shared/auth/role-permissions.js';
import { type Db, putNewOp, replaceVersionedOp } from '../../shared/db.js';
import { VersionConflictError } from '../../shared/errors.js';
import { fromItem, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';

/** A tenant's stored changes to its roles' default permissions. */
export interface StoredRolePermissions {
  roles: RoleChanges;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/** The tenant's role permissions: one item, optimistically locked. */
export class RolePermissionsRepository {
  constructor(private readonly db: Db) {}

  /** getRolePermissions: one GetItem (the GraphQL context's, once per request). */
  async getRolePermissions(tenantId: string): Promise<StoredRolePermissions | undefined> {
    const item = await this.db.get(keys.rolePermissions(tenantId), { consistent: true });
    return item ? fromItem<StoredRolePermissions>(item) : undefined;
  }

  /** Stores the tenant's changes if the stored ones are still at `expectedVersion` (0: none stored yet). */
  async saveRolePermissions(
    tenantId: string,
    record: Omit<StoredRolePermissions, 'version'>,
    expectedVersion: number,
  ): Promise<StoredRolePermissions> {
    const conflict = () => new VersionConflictError('RolePermissions', tenantId, expectedVersion);
    const item = toItem(keys.rolePermissions(tenantId), EntityType.RolePermissions, tenantId, {
      ...record,
      version: expectedVersion,
    });
    await this.db.transact([
      expectedVersion === 0
        ? putNewOp({ ...item, version: 1 }, conflict)
        : replaceVersionedOp(item, expectedVersion, conflict),
    ]);
    return { ...record, version: expectedVersion + 1 };
  }
}
