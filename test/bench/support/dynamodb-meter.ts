import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../../functions/shared/db.js';

type Consumed = { CapacityUnits?: number };

/**
 * Counts the DynamoDB requests a client actually sends (retries of unprocessed batch items
 * included) and the capacity units DynamoDB reports for them. It is SDK middleware added to the
 * client, so the product code runs unchanged: the bench reads the meter before and after one
 * operation. Every call in `Db` already asks for ReturnConsumedCapacity TOTAL; the floor's raw
 * calls ask for it too.
 */
export class DynamoDbMeter {
  requests: Record<string, number> = {};
  capacityUnits = 0;

  /** Adds the counting middleware to a client (the document client shares its stack with the base client). */
  attach(client: Pick<DynamoDBDocumentClient, 'middlewareStack'>, name = 'benchDynamoDbMeter'): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        this.requests[operation] = (this.requests[operation] ?? 0) + 1;
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
        for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
          this.capacityUnits += c.CapacityUnits ?? 0;
        }
        return result;
      },
      { step: 'initialize', name },
    );
    return this;
  }

  reset(): void {
    this.requests = {};
    this.capacityUnits = 0;
  }

  total(): number {
    return Object.values(this.requests).reduce((a, b) => a + b, 0);
  }
}

/**
 * The document client inside a `Db`. The runtime builds its client at cold start and offers no
 * injection point, so the bench reaches the (TypeScript-private) field to add its meter; nothing
 * outside the bench does this.
 */
export function clientOf(db: Db): DynamoDBDocumentClient {
  const client = Reflect.get(db, 'client') as DynamoDBDocumentClient | undefined;
  if (!client?.middlewareStack)
    throw new Error('Db no longer keeps its client in `client`: update the bench');
  return client;
}
