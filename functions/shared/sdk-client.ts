import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The AWS SDK's logger middleware builds a redacted copy of every request and response for its
 * logger (walking the operation's schema over each attribute of each item) before it calls the
 * logger, even when the logger is the default no-op: 4.3 s of 129 s of CPU in a profile of the
 * webhook bench, growing with the size of each answer (a Query of 50 policies, a stream's
 * GetRecords). We never give the SDK a logger, so our clients drop the middleware: nothing that was
 * logged stops being logged.
 */
export function withoutSdkLogging<C extends { middlewareStack: { remove(name: string): boolean } }>(
  client: C,
): C {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/** Creates the process-wide document client (at cold start); endpoints come from the SDK's own env. */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(withoutSdkLogging(new DynamoDBClient(config)), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
