import { randomBytes } from 'node:crypto';
import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TableChangeDetail } from '../../shared/change-event.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { NotFoundError, ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { logger } from '../../shared/logger.js';
import { parseInput } from '../../shared/validation.js';
import {
  checkedAddresses,
  dnsResolver,
  type EndpointUrlPolicy,
  type HostResolver,
  PUBLIC_ONLY,
  urlProblem,
} from './endpoint-url.js';
import {
  backoffMs,
  CreateWebhookEndpointInputSchema,
  DELIVERY_TIMEOUT_MS,
  type DeliveryAttempt,
  deliveryId,
  EVENT_TYPES,
  eventsOf,
  FAILURE_LIMIT,
  RETRY_WINDOW_MS,
  type WebhookEndpoint,
  type WebhookEndpointDelivery,
} from './outgoing-webhooks.model.js';
import type { OutgoingWebhooksRepository } from './outgoing-webhooks.repository.js';
import { pinnedSender, type WebhookRequest } from './pinned-sender.js';

type PageRequest = { limit: number; cursor: string | null };

/**
 * Sends one signed request to the checked addresses of its host (`request.addresses`); answers the
 * HTTP status, throws on a network failure or timeout.
 */
export type WebhookSender = (request: WebhookRequest) => Promise<number>;

/** What the module asks of the org: the tenants, for the retry schedule. */
export interface TenantDirectory {
  listTenantIds(): Promise<string[]>;
}

/**
 * Outgoing webhooks: integrators register endpoints and event types; each table change that means
 * an event becomes one delivery per subscribed endpoint, signed the Standard Webhooks way, tried at
 * once and then retried with exponential backoff for 24 h by a schedule, every attempt logged with
 * its status and latency; an endpoint whose attempts keep failing is disabled with a notice.
 */
export class OutgoingWebhooksService {
  constructor(
    private readonly repo: OutgoingWebhooksRepository,
    private readonly clock: Clock,
    private readonly tenants: TenantDirectory,
    private readonly send: WebhookSender = pinnedSender,
    private readonly urls: { policy: EndpointUrlPolicy; resolve: HostResolver } = {
      policy: PUBLIC_ONLY,
      resolve: dnsResolver,
    },
  ) {}

  /** The tenant's endpoints, newest first (admin). */
  async list(principal: Principal | null, page: PageRequest): Promise<Page<WebhookEndpoint>> {
    const p = authorize(principal, 'outgoingWebhooks:manage');
    return this.repo.listEndpoints(p.tenantId, page);
  }

  /** Registers an endpoint; its signing secret is returned this once (admin). */
  async create(
    principal: Principal | null,
    input: unknown,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const p = authorize(principal, 'outgoingWebhooks:manage');
    const data = parseInput(CreateWebhookEndpointInputSchema, input);
    const refused = urlProblem(data.url, this.urls.policy);
    if (refused)
      throw new ValidationFailedError('The endpoint URL is not allowed', [
        { path: 'input.url', message: refused },
      ]);
    const endpoint: WebhookEndpoint = {
      id: newId(),
      tenantId: p.tenantId,
      url: data.url,
      description: data.description ?? null,
      eventTypes: [...new Set(data.eventTypes)],
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      active: true,
      disabledAt: null,
      disabledReason: null,
      consecutiveFailures: 0,
      createdAt: this.clock.now().toISOString(),
      createdBy: p.userId,
      version: 1,
    };
    await this.repo.createEndpoint(endpoint);
    return { endpoint, secret: endpoint.secret };
  }

  /** An endpoint's deliveries with their attempts, newest first (admin). */
  async deliveries(
    principal: Principal | null,
    endpointId: string,
    page: PageRequest,
  ): Promise<Page<WebhookEndpointDelivery>> {
    const p = authorize(principal, 'outgoingWebhooks:manage');
    await this.endpoint(p.tenantId, endpointId);
    return this.repo.listDeliveries(p.tenantId, endpointId, page);
  }

  /** Sends a delivery again now, whatever its status, with the same id and body (admin). */
  async replay(
    principal: Principal | null,
    endpointId: string,
    id: string,
  ): Promise<WebhookEndpointDelivery> {
    const p = authorize(principal, 'outgoingWebhooks:manage');
    const endpoint = await this.endpoint(p.tenantId, endpointId);
    const delivery = await this.repo.getDelivery(p.tenantId, endpointId, id);
    if (!delivery) throw new NotFoundError('WebhookEndpointDelivery', id);
    return this.attempt(endpoint, delivery, true);
  }

  /**
   * The change-bus subscriber: one delivery per event and subscribed active endpoint, tried at
   * once. Delivery ids derive from the change, so a redelivered change creates and sends nothing new.
   */
  async onChange(change: TableChangeDetail): Promise<{ deliveries: number }> {
    const events = eventsOf(change);
    if (events.length === 0 || !change.tenantId) return { deliveries: 0 };
    const tenantId = change.tenantId;
    const endpoints = (await this.repo.allEndpoints(tenantId)).filter((e) => e.active);
    let created = 0;
    for (const event of events) {
      for (const endpoint of endpoints.filter((e) => e.eventTypes.includes(event.type))) {
        const now = this.clock.now().toISOString();
        const id = deliveryId(change.eventID, endpoint.id, event.type);
        const delivery: WebhookEndpointDelivery = {
          id,
          tenantId,
          endpointId: endpoint.id,
          eventType: event.type,
          payload: JSON.stringify({ type: EVENT_TYPES[event.type], timestamp: now, data: event.data }),
          status: 'PENDING',
          attempts: [],
          nextAttemptAt: now,
          createdAt: now,
          deliveredAt: null,
          version: 1,
        };
        if (!(await this.repo.createDelivery(delivery))) continue;
        created++;
        await this.attempt(endpoint, delivery, false);
      }
    }
    return { deliveries: created };
  }

  /** The retry schedule: every delivery whose retry is due, in every tenant. */
  async retryDue(limitPerTenant = 100): Promise<{ attempted: number }> {
    const now = this.clock.now().toISOString();
    let attempted = 0;
    for (const tenantId of await this.tenants.listTenantIds()) {
      for (const delivery of await this.repo.listDue(tenantId, now, limitPerTenant)) {
        const endpoint = await this.repo.getEndpoint(tenantId, delivery.endpointId);
        if (!endpoint) continue;
        if (!endpoint.active) {
          await this.repo.saveDelivery({ ...delivery, status: 'FAILED', nextAttemptAt: null });
          continue;
        }
        await this.attempt(endpoint, delivery, false);
        attempted++;
      }
    }
    return { attempted };
  }

  private async attempt(
    endpoint: WebhookEndpoint,
    delivery: WebhookEndpointDelivery,
    replay: boolean,
  ): Promise<WebhookEndpointDelivery> {
    const started = this.clock.now();
    const headers = await signedHeaders(endpoint.secret, delivery.id, started, delivery.payload);
    const t0 = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      // Resolved again now: a host may have moved to a private address since it was registered. The
      // request goes to the addresses checked here, not to whatever a second resolution answers.
      const checked = await checkedAddresses(endpoint.url, this.urls.policy, this.urls.resolve);
      if (checked.problem !== null) throw new Error(`refused: ${checked.problem}`);
      statusCode = await this.send({
        url: endpoint.url,
        headers,
        body: delivery.payload,
        timeoutMs: DELIVERY_TIMEOUT_MS,
        ...(checked.addresses ? { addresses: checked.addresses } : {}),
      });
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (e) {
      error = (e instanceof Error ? e.message : String(e)).slice(0, 500);
    }
    const record: DeliveryAttempt = {
      at: started.toISOString(),
      statusCode,
      latencyMs: Math.round(performance.now() - t0),
      error,
      replay,
    };
    const attempts = [...delivery.attempts, record];
    const failures = attempts.filter((a) => a.error !== null && !a.replay).length;
    let next: WebhookEndpointDelivery;
    if (error === null) {
      next = { ...delivery, attempts, status: 'DELIVERED', nextAttemptAt: null, deliveredAt: record.at };
    } else if (delivery.status === 'PENDING' && !replay) {
      const retryAt = started.getTime() + backoffMs(failures);
      const gaveUp = retryAt > Date.parse(delivery.createdAt) + RETRY_WINDOW_MS;
      next = {
        ...delivery,
        attempts,
        status: gaveUp ? 'FAILED' : 'PENDING',
        nextAttemptAt: gaveUp ? null : new Date(retryAt).toISOString(),
      };
    } else {
      next = { ...delivery, attempts };
    }
    await this.repo.saveDelivery(next);
    logger.info('webhook attempt', {
      endpointId: endpoint.id,
      deliveryId: delivery.id,
      statusCode,
      latencyMs: record.latencyMs,
      error,
    });
    await this.recordOutcome(endpoint, error === null);
    return next;
  }

  /** Keeps the endpoint's run of failed attempts; past the limit it is disabled, with a notice in its record and the log. */
  private async recordOutcome(endpoint: WebhookEndpoint, ok: boolean): Promise<void> {
    const current = await this.repo.getEndpoint(endpoint.tenantId, endpoint.id);
    if (!current) return;
    if (ok) {
      if (current.consecutiveFailures > 0)
        await this.repo.updateEndpoint(current, { consecutiveFailures: 0 }).catch(() => undefined);
      return;
    }
    const failures = current.consecutiveFailures + 1;
    const disable = current.active && failures >= FAILURE_LIMIT;
    const changes: Partial<WebhookEndpoint> = disable
      ? {
          consecutiveFailures: failures,
          active: false,
          disabledAt: this.clock.now().toISOString(),
          disabledReason: `Disabled after ${failures} failed attempts in a row`,
        }
      : { consecutiveFailures: failures };
    await this.repo.updateEndpoint(current, changes).catch(() => undefined);
    if (disable)
      logger.warn('webhook endpoint disabled', {
        tenantId: current.tenantId,
        endpointId: current.id,
        failures,
      });
  }

  private async endpoint(tenantId: string, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.repo.getEndpoint(tenantId, id);
    if (!endpoint) throw new NotFoundError('WebhookEndpoint', id);
    return endpoint;
  }
}

/** Standard Webhooks headers: `webhook-id`, `webhook-timestamp` (seconds) and `webhook-signature` over the exact body. */
export async function signedHeaders(
  secret: string,
  id: string,
  at: Date,
  body: string,
): Promise<Record<string, string>> {
  // Loaded when a delivery is sent: the API and the other functions that compose this module never sign.
  const { Webhook } = await import('standardwebhooks');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}
