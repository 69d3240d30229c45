import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Db } from '../../../functions/shared/db.js';
import { backgroundWork } from './background.js';

type Consumed = { CapacityUnits?: number };
type Item = Record<string, unknown>;
type WriteInput = {
  Item?: Item;
  Key?: Item;
  TransactItems?: Array<{ Put?: { Item: Item }; Update?: unknown; Delete?: unknown }>;
  RequestItems?: Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: unknown }>>;
};

/** An item as JavaScript values, whether the middleware saw it before or after marshalling. */
function native(item: Item): Item {
  return typeof item.pk === 'object' && item.pk !== null ? unmarshall(item as never) : item;
}

/** Items a write request writes (Put, Update, Delete, each member of a batch or transaction), and the full items it puts. */
function writesOf(operation: string, input: WriteInput): { count: number; puts: Item[] } {
  if (operation === 'PutItem' && input.Item) return { count: 1, puts: [native(input.Item)] };
  if (operation === 'UpdateItem' || operation === 'DeleteItem') return { count: 1, puts: [] };
  if (operation === 'TransactWriteItems') {
    const items = input.TransactItems ?? [];
    return { count: items.length, puts: items.flatMap((t) => (t.Put ? [native(t.Put.Item)] : [])) };
  }
  if (operation === 'BatchWriteItem') {
    const requests = Object.values(input.RequestItems ?? {}).flat();
    return {
      count: requests.length,
      puts: requests.flatMap((r) => (r.PutRequest ? [native(r.PutRequest.Item)] : [])),
    };
  }
  return { count: 0, puts: [] };
}

/**
 * Counts the DynamoDB requests a client actually sends (retries of unprocessed batch items
 * included) and the capacity units DynamoDB reports for them. It is SDK middleware added to the
 * client, so the product code runs unchanged: the bench reads the meter before and after one
 * operation. Calls made inside `backgroundWork` (stream consumers hosted in this process) are
 * not counted. Every call in `Db` already asks for ReturnConsumedCapacity TOTAL; the floor's raw
 * calls ask for it too.
 */
export class DynamoDbMeter {
  requests: Record<string, number> = {};
  /** Milliseconds spent waiting for each API's answers (concurrent calls add up). */
  ms: Record<string, number> = {};
  capacityUnits = 0;
  /** Items written (each member of a batch or transaction counts). */
  itemWrites = 0;
  /** Full items put since the last reset, when `capturePuts` is on (a floor can replay them). */
  puts: Item[] = [];
  capturePuts = false;

  /** Adds the counting middleware to a client (the document client shares its stack with the base client). */
  attach(client: Pick<DynamoDBDocumentClient, 'middlewareStack'>, name = 'benchDynamoDbMeter'): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (backgroundWork.getStore()) return next(args);
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        this.requests[operation] = (this.requests[operation] ?? 0) + 1;
        const writes = writesOf(operation, args.input as WriteInput);
        this.itemWrites += writes.count;
        if (this.capturePuts) this.puts.push(...writes.puts);
        const started = performance.now();
        const result = await next(args);
        this.ms[operation] = (this.ms[operation] ?? 0) + performance.now() - started;
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
    this.ms = {};
    this.capacityUnits = 0;
    this.itemWrites = 0;
    this.puts = [];
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
