import type { Db } from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { getRecord, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';

/** A scheduled report's e-mail as recorded before its send: PENDING under a lease, then SENT (or SKIPPED). */
export interface ReportDispatch {
  id: string;
  status: 'PENDING' | 'SENT' | 'SKIPPED';
  to: string;
  jobId: string | null;
  recordedAt: string;
  sentAt: string | null;
  /** A run holds the record until then; empty when a failed send gave it back. */
  leaseUntil: string;
  attempts: number;
  version: number;
}

/**
 * Scheduled report e-mails recorded before they are sent, so each goes out once: the first run
 * records it (conditional put) and holds a lease while it builds and sends; a failure gives the lease
 * back and a later run takes the PENDING record over; SENT and SKIPPED are final. Every move is a
 * versioned update, so of two runs only one holds a record.
 */
export class DispatchRepository {
  constructor(private readonly db: Db) {}

  get(tenantId: string, id: string): Promise<ReportDispatch | undefined> {
    return getRecord<ReportDispatch>(this.db, keys.reportDispatch(tenantId, id), { consistent: true });
  }

  /** Records a new dispatch; false when one was recorded already. */
  async record(tenantId: string, dispatch: ReportDispatch): Promise<boolean> {
    try {
      await this.db.putNew(
        toItem(keys.reportDispatch(tenantId, dispatch.id), EntityType.ReportDispatch, tenantId, dispatch),
        () => new AlreadyExistsError('ReportDispatch', 'id', dispatch.id),
      );
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  /** Moves a dispatch on if it is still at its version; false when another run moved it first. */
  async move(tenantId: string, dispatch: ReportDispatch, changes: Partial<ReportDispatch>): Promise<boolean> {
    try {
      await this.db.updateVersioned(keys.reportDispatch(tenantId, dispatch.id), dispatch.version, changes, {
        entity: 'ReportDispatch',
        id: dispatch.id,
      });
      return true;
    } catch (error) {
      if (error instanceof VersionConflictError) return false;
      throw error;
    }
  }
}
