import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StoredItem } from '../../../functions/shared/db.js';

const FLOOR_PREFIX = 'BENCHFLOOR#';

/**
 * The write floor of a path: the same number of item writes it made, as raw BatchWriteItem (25 a
 * request, in order, no reads, no conditions, no transactions), using the items the path itself put
 * so sizes and index attributes match. The items move to partitions of their own (`tag` keeps runs
 * apart) so nothing real is overwritten.
 */
export async function rawWriteFloor(
  raw: DynamoDBDocumentClient,
  tableName: string,
  puts: readonly StoredItem[],
  count: number,
  tag: string,
): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => {
    const item = puts[i % puts.length] as StoredItem;
    return Object.fromEntries(
      Object.entries(item).map(([k, v]) =>
        /^(pk|gsi\d+pk)$/.test(k)
          ? [k, `${FLOOR_PREFIX}${tag}#${v}`]
          : k === 'sk'
            ? [k, `${v}#${i}`]
            : [k, v],
      ),
    );
  });
  for (let i = 0; i < items.length; i += 25) {
    await raw.send(
      new BatchWriteCommand({
        RequestItems: { [tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
}
