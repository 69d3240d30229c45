import { type Db, type Page, replaceVersionedOp, type TransactOp } from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { queryRecords, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { CommissionDispute } from './commissions.model.js';

type PageRequest = { limit: number; cursor: string | null };

/** Disputes of ledger lines: stored in the line's partition, open ones on the open-disputes index. */
export class DisputesRepository {
  constructor(private readonly db: Db) {}

  private disputeItem(tenantId: string, dispute: CommissionDispute) {
    return toItem(
      keys.commissionDispute(tenantId, dispute.lineId, dispute.id),
      EntityType.CommissionDispute,
      tenantId,
      dispute,
      dispute.status === 'OPEN' ? keys.openCommissionDisputeIndexes(tenantId, dispute) : {},
    );
  }

  async insertDispute(tenantId: string, dispute: CommissionDispute): Promise<void> {
    await this.db.putNew(
      this.disputeItem(tenantId, dispute),
      () => new AlreadyExistsError('CommissionDispute', 'id', dispute.id),
    );
  }

  /** Op that closes a dispute if nobody changed it since `expectedVersion` (it leaves the open list). */
  resolveDisputeOp(tenantId: string, dispute: CommissionDispute, expectedVersion: number): TransactOp {
    return replaceVersionedOp(
      this.disputeItem(tenantId, dispute),
      expectedVersion,
      () => new VersionConflictError('CommissionDispute', dispute.id, expectedVersion),
    );
  }

  /** Closes a dispute without a correction, if nobody changed it since `expectedVersion`. */
  async resolveDispute(tenantId: string, dispute: CommissionDispute, expectedVersion: number): Promise<void> {
    await this.db.transact([this.resolveDisputeOp(tenantId, dispute, expectedVersion)]);
  }

  async listOpenDisputes(tenantId: string, page: PageRequest): Promise<Page<CommissionDispute>> {
    return queryRecords<CommissionDispute>(this.db, {
      index: 'gsi4',
      partition: keys.openCommissionDisputes(tenantId),
      ...page,
    });
  }
}
