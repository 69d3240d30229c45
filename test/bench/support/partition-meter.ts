import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { backgroundWork } from './background.js';
import { keyWritesOf, type TimedWrite } from './partition-load.js';

type Item = Record<string, unknown>;
type Key = { pk: string; sk: string };

/** The writer of calls made outside any stream consumer or bus subscriber: the burst's own requests. */
export const REQUEST_WRITER = 'request';

/** An item as JavaScript values, whether the middleware saw it before or after marshalling. */
function native(item: Item): Item {
  return typeof item.pk === 'object' && item.pk !== null ? unmarshall(item as never) : item;
}

/** One item a write request writes: its key, the image it puts (Put), or whether it deletes it. */
export interface Planned {
  key: Key;
  put?: Item;
  deletes?: boolean;
}

export type WriteInput = {
  Item?: Item;
  Key?: Item;
  ReturnValues?: string;
  TransactItems?: Array<{ Put?: { Item: Item }; Update?: { Key: Item }; Delete?: { Key: Item } }>;
  RequestItems?: Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>>;
};

const keyOf = (item: Item): Key => {
  const n = native(item);
  return { pk: String(n.pk), sk: String(n.sk) };
};
const id = (k: Key) => `${k.pk}\u0000${k.sk}`;

/** The items a write request writes (each member of a transaction or batch), or [] for a read. */
export function plannedWrites(operation: string, input: WriteInput): Planned[] {
  if (operation === 'PutItem' && input.Item) {
    const item = native(input.Item);
    return [{ key: keyOf(item), put: item }];
  }
  if (operation === 'UpdateItem' && input.Key) return [{ key: keyOf(input.Key) }];
  if (operation === 'DeleteItem' && input.Key) return [{ key: keyOf(input.Key), deletes: true }];
  if (operation === 'TransactWriteItems')
    return (input.TransactItems ?? []).flatMap((t): Planned[] => {
      if (t.Put) {
        const item = native(t.Put.Item);
        return [{ key: keyOf(item), put: item }];
      }
      if (t.Update) return [{ key: keyOf(t.Update.Key) }];
      if (t.Delete) return [{ key: keyOf(t.Delete.Key), deletes: true }];
      return [];
    });
  if (operation === 'BatchWriteItem')
    return Object.values(input.RequestItems ?? {})
      .flat()
      .flatMap((r): Planned[] => {
        if (r.PutRequest) {
          const item = native(r.PutRequest.Item);
          return [{ key: keyOf(item), put: item }];
        }
        if (r.DeleteRequest) return [{ key: keyOf(r.DeleteRequest.Key), deletes: true }];
        return [];
      });
  return [];
}

/**
 * Counts, for every item the product writes, the write units on each partition key value: SDK
 * middleware on the product's client (stream consumers and bus subscribers hosted in this process
 * included: unlike DynamoDbMeter it counts `backgroundWork` too, tagged by the consumer's name).
 * Exact images: before a write request is sent, the items it names are read (consistent BatchGet
 * through a separate, unmetered client); after it succeeds, a Put's image is its input, a single
 * UpdateItem's is its ALL_NEW output, and the items of a transaction's updates are read again. So an
 * update that moves an index key is seen as the delete and put it is. A write request that fails
 * (a condition, a cancelled transaction) wrote nothing and is not counted (DynamoDB would still
 * charge the single-item ones 1 WCU on the base key). Two writers changing one item between the
 * read and the write could misplace that item's index change: the bursts here do not.
 */
export class PartitionMeter {
  /** Item writes of the current burst, in the order they were sent per writer. */
  writes: TimedWrite[] = [];
  /** Write requests seen while recording, and the reads the meter added around them. */
  requests = 0;
  imageReads = 0;
  recording = false;
  private readonly order = new Map<string, number>();

  constructor(
    private readonly reader: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Adds the meter to the product's client (the document client shares its stack with the base client). */
  attach(client: Pick<DynamoDBDocumentClient, 'middlewareStack'>): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        const input = args.input as WriteInput;
        const items = this.recording ? plannedWrites(operation, input) : [];
        if (items.length === 0) return next(args);
        const writer = backgroundWork.getStore() ?? REQUEST_WRITER;
        this.requests += 1;
        const before = await this.images(items.map((i) => i.key));
        const result = await next(args);
        const output = result.output as { Attributes?: Item; UnprocessedItems?: WriteInput['RequestItems'] };
        const unprocessed = new Set(
          plannedWrites('BatchWriteItem', { RequestItems: output.UnprocessedItems }).map((p) => id(p.key)),
        );
        const updated = items.filter((i) => !i.put && !i.deletes).map((i) => i.key);
        const single = operation === 'UpdateItem' && input.ReturnValues === 'ALL_NEW' && output.Attributes;
        const after = single
          ? new Map([[id(updated[0] as Key), native(output.Attributes as Item)]])
          : await this.images(updated);
        for (const item of items) {
          if (unprocessed.has(id(item.key))) continue;
          const newImage = item.deletes ? null : (item.put ?? after.get(id(item.key)) ?? null);
          const n = this.order.get(writer) ?? 0;
          this.order.set(writer, n + 1);
          this.writes.push({
            writer,
            order: n,
            writes: keyWritesOf(before.get(id(item.key)) ?? null, newImage),
          });
        }
        return result;
      },
      { step: 'initialize', name: 'benchPartitionMeter' },
    );
    return this;
  }

  /** Starts a new burst: forgets the last one's writes and the writers' order. */
  reset(): void {
    this.writes = [];
    this.requests = 0;
    this.imageReads = 0;
    this.order.clear();
  }

  /** The items' current images (consistent reads, 100 keys a request), by key. */
  private async images(keys: Key[]): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    const unique = [...new Map(keys.map((k) => [id(k), k])).values()];
    for (let i = 0; i < unique.length; i += 100) {
      let pending: Key[] | undefined = unique.slice(i, i + 100);
      while (pending && pending.length > 0) {
        this.imageReads += 1;
        const out = await this.reader.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? []) found.set(id(keyOf(item)), item);
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys as Key[] | undefined;
      }
    }
    return found;
  }
}
