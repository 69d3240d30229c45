import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { isSharded, type ShardedPartition } from '../../../functions/shared/sharded-keys.js';

interface PartitionQuery {
  raw: DynamoDBDocumentClient;
  tableName: string;
  index: string;
  /** One key value, or a sharded key: every shard is read. */
  partition: string | ShardedPartition;
}

type OneKeyQuery = Omit<PartitionQuery, 'partition'> & { partition: string };

/** The key values a query reads: the value itself, or every shard of a sharded key. */
function keyQueries(q: PartitionQuery): OneKeyQuery[] {
  const { partition } = q;
  return (isSharded(partition) ? partition.shards : [partition]).map((value) => ({ ...q, partition: value }));
}

/** The pages of a Query on one index partition; `limit` caps the items read (COUNT pages read ≤ 1 MB each). */
async function* pages(q: OneKeyQuery, options: { count?: boolean; limit?: number }) {
  let start: Record<string, unknown> | undefined;
  let read = 0;
  do {
    const out: QueryCommandOutput = await q.raw.send(
      new QueryCommand({
        TableName: q.tableName,
        IndexName: q.index,
        KeyConditionExpression: `${q.index}pk = :pk`,
        ExpressionAttributeValues: { ':pk': q.partition },
        ExclusiveStartKey: start,
        ...(options.count ? { Select: 'COUNT' } : {}),
        ...(options.limit ? { Limit: options.limit - read } : {}),
      }),
    );
    read += out.Count ?? 0;
    yield out;
    start = options.limit && read >= options.limit ? undefined : out.LastEvaluatedKey;
  } while (start);
}

/** Counts the items of one index partition (of every shard of a sharded key). */
export async function countPartition(q: PartitionQuery): Promise<number> {
  let total = 0;
  for (const one of keyQueries(q)) {
    for await (const page of pages(one, { count: true })) total += page.Count ?? 0;
  }
  return total;
}

/** Reads up to `limit` items of one index partition (every shard of a sharded key, merged), in key order. */
export async function readPartition(q: PartitionQuery, limit: number): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (const one of keyQueries(q)) {
    for await (const page of pages(one, { limit })) items.push(...(page.Items ?? []));
  }
  if (!isSharded(q.partition)) return items;
  const sortKey = `${q.index}sk`;
  return items.sort((a, b) => (String(a[sortKey]) < String(b[sortKey]) ? -1 : 1)).slice(0, limit);
}
