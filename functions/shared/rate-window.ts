import type { TransactOp } from './db.js';
import type { ItemKey } from './key-segments.js';
import { TABLE } from './table-design.js';

/** A fixed rate-limit window to count one request in. */
export interface RateWindow {
  key: ItemKey;
  entityType: string;
  tenantId: string;
  /** Start of the window, epoch seconds. */
  windowStart: number;
  windowSeconds: number;
  /** Requests the window may hold. */
  limit: number;
}

/** The start (epoch seconds) of the fixed window of `windowSeconds` that holds `now`. */
export function windowStartOf(now: Date, windowSeconds: number): number {
  const seconds = Math.floor(now.getTime() / 1000);
  return seconds - (seconds % windowSeconds);
}

/**
 * The conditional write that counts one request in a fixed window: it fails its condition when the
 * window already holds `limit` requests, so a refused request counts nothing. The window item
 * expires by TTL a window after it ends. Several windows (per key, per address…) go in one
 * transaction, so a request refused by one is counted by none.
 */
export function countInWindowOp(w: RateWindow, onFull: () => Error): TransactOp {
  return {
    item: {
      Update: {
        TableName: '',
        Key: { pk: w.key.pk, sk: w.key.sk },
        UpdateExpression: 'SET #type = :type, #ttl = :ttl, tenantId = :tenant ADD hits :one',
        ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
        ExpressionAttributeNames: { '#type': TABLE.entityType, '#ttl': TABLE.ttl },
        ExpressionAttributeValues: {
          ':type': w.entityType,
          ':ttl': w.windowStart + 2 * w.windowSeconds,
          ':tenant': w.tenantId,
          ':one': 1,
          ':limit': w.limit,
        },
      },
    },
    onConditionFailed: onFull,
  };
}
