import { assertCanGrant, authorize, isStaff } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import {
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  ValidationFailedError,
} from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { parseInput } from '../../shared/validation.js';
import {
  type ApiKey,
  type CreateApiKeyInput,
  CreateApiKeyInputSchema,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  LAST_USED_RESOLUTION_MS,
  MAX_KEY_LIFETIME_DAYS,
  newKeyMaterial,
  parseKey,
  RATE_WINDOW_SECONDS,
  secretMatches,
} from './api-keys.model.js';
import type { ApiKeysRepository } from './api-keys.repository.js';

/** What the access module asks the org: whether a partner exists in the tenant. */
export interface PartnerLookup {
  partnerExists(tenantId: string, partnerId: string): Promise<boolean>;
}

/** The user id an API key acts as: audit records and `me` name the key, never a person. */
export function apiKeyActor(keyId: string): string {
  return `apikey:${keyId}`;
}

/**
 * API keys for machine clients: created by admins (the key is shown once, only its hash is kept),
 * scoped to a role, a scope and the tenant, expiring, revocable; every request with one is counted
 * against the key's per-minute limit and its last use is recorded at most once a minute.
 */
export class ApiKeysService {
  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly clock: Clock,
    private readonly partners: PartnerLookup,
  ) {}

  /** The tenant's keys, newest first (admin). */
  async list(
    principal: Principal | null,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<ApiKey>> {
    const p = authorize(principal, 'apiKeys:manage');
    return this.repo.listApiKeys(p.tenantId, page);
  }

  /**
   * Creates a key for `role` (no higher than the caller's) and `scope` (default the caller's, at
   * most the caller's; branch and region are the caller's). Returns the key once: it is not stored.
   */
  async create(
    principal: Principal | null,
    input: CreateApiKeyInput,
  ): Promise<{ key: string; apiKey: ApiKey }> {
    const p = authorize(principal, 'apiKeys:manage');
    const parsed = parseInput(CreateApiKeyInputSchema, input);
    const staff = isStaff(parsed.role);
    const scope = parsed.scope ?? (staff ? p.scope : 'own');
    assertCanGrant(p, { role: parsed.role, scope });
    const now = this.clock.now();
    const expiresAt = new Date(parsed.expiresAt);
    if (expiresAt <= now || expiresAt.getTime() - now.getTime() > MAX_KEY_LIFETIME_DAYS * 86_400_000) {
      throw new ValidationFailedError(
        'Invalid input: input.expiresAt must be in the future, at most two years ahead',
        [
          {
            path: 'input.expiresAt',
            message: `must be in the future, at most ${MAX_KEY_LIFETIME_DAYS} days ahead`,
          },
        ],
      );
    }
    const partnerId = await this.partnerOf(p.tenantId, staff, parsed.partnerId ?? null);
    const id = newId();
    const { key, secretHash } = newKeyMaterial(p.tenantId, id);
    const apiKey: ApiKey = {
      id,
      tenantId: p.tenantId,
      name: parsed.name,
      role: parsed.role,
      scope,
      branchId: staff ? p.branchId : null,
      regionId: staff ? p.regionId : null,
      partnerId,
      secretHash,
      rateLimitPerMinute: parsed.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
      createdAt: now.toISOString(),
      createdBy: p.userId,
      expiresAt: expiresAt.toISOString(),
      revokedAt: null,
      revokedBy: null,
      lastUsedAt: null,
      version: 1,
    };
    await this.repo.createApiKey(apiKey);
    return { key, apiKey };
  }

  /** Whether the key still works, as of now. */
  statusOf(key: ApiKey): 'ACTIVE' | 'EXPIRED' | 'REVOKED' {
    if (key.revokedAt) return 'REVOKED';
    return new Date(key.expiresAt) <= this.clock.now() ? 'EXPIRED' : 'ACTIVE';
  }

  /** Revokes a key for good; revoking a revoked key returns it unchanged (admin). */
  async revoke(principal: Principal | null, id: string): Promise<ApiKey> {
    const p = authorize(principal, 'apiKeys:manage');
    const existing = await this.repo.getApiKey(p.tenantId, id);
    if (!existing) throw new NotFoundError('ApiKey', id);
    if (existing.revokedAt) return existing;
    return this.repo.updateApiKey(existing, {
      revokedAt: this.clock.now().toISOString(),
      revokedBy: p.userId,
    });
  }

  /**
   * The principal a presented key acts as. UNAUTHENTICATED for a key that is malformed, unknown,
   * wrong, revoked or expired; RATE_LIMITED once the key spent its requests of the current minute.
   */
  async authenticate(raw: string): Promise<Principal> {
    const presented = parseKey(raw.trim());
    const stored = presented ? await this.repo.getApiKey(presented.tenantId, presented.keyId) : undefined;
    if (!presented || !stored || !secretMatches(presented.secret, stored.secretHash)) {
      throw new UnauthenticatedError('The API key is not valid');
    }
    const now = this.clock.now();
    if (stored.revokedAt) throw new UnauthenticatedError('The API key has been revoked');
    if (new Date(stored.expiresAt) <= now) throw new UnauthenticatedError('The API key has expired');
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const windowStart = nowSeconds - (nowSeconds % RATE_WINDOW_SECONDS);
    const counted = await this.repo.countRequest(
      stored.tenantId,
      stored.id,
      windowStart,
      RATE_WINDOW_SECONDS,
      stored.rateLimitPerMinute,
    );
    if (!counted) throw new RateLimitedError(windowStart + RATE_WINDOW_SECONDS - nowSeconds);
    if (!stored.lastUsedAt || now.getTime() - Date.parse(stored.lastUsedAt) >= LAST_USED_RESOLUTION_MS) {
      const notBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString();
      await this.repo.touchApiKey(stored, now.toISOString(), notBefore);
    }
    return {
      tenantId: stored.tenantId,
      userId: apiKeyActor(stored.id),
      role: stored.role,
      scope: stored.scope,
      branchId: stored.branchId,
      regionId: stored.regionId,
      partnerId: stored.partnerId,
    };
  }

  private async partnerOf(
    tenantId: string,
    staff: boolean,
    partnerId: string | null,
  ): Promise<string | null> {
    if (staff) {
      if (partnerId) throw fieldError('input.partnerId', 'is only for keys of the PARTNER role');
      return null;
    }
    if (!partnerId) throw fieldError('input.partnerId', 'is required for a key of the PARTNER role');
    if (!(await this.partners.partnerExists(tenantId, partnerId)))
      throw new NotFoundError('Partner', partnerId);
    return partnerId;
  }
}

function fieldError(path: string, message: string): ValidationFailedError {
  return new ValidationFailedError(`Invalid input: ${path} ${message}`, [{ path, message }]);
}
