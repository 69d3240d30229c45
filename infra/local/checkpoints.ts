import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';

/**
 * Where the stream poller keeps, per shard, the sequence number up to which every record has been
 * handled by every reader (consumers and the pipe): the local stand-in for the position an event
 * source mapping keeps in the cloud. A restart resumes after it, so nothing written before a stop is
 * skipped; records after it may be delivered again, which idempotent consumers absorb.
 */
export interface CheckpointStore {
  /** The stored checkpoints of one stream, by shard id. */
  load(streamArn: string): Promise<Map<string, string>>;
  save(streamArn: string, shardId: string, sequenceNumber: string): Promise<void>;
}

/** Checkpoints of one process only: for tests and the in-memory stack. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly saved = new Map<string, Map<string, string>>();

  async load(streamArn: string): Promise<Map<string, string>> {
    return new Map(this.saved.get(streamArn));
  }

  async save(streamArn: string, shardId: string, sequenceNumber: string): Promise<void> {
    const shards = this.saved.get(streamArn) ?? new Map<string, string>();
    shards.set(shardId, sequenceNumber);
    this.saved.set(streamArn, shards);
  }
}

/**
 * Checkpoints in a small table of DynamoDB Local's own, beside the product's table: no stream (its
 * writes must not feed the poller) and not part of the table design, because the cloud keeps these
 * positions inside the event source mappings. Keeping them in the same engine matters: DynamoDB
 * Local runs every statement on one FIFO queue, so a checkpoint written after a consumer's write
 * is on disk only once that write is (see {@link DynamoCheckpointStore.barrier}).
 */
export class DynamoCheckpointStore implements CheckpointStore {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  /** Creates the checkpoint table if it is missing. */
  async ensure(): Promise<void> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: this.tableName }));
      return;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    await this.client.send(
      new CreateTableCommand({
        TableName: this.tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'stream', AttributeType: 'S' },
          { AttributeName: 'shard', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'stream', KeyType: 'HASH' },
          { AttributeName: 'shard', KeyType: 'RANGE' },
        ],
      }),
    );
  }

  async load(streamArn: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'stream' },
          ExpressionAttributeValues: { ':s': { S: streamArn } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const shard = item.shard?.S;
        const sequence = item.sequenceNumber?.S;
        if (shard && sequence) out.set(shard, sequence);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async save(streamArn: string, shardId: string, sequenceNumber: string): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          stream: { S: streamArn },
          shard: { S: shardId },
          sequenceNumber: { S: sequenceNumber },
          at: { S: new Date().toISOString() },
        },
      }),
    );
  }

  /**
   * Resolves once every write DynamoDB Local has acknowledged so far is committed to disk.
   * DynamoDB Local 3.x answers TransactWriteItems before its SQLite COMMIT has run (the commit is
   * queued, not awaited: `SQLiteDBAccess.commitTransaction`), so a kill in that window loses an
   * acknowledged transaction. Every statement runs on one FIFO queue, so any read that waits for
   * its own result waits for those commits too.
   */
  async barrier(): Promise<void> {
    await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { stream: { S: 'barrier' }, shard: { S: 'barrier' } },
        ConsistentRead: true,
      }),
    );
  }
}
