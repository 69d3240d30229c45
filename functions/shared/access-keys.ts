import { type ItemKey, seg, tenantPrefix } from './key-segments.js';

/**
 * Key builders of the access and integration modules (API keys and their rate windows, outgoing
 * webhook endpoints and deliveries), spread into `keys` by
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

  /** A tenant's outgoing webhook endpoints: one small partition. */
  hookEndpoints: (tenantId: string) => `${tenantPrefix(tenantId)}#HOOK`,
  hookEndpoint: (tenantId: string, endpointId: string): ItemKey => ({
    pk: accessKeys.hookEndpoints(tenantId),
    sk: `ENDPOINT#${seg(endpointId)}`,
  }),
  hookEndpointPrefix: 'ENDPOINT#',
  /** An endpoint's deliveries, newest first (delivery ids sort by creation). */
  hookDeliveries: (tenantId: string, endpointId: string) =>
    `${tenantPrefix(tenantId)}#HOOK#${seg(endpointId)}`,
  hookDelivery: (tenantId: string, endpointId: string, deliveryId: string): ItemKey => ({
    pk: accessKeys.hookDeliveries(tenantId, endpointId),
    sk: `DELIVERY#${seg(deliveryId)}`,
  }),
  hookDeliveryPrefix: 'DELIVERY#',
  /** Deliveries waiting for a retry, by due time (gsi1), while they wait: the retry schedule's Query. */
  hookDeliveryDueIndexes: (
    tenantId: string,
    d: { endpointId: string; id: string; nextAttemptAt: string },
  ): Record<string, string> => ({
    gsi1pk: accessKeys.hookDeliveriesDue(tenantId),
    gsi1sk: `${d.nextAttemptAt}#${seg(d.endpointId)}#${seg(d.id)}`,
  }),
  hookDeliveriesDue: (tenantId: string) => `${tenantPrefix(tenantId)}#HOOK#DUE`,
} as const;
