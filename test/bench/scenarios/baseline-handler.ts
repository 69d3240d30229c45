import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * The cold-start baseline: a handler that only creates the DynamoDB client at module init, as
 * every real handler does first. Bundled the same way as the catalog functions.
 */
const client = new DynamoDBClient({});

export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 200,
  body: client.config.apiVersion,
});
