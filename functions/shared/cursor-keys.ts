import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type CursorKeySource,
  cursorKeyFromSecret,
  ephemeralCursorKeys,
  staticCursorKeys,
} from './cursor-seal.js';
import type { Env } from './env.js';

/**
 * The cloud's cursor keys: a Secrets Manager secret generated per stack. Its AWSCURRENT version
 * seals and its AWSPREVIOUS version still opens, so putting a new value (the rotation) keeps the
 * cursors sealed before it valid until the next rotation. Read once at cold start, and again only
 * when a cursor arrives that neither key opens (another instance read a newer version).
 */
export function secretsManagerCursorKeys(client: SecretsManagerClient, secretArn: string): CursorKeySource {
  let loaded: Promise<readonly Buffer[]> | undefined;
  const read = async (stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<Buffer | undefined> => {
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }));
      return out.SecretString ? cursorKeyFromSecret(out.SecretString) : undefined;
    } catch (error) {
      // A secret never rotated has no AWSPREVIOUS version.
      if (stage === 'AWSPREVIOUS' && (error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };
  const load = async (): Promise<readonly Buffer[]> => {
    const [current, previous] = await Promise.all([read('AWSCURRENT'), read('AWSPREVIOUS')]);
    if (!current) throw new Error(`Cursor secret ${secretArn} has no current value`);
    return previous ? [current, previous] : [current];
  };
  return {
    keys: (options) => {
      if (!loaded || options?.refresh) {
        const next = load();
        // A failed read is retried by the next request instead of poisoning the process.
        next.catch(() => {
          if (loaded === next) loaded = undefined;
        });
        loaded = next;
      }
      return loaded;
    },
  };
}

/**
 * The cursor keys for this process: `CURSOR_KEYS` (local stack, tests), else the cloud's secret.
 * Without either, a key for this process only: enough for functions that page internally and never
 * hand a cursor out; the GraphQL handler requires one of the two (see {@link requireSharedCursorKeys}).
 */
export function cursorKeysFromEnv(e: Env, secrets: () => SecretsManagerClient): CursorKeySource {
  if (e.CURSOR_KEYS) return staticCursorKeys(e.CURSOR_KEYS);
  if (e.CURSOR_SECRET_ARN) return secretsManagerCursorKeys(secrets(), e.CURSOR_SECRET_ARN);
  return ephemeralCursorKeys();
}

/** Fails the cold start of a function that hands cursors out when no shared key is configured. */
export function requireSharedCursorKeys(e: Env): void {
  if (!e.CURSOR_KEYS && !e.CURSOR_SECRET_ARN) {
    throw new Error('Invalid environment: CURSOR_KEYS or CURSOR_SECRET_ARN must be set');
  }
}
