/**
 * The pieces every key is built from, shared by the key builders of table-design.ts and
 * money-keys.ts: a key segment is checked before it is used, and every key starts with the tenant.
 */

/** Primary key of an item. */
export interface ItemKey {
  pk: string;
  sk: string;
}

const SAFE_SEGMENT = /^[A-Za-z0-9_.:@+-]+$/;

/** Key segments must not contain the separator, so one tenant's prefix can never match another's. */
export function seg(value: string): string {
  if (!SAFE_SEGMENT.test(value)) throw new RangeError(`Unsafe key segment: ${JSON.stringify(value)}`);
  return value;
}

export const tenantPrefix = (tenantId: string) => `T#${seg(tenantId)}`;

/** A client's item collection: the client, its contacts, timeline, policies and invoices. */
export const clientCollection = (tenantId: string, clientId: string): string =>
  `${tenantPrefix(tenantId)}#CLIENT#${seg(clientId)}`;
