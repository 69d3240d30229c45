import { type ItemKey, seg, tenantPrefix } from './key-segments.js';

/**
 * Key builders of the access module (API keys and their rate windows), spread into `keys` by
 * table-design.ts: the code asks `keys`, never this file.
 */
export const accessKeys = {
  /** A tenant's API keys: one small partition, listed newest first (key ids are ULIDs). */
  apiKeys: (tenantId: string) => `${tenantPrefix(tenantId)}#APIKEY`,
  /** One API key by its id: the GetItem every request with `x-api-key` makes. */
  apiKey: (tenantId: string, keyId: string): ItemKey => ({
    pk: accessKeys.apiKeys(tenantId),
    sk: `KEY#${seg(keyId)}`,
  }),
  apiKeyPrefix: 'KEY#',
  /**
   * One fixed rate-limit window of a key (its start, epoch seconds), counted up per request and
   * expired by TTL; in its own partition per key, so one busy key never heats another's items.
   */
  apiKeyRateWindow: (tenantId: string, keyId: string, windowStart: number): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#APIKEY#${seg(keyId)}#RATE`,
    sk: String(windowStart),
  }),
} as const;
