import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { type ItemKey, TABLE } from './table-design.js';

/** The expressions db.ts sends: a transaction item bound to the table, a versioned update. */
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A transaction item (built with an empty table name) bound to the table. */
export function withTable(item: TransactItem, tableName: string): TransactItem {
  if (item.Put) return { Put: { ...item.Put, TableName: tableName } };
  if (item.Update) return { Update: { ...item.Update, TableName: tableName } };
  if (item.Delete) return { Delete: { ...item.Delete, TableName: tableName } };
  if (item.ConditionCheck) return { ConditionCheck: { ...item.ConditionCheck, TableName: tableName } };
  return item;
}

/** SET the changes (REMOVE the undefined ones) and bump the version, if it is still `expectedVersion`. */
export function versionedUpdate(key: ItemKey, expectedVersion: number, changes: Record<string, unknown>) {
  const names: Record<string, string> = { '#version': TABLE.version };
  const values: Record<string, unknown> = { ':expected': expectedVersion, ':one': 1 };
  const sets: string[] = ['#version = #version + :one'];
  const removes: string[] = [];
  Object.entries(changes).forEach(([attribute, value], i) => {
    if (attribute === 'pk' || attribute === 'sk' || attribute === TABLE.version) {
      throw new RangeError(`Cannot update key or version attribute ${attribute}`);
    }
    names[`#a${i}`] = attribute;
    if (value === undefined) {
      removes.push(`#a${i}`);
    } else {
      values[`:v${i}`] = value;
      sets.push(`#a${i} = :v${i}`);
    }
  });
  return {
    Key: { pk: key.pk, sk: key.sk },
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
