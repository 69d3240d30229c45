import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { isId } from '../../shared/input.js';
import type { SigningKeys } from './ports.js';

/** What an unsubscribe link names: the tenant, the client and the campaign it came from. */
export interface UnsubscribeClaim {
  tenantId: string;
  clientId: string;
  campaignId: string;
}

/**
 * Unsubscribe keys from the process's cursor secrets: HKDF with its own label, so the HMAC key is
 * neither the secret nor the cursor key, and rotating the cursor secret rotates these the same way
 * (the first key signs, every listed key verifies).
 */
export function unsubscribeKeysFrom(source: { keys(): Promise<readonly Buffer[]> }): SigningKeys {
  let derived: Promise<readonly Buffer[]> | undefined;
  return {
    keys: () => {
      derived ??= source
        .keys()
        .then((list) =>
          list.map((k) => Buffer.from(hkdfSync('sha256', k, 'broker-crm', 'unsubscribe v1', 32))),
        );
      return derived;
    },
  };
}

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest();

/** Signs a claim: `<base64url JSON>.<base64url HMAC-SHA256>`; no expiry, as mail lives long. */
export async function signUnsubscribe(keys: SigningKeys, claim: UnsubscribeClaim): Promise<string> {
  const [key] = await keys.keys();
  if (!key) throw new Error('No unsubscribe signing key');
  const body = Buffer.from(JSON.stringify([claim.tenantId, claim.clientId, claim.campaignId])).toString(
    'base64url',
  );
  return `${body}.${mac(key, body).toString('base64url')}`;
}

/** The claim of a token one of the keys signed, or null for anything else (altered, foreign, junk). */
export async function verifyUnsubscribe(keys: SigningKeys, token: string): Promise<UnsubscribeClaim | null> {
  const [body, signature, ...rest] = token.split('.');
  if (!body || !signature || rest.length > 0 || token.length > 1000) return null;
  const given = Buffer.from(signature, 'base64url');
  const valid = (await keys.keys()).some((k) => {
    const expected = mac(k, body);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!valid) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every(isId)) return null;
    const [tenantId, clientId, campaignId] = parsed as [string, string, string];
    return { tenantId, clientId, campaignId };
  } catch {
    return null;
  }
}
