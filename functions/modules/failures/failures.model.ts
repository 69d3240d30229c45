import { createHash } from 'node:crypto';
import type { TableChangeDetail } from '../../shared/change-event.js';

/** Where a failed change stands: OPEN until a replay succeeds (REPLAYED) or an admin settles it (RESOLVED). */
export type FailedChangeStatus = 'OPEN' | 'REPLAYED' | 'RESOLVED';

/**
 * A change record a consumer gave up on after its retries, kept so nothing is lost silently: the
 * record itself (the bus detail, which both consumer kinds take), who failed and why.
 */
export interface FailedChange {
  id: string;
  /** Null for a record that names no tenant (stored in the system partition). */
  tenantId: string | null;
  /** The catalog function that gave up (`commissions`, `debtors`). */
  consumer: string;
  /** The change as the consumer takes it; absent when only a stream pointer could be kept. */
  change: TableChangeDetail | null;
  /** Where the record sat in the stream, for records that could not be read back (cloud). */
  pointer: string | null;
  error: string;
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  status: FailedChangeStatus;
  replayedAt: string | null;
  replayedBy: string | null;
  /** The failure-queue message that last reported it: a redelivery of that message changes nothing. */
  lastDeliveryId?: string | null;
  version: number;
}

/** What a host reports when it gives up on one record for one consumer. */
export interface ChangeFailure {
  consumer: string;
  change: TableChangeDetail | null;
  /** The stream record's id when `change` is missing (the id it would carry). */
  eventID?: string;
  tenantId?: string | null;
  pointer?: string | null;
  error: string;
  attempts: number;
  at: string;
  /** The queue message that reported it (cloud drain), so a redelivered message is recorded once. */
  deliveryId?: string;
}

const ID_SHAPE = /^[0-9a-f]{32}$/;

/**
 * The same (consumer, record) always gets the same id, so a failure recorded twice (a host retrying
 * the write, a queue redelivering) is one item. The stream's eventID is stable across redeliveries.
 */
export function failedChangeId(consumer: string, eventID: string): string {
  return createHash('sha256').update(`${consumer}\n${eventID}`).digest('hex').slice(0, 32);
}

/** Whether a string can be a failed change's id; anything else is NOT_FOUND before a key is built. */
export function isFailedChangeId(id: string): boolean {
  return ID_SHAPE.test(id);
}
