import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoCheckpointStore } from '../../../infra/local/checkpoints.js';
import { type DynamoDbLocal, LOCAL_AWS, startDynamoDbLocal } from '../../../infra/local/dynamodb.js';

/**
 * DynamoDB Local 3.x answers TransactWriteItems before its SQLite COMMIT has run; a SIGKILL in that
 * window loses a write the API already acknowledged. The local stack answers only after the
 * checkpoint store's barrier, which waits for every queued commit. Without it, most of these rounds
 * lose their transaction.
 */
const dir = mkdtempSync(join(tmpdir(), 'broker-crm-durable-'));
let dynamo: DynamoDbLocal | undefined;

afterAll(async () => {
  await dynamo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function clientOf(db: DynamoDbLocal): DynamoDBClient {
  return new DynamoDBClient({ endpoint: db.endpoint, region: LOCAL_AWS.region, credentials: LOCAL_AWS });
}

async function killHard(db: DynamoDbLocal): Promise<void> {
  const exited = new Promise<void>((r) => db.process.once('exit', () => r()));
  db.process.kill('SIGKILL');
  await exited;
}

describe('DynamoDB Local with a data dir, killed right after an acknowledged transaction', () => {
  it('still holds the transaction after a restart when the barrier ran before the answer', async () => {
    dynamo = await startDynamoDbLocal({ dataDir: dir });
    let client = clientOf(dynamo);
    const store = new DynamoCheckpointStore(client, 'durability-probe');
    await store.ensure();
    for (let round = 0; round < 3; round++) {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: 'durability-probe',
                Item: { stream: { S: 'probe' }, shard: { S: `a${round}` } },
              },
            },
            {
              Put: {
                TableName: 'durability-probe',
                Item: { stream: { S: 'probe' }, shard: { S: `b${round}` } },
              },
            },
          ],
        }),
      );
      await new DynamoCheckpointStore(client, 'durability-probe').barrier();
      await killHard(dynamo);
      client.destroy();
      dynamo = await startDynamoDbLocal({ dataDir: dir });
      client = clientOf(dynamo);
      const found = await client.send(
        new GetItemCommand({
          TableName: 'durability-probe',
          Key: { stream: { S: 'probe' }, shard: { S: `b${round}` } },
          ConsistentRead: true,
        }),
      );
      expect(found.Item?.shard?.S, `round ${round}`).toBe(`b${round}`);
    }
    client.destroy();
  }, 120_000);
});
