import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TableChangeDetail } from '../../shared/change-event.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { NotFoundError } from '../../shared/errors.js';
import {
  type ChangeFailure,
  type FailedChange,
  type FailedChangeStatus,
  failedChangeId,
  isFailedChangeId,
} from './failures.model.js';
import type { FailuresRepository } from './failures.repository.js';

/** One consumer's processing of one change, through the same service method its handler calls. */
export type ChangeConsumer = (change: TableChangeDetail) => Promise<unknown>;

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}

/**
 * Keeps the changes consumers gave up on and re-delivers them on an admin's request. Consumers'
 * output keys derive from the record, so a replay after a fix writes each output once, and a replay
 * of a change already replayed does nothing.
 */
export class FailuresService {
  constructor(
    private readonly repo: FailuresRepository,
    private readonly clock: Clock,
    private readonly consumers: Readonly<Record<string, ChangeConsumer>>,
  ) {}

  /**
   * Stores a failure reported by a host (the local poller or bus, the cloud's failure-queue drain).
   * Recording the same (consumer, record) again adds its attempts and reopens it unless it was
   * replayed already (a late duplicate of a failure since fixed changes nothing). The same queue
   * message delivered again (`deliveryId`) changes nothing either: queues deliver at least once.
   */
  async record(failure: ChangeFailure): Promise<FailedChange> {
    const eventID = failure.change?.eventID ?? failure.eventID ?? failure.pointer ?? '';
    const tenantId = failure.change ? (failure.change.tenantId ?? null) : (failure.tenantId ?? null);
    const id = failedChangeId(failure.consumer, eventID);
    const existing = await this.repo.getFailedChange(tenantId, id);
    if (existing && existing.status !== 'OPEN') return existing;
    if (existing && failure.deliveryId !== undefined && existing.lastDeliveryId === failure.deliveryId)
      return existing;
    const stored: FailedChange = {
      id,
      tenantId,
      consumer: failure.consumer,
      change: failure.change ?? existing?.change ?? null,
      pointer: failure.pointer ?? existing?.pointer ?? null,
      error: failure.error.slice(0, 2000),
      attempts: (existing?.attempts ?? 0) + failure.attempts,
      firstFailedAt: existing?.firstFailedAt ?? failure.at,
      lastFailedAt: failure.at,
      status: 'OPEN',
      replayedAt: null,
      replayedBy: null,
      lastDeliveryId: failure.deliveryId ?? null,
      version: (existing?.version ?? 0) + 1,
    };
    await this.repo.saveFailedChange(stored);
    return stored;
  }

  /** The caller's tenant's failed changes, newest first, optionally of one status (admin). */
  async list(
    principal: Principal | null,
    status: FailedChangeStatus | null,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<FailedChange>> {
    const p = authorize(principal, 'failures:manage');
    return this.repo.listFailedChanges(p.tenantId, status, page);
  }

  /**
   * Re-delivers a stored change to the consumer that failed on it. Success marks it REPLAYED; a new
   * failure keeps it OPEN with the new error and one more attempt (answered as data, not thrown).
   * A change already REPLAYED or RESOLVED is answered as it is, without running the consumer again.
   */
  async replay(principal: Principal | null, id: string): Promise<FailedChange> {
    const p = authorize(principal, 'failures:manage');
    const found = isFailedChangeId(id) ? await this.repo.getFailedChange(p.tenantId, id) : undefined;
    if (!found) throw new NotFoundError('FailedChange', id);
    if (found.status !== 'OPEN') return found;
    const now = this.clock.now().toISOString();
    const consumer = this.consumers[found.consumer];
    let error: string | null = null;
    if (!found.change)
      error = `only a stream pointer was kept (${found.pointer ?? 'none'}): nothing to replay`;
    else if (!consumer) error = `no consumer named ${found.consumer}`;
    else {
      try {
        await consumer(found.change);
      } catch (e) {
        error = message(e);
      }
    }
    const next: FailedChange =
      error === null
        ? { ...found, status: 'REPLAYED', replayedAt: now, replayedBy: p.userId, version: found.version + 1 }
        : {
            ...found,
            error,
            attempts: found.attempts + 1,
            lastFailedAt: now,
            version: found.version + 1,
          };
    await this.repo.saveFailedChange(next);
    return next;
  }
}
