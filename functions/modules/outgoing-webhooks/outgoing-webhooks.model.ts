import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { TableChangeDetail } from '../../shared/change-event.js';
import { optionalText } from '../../shared/input.js';
import { EntityType } from '../../shared/table-design.js';

/** The events an endpoint may subscribe to, with their wire names (`type` in the payload). */
export const EVENT_TYPES = {
  REFERRED_CLIENT_STATUS_CHANGED: 'referred_client.status_changed',
  POLICY_ISSUED: 'policy.issued',
  POLICY_CANCELLED: 'policy.cancelled',
  COMMISSION_LINE_BOOKED: 'commission_line.booked',
} as const;
export type WebhookEventType = keyof typeof EVENT_TYPES;

/** An integrator's endpoint: where events go and the secret they are signed with. */
export interface WebhookEndpoint {
  id: string;
  tenantId: string;
  url: string;
  description: string | null;
  eventTypes: WebhookEventType[];
  /** `whsec_…` (Standard Webhooks): shown once at creation. */
  secret: string;
  active: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  consecutiveFailures: number;
  createdAt: string;
  createdBy: string;
  version: number;
}

export type DeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

/** One attempt to deliver: when, what the endpoint answered, and how long it took. */
export interface DeliveryAttempt {
  at: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  replay: boolean;
}

/** One event for one endpoint, retried until delivered or 24 h have passed. */
export interface WebhookEndpointDelivery {
  /** Also the `webhook-id` header: the same on every retry and replay, so receivers deduplicate. */
  id: string;
  tenantId: string;
  endpointId: string;
  eventType: WebhookEventType;
  /** The signed body, exactly as sent. */
  payload: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  version: number;
}

/** Retries stop this long after the event. */
export const RETRY_WINDOW_MS = 24 * 3_600_000;
/** First retry after 30 s, doubling, at most every 6 h. */
export function backoffMs(failedAttempts: number): number {
  return Math.min(30_000 * 2 ** (failedAttempts - 1), 6 * 3_600_000);
}
/** An endpoint whose attempts failed this many times in a row is disabled. */
export const FAILURE_LIMIT = 10;
/** An endpoint gets this long to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export const CreateWebhookEndpointInputSchema = z.object({
  /** Checked against the deployment's SSRF policy by the service (endpoint-url.ts). */
  url: z.string().trim().min(1, 'is required').max(2000, 'is too long'),
  description: optionalText(500),
  eventTypes: z
    .array(z.enum(Object.keys(EVENT_TYPES) as [WebhookEventType, ...WebhookEventType[]]))
    .min(1, 'name at least one event type')
    .max(20),
});

/** The deterministic delivery id of an event for an endpoint: a redelivered change makes no second one. */
export function deliveryId(eventID: string, endpointId: string, type: WebhookEventType): string {
  return `msg_${createHash('sha256').update(`${eventID}|${endpointId}|${type}`).digest('hex').slice(0, 32)}`;
}

/** An event derived from a table change: its type and its data (ids, statuses and dates, never a person's data). */
export interface DerivedEvent {
  type: WebhookEventType;
  data: Record<string, unknown>;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The events a table change means for integrators (none for most changes). */
export function eventsOf(change: TableChangeDetail): DerivedEvent[] {
  const next = change.newImage ?? {};
  const prev = change.oldImage ?? {};
  if (change.entityType === EntityType.Policy) {
    const status = str(next.status);
    const before = change.eventName === 'INSERT' ? null : str(prev.status);
    if (status === before) return [];
    const data = {
      policyId: str(next.id),
      clientId: str(next.clientId),
      productLineCode: str(next.productLineCode),
      status,
      termStart: str(next.termStart),
      termEnd: str(next.termEnd),
    };
    if (status === 'ACTIVE' && (before === null || before === 'OFFER'))
      return [{ type: 'POLICY_ISSUED', data }];
    if (status === 'CANCELLED') return [{ type: 'POLICY_CANCELLED', data }];
    return [];
  }
  if (change.entityType === EntityType.Client && change.eventName === 'MODIFY') {
    const status = str(next.status);
    if (!next.referringPartnerId || status === str(prev.status)) return [];
    return [
      {
        type: 'REFERRED_CLIENT_STATUS_CHANGED',
        data: {
          clientId: str(next.id),
          partnerId: str(next.referringPartnerId),
          status,
          previousStatus: str(prev.status),
        },
      },
    ];
  }
  if (change.entityType === EntityType.CommissionLine && change.eventName === 'INSERT') {
    const recipient = (next.recipient ?? {}) as Record<string, unknown>;
    return [
      {
        type: 'COMMISSION_LINE_BOOKED',
        data: {
          lineId: str(next.id),
          ledger: str(next.ledger),
          kind: str(next.kind),
          recipient: { kind: str(recipient.kind), id: str(recipient.id) },
          policyId: str(next.policyId),
          period: str(next.period),
          amount: str(next.amount),
          currency: str(next.currency),
        },
      },
    ];
  }
  return [];
}
