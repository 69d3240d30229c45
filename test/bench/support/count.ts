import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';

interface PartitionQuery {
  raw: DynamoDBDocumentClient;
  tableName: string;
  index: string;
  partition: string;
}

/** The pages of a Query on one index partition; `limit` caps the items read (COUNT pages read ≤ 1 MB each). */
async function* pages(q: PartitionQuery, options: { count?: boolean; limit?: number }) {
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

/** Counts the items of one index partition. */
export async function countPartition(q: PartitionQuery): Promise<number> {
  let total = 0;
  for await (const page of pages(q, { count: true })) total += page.Count ?? 0;
  return total;
}

/** Reads up to `limit` items of one index partition, in key order. */
export async function readPartition(q: PartitionQuery, limit: number): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of pages(q, { limit })) items.push(...(page.Items ?? []));
  return items;
}
