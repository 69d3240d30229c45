import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { InvalidCursorError } from './errors.js';

/**
 * Where the cursor keys come from: a fixed list (env, tests) or a store read at cold start (the
 * cloud's Secrets Manager secret). The first key seals; every key opens, so a rotated-out key keeps
 * the cursors it sealed valid while it stays in the list.
 */
export interface CursorKeySource {
  /** The keys, newest first. `refresh` asks the store again (after a rotation elsewhere). */
  keys(options?: { refresh?: boolean }): Promise<readonly Buffer[]>;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** A cursor that no known key opens makes the keys be read again at most this often. */
const REFRESH_INTERVAL_MS = 60_000;

/**
 * Turns a secret string (≥ 32 characters: base64 from `openssl rand`, or the printable string
 * Secrets Manager generates) into an AES-256 key with HKDF-SHA256, so any high-entropy secret works
 * and the key is never the secret itself.
 */
export function cursorKeyFromSecret(secret: string): Buffer {
  if (secret.length < 32) throw new RangeError('A cursor secret needs at least 32 characters');
  return Buffer.from(hkdfSync('sha256', secret, 'broker-crm', 'cursor-seal v1', KEY_BYTES));
}

/** A fixed list of secrets, newest first (the `CURSOR_KEYS` variable, tests). */
export function staticCursorKeys(secrets: readonly string[]): CursorKeySource {
  if (secrets.length === 0) throw new RangeError('At least one cursor secret is needed');
  const keys = secrets.map(cursorKeyFromSecret);
  return { keys: async () => keys };
}

/** A random key for this process only: cursors work within one process (unit and integration tests). */
export function ephemeralCursorKeys(): CursorKeySource {
  return staticCursorKeys([randomBytes(32).toString('base64url')]);
}

/**
 * Seals pagination cursors with AES-256-GCM: the table key a page ends at is encrypted, so a
 * cursor reveals nothing (no tenant, client or index values), and authenticated together with the
 * list it belongs to (tenant partition and index, as additional data), so a cursor cannot be forged,
 * altered, or replayed on another list or tenant: each of those answers INVALID_CURSOR.
 *
 * Layout (base64url): version byte · 12-byte random IV · 16-byte tag · ciphertext.
 */
export class CursorSealer {
  private lastRefresh = 0;

  constructor(
    private readonly source: CursorKeySource,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seals `payload` for the list named by `binding`. */
  async seal(payload: Record<string, unknown>, binding: string): Promise<string> {
    const [key] = await this.source.keys();
    if (!key) throw new Error('No cursor key');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(binding));
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** Opens a cursor sealed for `binding`; anything else (tampered, foreign, garbage) is INVALID_CURSOR. */
  async open(cursor: string, binding: string): Promise<Record<string, unknown>> {
    const raw = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url') : Buffer.alloc(0);
    if (raw.length <= 1 + IV_BYTES + TAG_BYTES || raw[0] !== VERSION) throw new InvalidCursorError();
    let opened = tryOpen(raw, binding, await this.source.keys());
    if (opened === undefined && this.now() - this.lastRefresh >= REFRESH_INTERVAL_MS) {
      // Perhaps sealed by an instance that already read a rotated key: read the keys again, rarely.
      this.lastRefresh = this.now();
      opened = tryOpen(raw, binding, await this.source.keys({ refresh: true }));
    }
    if (opened === undefined) throw new InvalidCursorError();
    let parsed: unknown;
    try {
      parsed = JSON.parse(opened);
    } catch {
      throw new InvalidCursorError();
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new InvalidCursorError();
    return parsed as Record<string, unknown>;
  }
}

function aad(binding: string): Buffer {
  return Buffer.from(`cursor v${VERSION}|${binding}`, 'utf8');
}

function tryOpen(raw: Buffer, binding: string, keys: readonly Buffer[]): string | undefined {
  const iv = raw.subarray(1, 1 + IV_BYTES);
  const tag = raw.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const body = raw.subarray(1 + IV_BYTES + TAG_BYTES);
  for (const key of keys) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(aad(binding));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      // Not this key (or tampered): try the next one.
    }
  }
  return undefined;
}
