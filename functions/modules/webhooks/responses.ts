import type { DeliveryReport, EventFieldError, WebhookDelivery } from './webhooks.model.js';
import type { StoredResponse } from './webhooks.repository.js';

/** A delivery as the HTTP layer hands it over: the raw body, exactly as signed. */
export interface WebhookRequest {
  insurerId: string;
  headers: Record<string, string | undefined>;
  body: string;
}

/** What the HTTP layer sends back. */
export interface WebhookResponse {
  statusCode: number;
  contentType: string;
  body: string;
  /** Headers beyond the content type (`retry-after` on a 429). */
  headers?: Record<string, string>;
}

/** What processing a delivery's body came to: a report of its events, or an unusable body. */
export type Processed =
  | {
      kind: 'report';
      report: DeliveryReport;
      /** The client of each policy event applied now or before, by event id: never sent to the insurer. */
      linked?: ReadonlyMap<string, string>;
    }
  | { kind: 'invalid'; errors: EventFieldError[] };

const PROBLEM_BASE = 'https://broker-crm.dev/problems';

/** A problem details answer (RFC 9457). */
export function problem(
  status: number,
  slug: string,
  title: string,
  code: string,
  extra: object = {},
): WebhookResponse {
  return {
    statusCode: status,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type: `${PROBLEM_BASE}/${slug}`, title, status, code, ...extra }),
  };
}

/** The one answer to every delivery that is not verifiably this insurer's: it tells nothing more. */
export const unauthorized = () =>
  problem(401, 'invalid-signature', 'The delivery is not signed by this insurer', 'UNAUTHENTICATED', {
    detail: 'Sign `webhook-id.webhook-timestamp.body` with the insurer secret (Standard Webhooks, v1).',
  });

/** The answer to a delivery over its tenant's or insurer's rate: nothing of it was stored. */
export function rateLimited(retryAfterSeconds: number): WebhookResponse {
  return {
    ...problem(429, 'rate-limited', 'Too many deliveries', 'RATE_LIMITED', {
      detail: `This tenant or insurer sent more deliveries than its limit allows; nothing of this one was stored. Retry after ${retryAfterSeconds} s.`,
      retryAfterSeconds,
    }),
    headers: { 'retry-after': String(retryAfterSeconds) },
  };
}

/** The counts a delivery's log entry keeps. */
export function countsOf(
  processed: Processed,
): Pick<WebhookDelivery, 'accepted' | 'duplicates' | 'rejected'> {
  return processed.kind === 'report'
    ? {
        accepted: processed.report.accepted,
        duplicates: processed.report.duplicates,
        rejected: processed.report.rejected,
      }
    : { accepted: 0, duplicates: 0, rejected: 0 };
}

/** The answer to a processed delivery: its report, or a 400 problem for an unusable body. */
export function responseOf(processed: Processed): WebhookResponse {
  if (processed.kind === 'invalid') {
    return problem(400, 'invalid-delivery', 'The delivery is not a valid event or batch', 'BAD_USER_INPUT', {
      fieldErrors: processed.errors,
    });
  }
  return { statusCode: 200, contentType: 'application/json', body: JSON.stringify(processed.report) };
}

/** A stored first answer, as repeats of the delivery get it. */
export function asResponse(stored: StoredResponse): WebhookResponse {
  return {
    statusCode: stored.statusCode,
    contentType: stored.statusCode >= 400 ? 'application/problem+json' : 'application/json',
    body: stored.body,
  };
}
