import type { Principal } from '../../shared/auth/principal.js';
import { sourceOf } from './mapping.js';
import type { HolderBook, OrgUserRef, PolicyWriter, ProductLineRef } from './ports.js';
import type { EventFieldError, EventType, WebhookMapping } from './webhooks.model.js';

/** A claim (of a delivery or an event) older than this is taken over by a retry (the function's own limit is 29 s). */
export const LEASE_SECONDS = 60;
/** Time after which a delivery starts no more events (the function's limit is 29 s). */
export const DEFAULT_TIME_BUDGET_MS = 20_000;

/** What a delivery's events share: the tenant, the insurer, its mapping and reference data read once. */
export interface DeliveryContext {
  tenantId: string;
  insurerId: string;
  webhookId: string;
  principal: Principal;
  mapping: WebhookMapping;
  productLines: () => Promise<ProductLineRef[]>;
  usersByEmail: () => Promise<Map<string, OrgUserRef>>;
  /**
   * The clients and policies this delivery writes, over org reads remembered for its duration: its
   * events share an insurer, product lines and sellers, read once instead of once per event.
   */
  holders: HolderBook;
  policies: PolicyWriter;
  /** The client of each policy event applied now or before, by event id (the archive's links). */
  linked: Map<string, string>;
}

/** The time budget ran out before every event was started: the delivery is retried to finish. */
export class OutOfTimeError extends Error {
  constructor(readonly unstarted: number) {
    super(`${unstarted} events were not started within the time budget`);
  }
}

/** An event is claimed by an attempt that has not finished: the delivery must be retried, not answered. */
export class EventBusyError extends Error {
  constructor(readonly eventId: string) {
    super(`Event ${eventId} is being applied by another attempt`);
  }
}

/** A field error on our model's path, with the insurer's own path (from the mapping) beside it. */
export function withSource(ctx: DeliveryContext, type: EventType, error: EventFieldError): EventFieldError {
  const source = error.path.startsWith('data.')
    ? sourceOf(ctx.mapping.rules, type, error.path.slice(5))
    : undefined;
  return source ? { ...error, source: `data.${source}` } : error;
}
