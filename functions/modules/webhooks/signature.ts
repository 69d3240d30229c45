import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a delivery's timestamp may lie from our clock, either way (Standard Webhooks: 5 minutes). */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** The three headers of a Standard Webhooks delivery, as received (any may be missing). */
export interface SignatureHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** Why a delivery failed verification; stable codes so logs and tests can tell them apart. */
export type SignatureFailure =
  | 'MISSING_HEADERS'
  | 'BAD_TIMESTAMP'
  | 'TIMESTAMP_TOO_OLD'
  | 'TIMESTAMP_TOO_NEW'
  | 'NO_MATCHING_SIGNATURE';

export type VerifyResult =
  | { ok: true; webhookId: string; timestamp: Date }
  | { ok: false; reason: SignatureFailure };

/** The key bytes of a `whsec_`-prefixed, base64-encoded secret (the prefix is optional, as in the spec). */
export function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`: the signature a sender puts in `webhook-signature`. */
export function sign(secret: string, webhookId: string, timestamp: string | number, body: string): string {
  const mac = createHmac('sha256', secretBytes(secret))
    .update(`${webhookId}.${timestamp}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/**
 * Verifies a delivery by the Standard Webhooks scheme over the raw body: the timestamp within the
 * tolerance either way, then any `v1` signature in the space-separated header matching any of the
 * secrets valid now (two during a rotation). Comparison is constant-time. Pure: no I/O, no logging,
 * so a failed delivery leaves no trace of its body.
 */
export function verifySignature(
  headers: SignatureHeaders,
  body: string,
  secrets: readonly string[],
  now: Date,
): VerifyResult {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, reason: 'MISSING_HEADERS' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'BAD_TIMESTAMP' };
  const seconds = Number(timestamp);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (seconds < nowSeconds - TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, reason: 'TIMESTAMP_TOO_OLD' };
  if (seconds > nowSeconds + TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, reason: 'TIMESTAMP_TOO_NEW' };
  const offered = signature
    .split(' ')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const secret of secrets) {
    const expected = Buffer.from(sign(secret, id, timestamp, body).slice(3), 'base64');
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) {
      return { ok: true, webhookId: id, timestamp: new Date(seconds * 1000) };
    }
  }
  return { ok: false, reason: 'NO_MATCHING_SIGNATURE' };
}
