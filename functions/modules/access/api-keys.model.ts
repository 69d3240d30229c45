import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ROLES, type Role, SCOPES, type Scope } from '../../shared/auth/principal.js';
import { IdSchema, isId, text } from '../../shared/input.js';

/** A machine client's credential, as stored: never the key itself, only its SHA-256. */
export interface ApiKey {
  id: string;
  tenantId: string;
  name: string;
  role: Role;
  scope: Scope;
  branchId: string | null;
  regionId: string | null;
  /** For partner keys: the partner the key acts for. */
  partnerId: string | null;
  /** Hex SHA-256 of the secret part of the key. */
  secretHash: string;
  rateLimitPerMinute: number;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  lastUsedAt: string | null;
  version: number;
}

/** Requests per key and minute when the key names no limit. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
/** The most a key may be allowed. */
export const MAX_RATE_LIMIT_PER_MINUTE = 6000;
/** A key lives at most two years: rotation is part of owning one. */
export const MAX_KEY_LIFETIME_DAYS = 730;
/** Last use is written at most once per this interval per key, so a busy key does not write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;
/** Length of a rate-limit window. */
export const RATE_WINDOW_SECONDS = 60;

export const CreateApiKeyInputSchema = z.object({
  name: text(200),
  role: z.enum(ROLES),
  expiresAt: z.iso.datetime({ offset: true, message: 'must be an instant with a time zone' }),
  scope: z.enum(SCOPES).nullish(),
  partnerId: IdSchema.nullish(),
  rateLimitPerMinute: z
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(MAX_RATE_LIMIT_PER_MINUTE, `must be at most ${MAX_RATE_LIMIT_PER_MINUTE}`)
    .nullish(),
});
export type CreateApiKeyInput = z.input<typeof CreateApiKeyInputSchema>;

const KEY_PREFIX = 'bck_';

/** The parts a presented key carries: where to find it (tenant, id) and the secret to check. */
export interface PresentedKey {
  tenantId: string;
  keyId: string;
  secret: string;
}

/**
 * A new key: `bck_<tenant, base64url>.<key id>.<secret>`. The tenant and id let the API find the
 * stored key with one GetItem (no index, no scan); the 256-bit secret is what proves possession.
 */
export function newKeyMaterial(tenantId: string, keyId: string): { key: string; secretHash: string } {
  const secret = randomBytes(32).toString('base64url');
  const key = `${KEY_PREFIX}${Buffer.from(tenantId).toString('base64url')}.${keyId}.${secret}`;
  return { key, secretHash: hashSecret(secret) };
}

/** Splits a presented key; null when it cannot be one of ours (then it is simply not valid). */
export function parseKey(raw: string): PresentedKey | null {
  if (!raw.startsWith(KEY_PREFIX) || raw.length > 400) return null;
  const [tenant, keyId, secret, ...rest] = raw.slice(KEY_PREFIX.length).split('.');
  if (!tenant || !keyId || !secret || rest.length > 0) return null;
  const tenantId = Buffer.from(tenant, 'base64url').toString('utf8');
  if (!isId(tenantId) || !isId(keyId)) return null;
  return { tenantId, keyId, secret };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function secretMatches(secret: string, secretHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(secretHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
