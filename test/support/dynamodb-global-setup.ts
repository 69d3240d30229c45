import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TestProject } from 'vitest/node';
import { LOCAL_AWS, startDynamoDbLocal } from '../../infra/local/dynamodb.js';
import { ensureTable } from '../../infra/table-spec.js';

export const TEST_TABLE = 'broker-crm-test';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    tableName: string;
  }
}

/**
 * Starts one in-memory DynamoDB Local for the whole integration run and creates the table from the
 * table design. Test files isolate themselves by tenant, so they can run concurrently.
 */
export default async function setup(project: TestProject) {
  const ddb = await startDynamoDbLocal();
  const client = new DynamoDBClient({
    endpoint: ddb.endpoint,
    region: LOCAL_AWS.region,
    credentials: LOCAL_AWS,
  });
  await ensureTable(client, TEST_TABLE);
  client.destroy();
  project.provide('dynamoEndpoint', ddb.endpoint);
  project.provide('tableName', TEST_TABLE);
  return async () => {
    await ddb.stop();
  };
}
