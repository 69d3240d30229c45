import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { NotFoundError, RuleViolationError, ValidationFailedError } from '../../shared/errors.js';
import type { ObjectStore } from '../../shared/object-store.js';
import { isJsonContentType, MAX_BODY_DEPTH, withinDepth } from './body-limits.js';
import type { DeliveryRateLimits } from './delivery-limits.js';
import type { WebhookEvents } from './event-application.js';
import { type InsurerDirectory, requireInsurer } from './ports.js';
import { EventBusyError, LEASE_SECONDS, OutOfTimeError } from './processing.js';
import {
  asResponse,
  countsOf,
  type Processed,
  problem,
  rateLimited,
  responseOf,
  unauthorized,
  type WebhookRequest,
  type WebhookResponse,
} from './responses.js';
import { verifySignature } from './signature.js';
import { type DeliveryReport, SAFE_ID, type WebhookDelivery } from './webhooks.model.js';
import { ClaimTakenError, type WebhooksRepository } from './webhooks.repository.js';

/** Delivery ids are remembered this long: well past the senders' retry window (Standard Webhooks: ~76 h). */
export const DEDUPE_TTL_SECONDS = 7 * 24 * 3600;
/** How long a repeat waits for the first copy of a delivery that is still being processed. */
const WAIT_FOR_FIRST_MS = 20_000;
const POLL_MS = 100;

/** Where verified deliveries are archived before anything else happens. */
export interface ArchiveTarget {
  store: ObjectStore;
  bucket: string;
}

/**
 * Records which clients a processed delivery's archive concerns (GDPR reaches the archive through
 * it); idempotent, and called before the answer is stored so a retry after a failure links again.
 */
export type LinkArchive = (
  tenantId: string,
  delivery: Pick<WebhookDelivery, 'insurerId' | 'webhookId' | 'archiveKey' | 'receivedAt'>,
  processed: Processed,
) => Promise<void>;

/** Facts about a refused or failed delivery that may be logged: never the body. */
export type WebhookLog = (message: string, fields: Record<string, unknown>) => void;

/** The S3 key of an archived delivery: by tenant, insurer, day of the signed timestamp, and webhook id. */
export function archiveKeyOf(
  tenantId: string,
  insurerId: string,
  timestamp: Date,
  webhookId: string,
): string {
  return `webhooks/${tenantId}/${insurerId}/${timestamp.toISOString().slice(0, 10)}/${webhookId}.json`;
}

/**
 * Insurer webhook deliveries: verifies a delivery (Standard Webhooks), archives its raw body, claims
 * it under a lease, answers repeats of a delivery as the first was answered, and keeps the log of
 * deliveries an admin lists and reprocesses. What the events say is applied by {@link WebhookEvents}.
 */
export class WebhookDeliveryService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly insurers: InsurerDirectory,
    private readonly events: WebhookEvents,
    private readonly clock: Clock,
    private readonly archive: ArchiveTarget | null,
    private readonly log: WebhookLog = () => undefined,
    private readonly linkArchive: LinkArchive = async () => undefined,
    private readonly limits: DeliveryRateLimits | null = null,
  ) {}

  /**
   * Handles one delivery end to end. Refusals (401) write nothing and log no body. A verified
   * delivery already answered gets that answer again and writes nothing. Otherwise the raw body is
   * archived first; only then is the delivery claimed, processed and its answer stored.
   */
  async receive(req: WebhookRequest): Promise<WebhookResponse> {
    const { insurerId } = req;
    if (!SAFE_ID.test(insurerId)) return unauthorized();
    const registration = await this.insurers.activeWebhookSecrets(insurerId);
    if (!registration) {
      this.log('webhook refused', { insurerId, reason: 'UNKNOWN_INSURER' });
      return unauthorized();
    }
    const verified = verifySignature(
      {
        id: req.headers['webhook-id'],
        timestamp: req.headers['webhook-timestamp'],
        signature: req.headers['webhook-signature'],
      },
      req.body,
      registration.secrets,
      this.clock.now(),
    );
    if (!verified.ok) {
      this.log('webhook refused', { insurerId, reason: verified.reason });
      return unauthorized();
    }
    const { webhookId } = verified;
    // Refused before anything is stored or parsed; the same delivery gets the same answer again.
    if (!isJsonContentType(req.headers['content-type'])) {
      return problem(
        415,
        'unsupported-media-type',
        'A delivery must be application/json',
        'UNSUPPORTED_MEDIA_TYPE',
        {
          detail: `Send the body with content-type: application/json (received ${JSON.stringify(req.headers['content-type'] ?? null)}).`,
        },
      );
    }
    if (!withinDepth(req.body)) {
      return problem(400, 'too-deep', 'The delivery is nested too deeply', 'BAD_USER_INPUT', {
        detail: `Objects and arrays may be nested at most ${MAX_BODY_DEPTH} levels deep.`,
        fieldErrors: [{ path: 'body', message: `is nested deeper than ${MAX_BODY_DEPTH} levels` }],
      });
    }
    if (!SAFE_ID.test(webhookId)) {
      return problem(400, 'invalid-webhook-id', 'Unusable webhook-id', 'BAD_USER_INPUT', {
        fieldErrors: [{ path: 'webhook-id', message: 'must be 1–100 letters, digits or _ . : @ + -' }],
      });
    }
    const tenantId = registration.tenantId;
    const seen = await this.repo.getDedupe(tenantId, insurerId, webhookId);
    if (seen?.state === 'DONE' && seen.response) return asResponse(seen.response);
    // After the repeat check (an answered delivery is answered again for free), before anything is
    // stored: a refused delivery leaves no archive, claim or log entry, so its retry starts afresh.
    const wait = this.limits?.admit(tenantId, insurerId) ?? 0;
    if (wait > 0) {
      this.log('webhook refused', { insurerId, reason: 'RATE_LIMITED', retryAfterSeconds: wait });
      return rateLimited(wait);
    }

    if (!this.archive) throw new Error('No archive bucket is configured for webhook deliveries');
    const archiveKey = archiveKeyOf(tenantId, insurerId, verified.timestamp, webhookId);
    await this.archive.store.put(this.archive.bucket, archiveKey, req.body, 'application/json');

    const receivedAt = this.clock.now();
    const unanswered: WebhookDelivery = {
      insurerId,
      webhookId,
      receivedAt: receivedAt.toISOString(),
      archiveKey,
      bodyBytes: Buffer.byteLength(req.body),
      statusCode: 0,
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      reprocessedAt: null,
      version: 1,
    };
    try {
      await this.repo.claimDelivery(
        tenantId,
        insurerId,
        webhookId,
        receivedAt,
        LEASE_SECONDS,
        DEDUPE_TTL_SECONDS,
        unanswered,
      );
    } catch (error) {
      if (error instanceof ClaimTakenError) return this.awaitFirstAnswer(tenantId, insurerId, webhookId);
      throw error;
    }
    try {
      const processed = await this.events.process(tenantId, insurerId, webhookId, req.body);
      await this.linkArchive(tenantId, unanswered, processed);
      const response = responseOf(processed);
      const delivery: WebhookDelivery = {
        ...unanswered,
        statusCode: response.statusCode,
        ...countsOf(processed),
      };
      await this.repo.completeDelivery(
        tenantId,
        delivery,
        { statusCode: response.statusCode, body: response.body },
        this.clock.now(),
        DEDUPE_TTL_SECONDS,
      );
      return response;
    } catch (error) {
      await this.repo.releaseDelivery(tenantId, insurerId, webhookId).catch(() => undefined);
      if (error instanceof OutOfTimeError) {
        this.log('webhook delivery out of time', { insurerId, webhookId, unstarted: error.unstarted });
        return problem(
          503,
          'out-of-time',
          'The delivery was applied in part; retry it to finish',
          'CONFLICT',
          {
            detail: `${error.unstarted} events were not started in time; a retry applies them (those applied are not repeated).`,
          },
        );
      }
      if (error instanceof EventBusyError) {
        // Not stored as the answer: the retry, after the holder's lease, applies the event.
        return problem(
          503,
          'event-in-progress',
          'An event of this delivery is being applied elsewhere',
          'CONFLICT',
          {
            detail: `Event ${error.eventId} is held by another attempt; retry the delivery later.`,
          },
        );
      }
      throw error;
    }
  }

  /** A repeat that arrived while the first copy is being processed waits for its answer. */
  private async awaitFirstAnswer(
    tenantId: string,
    insurerId: string,
    webhookId: string,
  ): Promise<WebhookResponse> {
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const seen = await this.repo.getDedupe(tenantId, insurerId, webhookId);
      if (seen?.state === 'DONE' && seen.response) return asResponse(seen.response);
    }
    return problem(409, 'delivery-in-progress', 'This delivery is still being processed', 'CONFLICT', {
      detail: 'Retry later: the first copy of this webhook-id has not finished.',
    });
  }

  // ---- admin: the log of deliveries, replay -------------------------------------------------

  /** Archived deliveries of an insurer, newest first (one Query on the by-insurer-and-date index). */
  async listDeliveries(
    principal: Principal | null,
    insurerId: string,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<WebhookDelivery>> {
    const p = authorize(principal, 'webhooks:manage');
    await requireInsurer(this.insurers, p.tenantId, insurerId);
    return this.repo.listDeliveries(p.tenantId, insurerId, page);
  }

  /**
   * Processes an archived delivery again from its stored body, e.g. after fixing the mapping. Events
   * applied before are duplicates (nothing is written twice); ones rejected before are tried again.
   */
  async reprocessDelivery(
    principal: Principal | null,
    insurerId: string,
    webhookId: string,
  ): Promise<DeliveryReport> {
    const p = authorize(principal, 'webhooks:manage');
    await requireInsurer(this.insurers, p.tenantId, insurerId);
    if (!SAFE_ID.test(webhookId)) throw new NotFoundError('WebhookDelivery', webhookId);
    const delivery = await this.repo.getDelivery(p.tenantId, insurerId, webhookId);
    if (!delivery || !this.archive) throw new NotFoundError('WebhookDelivery', webhookId);
    const stored = await this.archive.store.get(this.archive.bucket, delivery.archiveKey);
    if (!stored) throw new NotFoundError('WebhookArchive', delivery.archiveKey);
    let processed: Processed;
    try {
      processed = await this.events.process(
        p.tenantId,
        insurerId,
        webhookId,
        Buffer.from(stored).toString('utf8'),
      );
    } catch (error) {
      if (error instanceof OutOfTimeError) {
        throw new RuleViolationError(`${error.message}; run the replay again to finish`, {
          unstarted: error.unstarted,
        });
      }
      if (error instanceof EventBusyError) {
        throw new RuleViolationError(`${error.message}; retry the replay in a minute`, {
          eventId: error.eventId,
        });
      }
      throw error;
    }
    if (processed.kind === 'invalid')
      throw new ValidationFailedError('The archived body is not a valid delivery', processed.errors);
    await this.linkArchive(p.tenantId, delivery, processed);
    await this.repo.saveDelivery(p.tenantId, {
      ...delivery,
      ...countsOf(processed),
      reprocessedAt: this.clock.now().toISOString(),
    });
    return processed.report;
  }
}
