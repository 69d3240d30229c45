import { type Db, deleteOp, putNewOp, putOp, type StoredItem, type TransactOp } from './db.js';
import { AlreadyExistsError } from './errors.js';
import { toItem } from './items.js';
import { EntityType, keys } from './table-design.js';
import type { UniqueField } from './unique-fields.js';

/**
 * The write ops every repository builds the same way: a new entity stored under its key, and the
 * claim items that keep a value unique within a tenant (a tax id, a policy number per insurer, an
 * invoice reference). One definition, so the condition and the error of each are the same everywhere.
 */

/** Op that stores a new entity's item (see `toItem`); ALREADY_EXISTS (`<type> id`) when its key is taken. */
export function insertItemOp(item: StoredItem): TransactOp {
  return putNewOp(item, () => new AlreadyExistsError(String(item.type), 'id', String(item.id)));
}

/** Who holds a unique value: the owner's type and id, and whatever else the claim records. */
export interface UniqueOwner {
  ownerType: string;
  ownerId: string;
  [attribute: string]: string;
}

/** Op that claims `value` of `field` for its owner; `onTaken` when another owner holds it. */
export function claimUniqueOp(
  tenantId: string,
  field: UniqueField,
  value: string,
  owner: UniqueOwner,
  onTaken: () => Error,
): TransactOp {
  return putNewOp(toItem(keys.unique(tenantId, field, value), EntityType.Unique, tenantId, owner), onTaken);
}

/** Op that hands an existing claim to another owner (a renewal keeping its policy number). */
export function reassignUniqueOp(
  tenantId: string,
  field: UniqueField,
  value: string,
  owner: UniqueOwner,
): TransactOp {
  return putOp(toItem(keys.unique(tenantId, field, value), EntityType.Unique, tenantId, owner));
}

/** Op that gives a value up (its owner changed it or is gone). */
export function releaseUniqueOp(tenantId: string, field: UniqueField, value: string): TransactOp {
  return deleteOp(keys.unique(tenantId, field, value));
}

/** The claim on a value; strongly consistent by default (a claim written a moment ago must be seen). */
export function uniqueClaim(
  db: Db,
  tenantId: string,
  field: UniqueField,
  value: string,
  consistent = true,
): Promise<StoredItem | undefined> {
  return db.get(keys.unique(tenantId, field, value), { consistent });
}
