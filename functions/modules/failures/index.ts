/**
 * The failures module's public entry: the failure store (what a consumer gave up on, listed and
 * replayed by admins) and the reading of cloud failure-queue messages into it.
 */
import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { FailuresRepository } from './failures.repository.js';
import { type ChangeConsumer, FailuresService } from './failures.service.js';

export type {
  FailureMessage,
  FailureRoute,
  StreamBatch,
  StreamBatchInfo,
  StreamBatchReader,
} from './failure-messages.js';
export { batchPointer, failuresOfMessage } from './failure-messages.js';
export type { ChangeFailure, FailedChange, FailedChangeStatus } from './failures.model.js';
export { failedChangeId, isFailedChangeId } from './failures.model.js';
export type { ChangeConsumer, FailuresService } from './failures.service.js';

/** The failure store over the table; `consumers` are what a replay calls, by catalog name. */
export function createFailuresModule(
  db: Db,
  clock: Clock,
  consumers: Readonly<Record<string, ChangeConsumer>>,
): FailuresService {
  return new FailuresService(new FailuresRepository(db), clock, consumers);
}

/**
 * The failure store for recording only (the cloud's failure drain): it replays nothing, so it needs
 * no consumer and its function bundles none of the modules a replay calls.
 */
export function createFailureRecorder(db: Db, clock: Clock): Pick<FailuresService, 'record'> {
  return new FailuresService(new FailuresRepository(db), clock, {});
}
