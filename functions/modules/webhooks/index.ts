import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { linkDeliveryToClients, WebhookArchives } from './archive-links.js';
import { type ArchiveTarget, WebhookDeliveryService, type WebhookLog } from './delivery.service.js';
import { type DeliveryLimitSettings, DeliveryRateLimits } from './delivery-limits.js';
import { WebhookEvents } from './event-application.js';
import { WebhookMappingsService } from './mappings.service.js';
import type { InsurerDirectory, OpenDeliveryBook, OrgReference } from './ports.js';
import { DEFAULT_TIME_BUDGET_MS } from './processing.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** The webhooks module's public entry: its composition and the types its callers name. */
export type {
  ArchivedDeliveryOfClient,
  ArchiveScrubOutcome,
  WebhookArchiveLink,
  WebhookArchives,
} from './archive-links.js';
export type { ArchiveTarget, WebhookLog } from './delivery.service.js';
export type { DeliveryLimitSettings } from './delivery-limits.js';
export type {
  DeliveryBook,
  HolderBook,
  HolderKey,
  InsurerDirectory,
  InsurerPolicy,
  OpenDeliveryBook,
  OrgReference,
  OrgUserRef,
  PolicyWriter,
  ProductLineRef,
} from './ports.js';
export type { WebhookRequest, WebhookResponse } from './responses.js';
export type { DeliveryReport, EventOutcome, WebhookDelivery, WebhookMapping } from './webhooks.model.js';

/** What the webhooks module needs: the data layer, the clock, other modules through narrow ports, and the adapters. */
export interface WebhooksDeps {
  db: Db;
  clock: Clock;
  insurers: InsurerDirectory;
  org: OrgReference;
  openBook: OpenDeliveryBook;
  /** Where insurer webhook deliveries are archived (the webhook function has the bucket). */
  archive: ArchiveTarget | null;
  /** Where refused webhook deliveries are logged (reasons only, never a body). */
  log?: WebhookLog;
  /**
   * After this long, no further event of a delivery is started: the answer is then a 503 so the
   * insurer retries, and the retry carries on where this attempt stopped (events applied are
   * duplicates by their id). Keeps every attempt inside the function's 29-second limit.
   */
  timeBudgetMs?: number;
  /** Per-tenant and per-insurer delivery limits (the webhook function's); omitted: none. */
  deliveryLimits?: DeliveryLimitSettings;
}

/** The webhooks module's services. */
export interface WebhooksModule {
  /** Receiving deliveries (verify, dedupe, lease, archive, answer), their log and reprocessing. */
  deliveries: WebhookDeliveryService;
  /** Insurers' field mappings. */
  mappings: WebhookMappingsService;
}

/** Wires the webhooks module over one repository. */
export function createWebhooksModule(deps: WebhooksDeps): WebhooksModule {
  const repo = new WebhooksRepository(deps.db);
  const events = new WebhookEvents(
    repo,
    deps.openBook,
    deps.clock,
    deps.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS,
  );
  return {
    deliveries: new WebhookDeliveryService(
      repo,
      deps.insurers,
      events,
      deps.clock,
      deps.archive,
      deps.log,
      (tenantId, delivery, processed) => linkDeliveryToClients(deps.db, tenantId, delivery, processed),
      deps.deliveryLimits ? new DeliveryRateLimits(deps.deliveryLimits, deps.clock) : null,
    ),
    mappings: new WebhookMappingsService(repo, deps.insurers, deps.org, deps.clock),
  };
}

/**
 * The archived deliveries that concern a client, for data subject requests (export and erasure):
 * reached through the GDPR module's port, so it needs none of the delivery code.
 */
export function createWebhookArchives(db: Db, archive: ArchiveTarget): WebhookArchives {
  return new WebhookArchives(db, archive);
}
