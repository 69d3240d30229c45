import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CursorSealer, staticCursorKeys } from '../../../functions/shared/cursor-seal.js';
import {
  createDocumentClient,
  Db,
  putNewOp,
  putOp,
  type StoredItem,
  versionedUpdateOp,
} from '../../../functions/shared/db.js';
import {
  AlreadyExistsError,
  InvalidCursorError,
  NotFoundError,
  VersionConflictError,
} from '../../../functions/shared/errors.js';

const TABLE_NAME = 'broker-crm-unit';
const ddb = mockClient(DynamoDBDocumentClient);
const sealer = new CursorSealer(staticCursorKeys(['unit-test-cursor-secret-0123456789abcdef']));
const db = () => new Db(createDocumentClient({ region: 'eu-central-1' }), TABLE_NAME, sealer);
const meta = { $metadata: {} };

const item = (sk: string, extra: Record<string, unknown> = {}): StoredItem => ({
  pk: 'T#t1#ORG#BRANCH',
  sk,
  type: 'Branch',
  version: 1,
  ...extra,
});

beforeEach(() => {
  ddb.reset();
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('cursors', () => {
  it('round-trips a LastEvaluatedKey through a sealed cursor that shows none of it', async () => {
    const key = { pk: 'T#t1#ORG#BRANCH', sk: '01HX', gsi1pk: 'T#t1#X', n: 3 };
    const cursor = await db().sealCursor(key, 'T#t1#ORG#BRANCH');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/t1|ORG|BRANCH|01HX/);
    expect(await db().openCursor(cursor, 'T#t1#ORG#BRANCH')).toEqual(key);
  });

  it('refuses a cursor issued for another partition (another list or tenant) or index', async () => {
    const cursor = await db().sealCursor({ pk: 'T#t2#ORG#BRANCH', sk: '01HX' }, 'T#t2#ORG#BRANCH');
    await expect(db().openCursor(cursor, 'T#t1#ORG#BRANCH')).rejects.toThrow(InvalidCursorError);
    await expect(db().openCursor(cursor, 'T#t2#ORG#BRANCH', 'gsi1')).rejects.toThrow(InvalidCursorError);
  });

  it.each([
    ['garbage', 'not a cursor!'],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64url')],
    ['an unsealed JSON key', Buffer.from('{"pk":"T#t1#ORG#BRANCH","sk":"a"}').toString('base64url')],
  ])('refuses a forged cursor: %s', async (_label, cursor) => {
    await expect(db().openCursor(cursor, 'T#t1#ORG#BRANCH')).rejects.toThrow(InvalidCursorError);
  });
});

describe('Db.updateVersioned', () => {
  const key = { pk: 'T#t1', sk: 'TENANT' };
  const describeTenant = { entity: 'Tenant', id: 't1' };

  it('sends one conditional update that bumps the version and removes undefined fields', async () => {
    ddb.on(UpdateCommand).resolves({ ...meta, Attributes: { ...key, version: 4, name: 'New' } });
    const updated = await db().updateVersioned(key, 3, { name: 'New', phone: undefined }, describeTenant);
    expect(updated).toMatchObject({ version: 4, name: 'New' });
    const calls = ddb.commandCalls(UpdateCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      TableName: TABLE_NAME,
      Key: key,
      UpdateExpression: 'SET #version = #version + :one, #a0 = :v0 REMOVE #a1',
      ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
      ExpressionAttributeNames: { '#version': 'version', '#a0': 'name', '#a1': 'phone' },
      ExpressionAttributeValues: { ':expected': 3, ':one': 1, ':v0': 'New' },
      ReturnValues: 'ALL_NEW',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      ReturnConsumedCapacity: 'TOTAL',
    });
  });

  it('raises CONFLICT when the item exists at another version', async () => {
    ddb.on(UpdateCommand).rejects(
      new ConditionalCheckFailedException({
        ...meta,
        message: 'The conditional request failed',
        Item: { pk: { S: 'T#t1' }, sk: { S: 'TENANT' }, version: { N: '5' } },
      }),
    );
    const attempt = db().updateVersioned(key, 3, { name: 'New' }, describeTenant);
    await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
    await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT', details: { expectedVersion: 3 } });
  });

  it('raises NOT_FOUND when the item does not exist', async () => {
    ddb
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ ...meta, message: 'The conditional request failed' }));
    const attempt = db().updateVersioned(key, 1, { name: 'New' }, describeTenant);
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { entity: 'Tenant', id: 't1' },
    });
  });

  it('passes other failures through unchanged', async () => {
    const throttled = new Error('ProvisionedThroughputExceededException');
    ddb.on(UpdateCommand).rejects(throttled);
    await expect(db().updateVersioned(key, 1, { name: 'x' }, describeTenant)).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
  });

  it('refuses to change a key or the version attribute', async () => {
    await expect(db().updateVersioned(key, 1, { pk: 'T#t2' }, describeTenant)).rejects.toThrow(RangeError);
    await expect(db().updateVersioned(key, 1, { version: 9 }, describeTenant)).rejects.toThrow(RangeError);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});

describe('Db.transact', () => {
  const ops = () => [
    putNewOp(item('b1'), () => new AlreadyExistsError('Branch', 'id', 'b1')),
    putNewOp(
      { pk: 'T#t1#UNIQUE#USER_EMAIL', sk: 'a@b.cz', type: 'Unique', version: 1 },
      () => new AlreadyExistsError('User', 'USER_EMAIL', 'a@b.cz'),
    ),
    versionedUpdateOp(
      { pk: 'T#t1#ORG#USER', sk: 'u1' },
      2,
      { name: 'Ana' },
      () => new VersionConflictError('User', 'u1', 2),
    ),
  ];

  const cancelled = (codes: string[]) =>
    new TransactionCanceledException({
      ...meta,
      message: 'Transaction cancelled',
      CancellationReasons: codes.map((Code) => ({ Code })),
    });

  it('fills in the table name on every operation', async () => {
    ddb.on(TransactWriteCommand).resolves(meta);
    await db().transact([...ops(), putOp(item('b2'))]);
    const input = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input;
    expect(input?.TransactItems).toHaveLength(4);
    expect(input?.TransactItems?.[0]?.Put).toMatchObject({
      TableName: TABLE_NAME,
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(input?.TransactItems?.[2]?.Update).toMatchObject({
      TableName: TABLE_NAME,
      ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
    });
    expect(input?.TransactItems?.[3]?.Put?.TableName).toBe(TABLE_NAME);
  });

  it.each([
    [0, ['ConditionalCheckFailed', 'None', 'None'], AlreadyExistsError, { entity: 'Branch', field: 'id' }],
    [
      1,
      ['None', 'ConditionalCheckFailed', 'None'],
      AlreadyExistsError,
      { entity: 'User', field: 'USER_EMAIL' },
    ],
    [2, ['None', 'None', 'ConditionalCheckFailed'], VersionConflictError, { entity: 'User', id: 'u1' }],
  ])('raises the domain error of operation %d when its condition fails', async (_i, codes, type, details) => {
    ddb.on(TransactWriteCommand).rejects(cancelled(codes));
    const attempt = db().transact(ops());
    await expect(attempt).rejects.toBeInstanceOf(type);
    await expect(attempt).rejects.toMatchObject({ details });
  });

  it('passes a cancellation that is not a failed condition through (e.g. a conflicting transaction)', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'TransactionConflict', 'None']));
    await expect(db().transact(ops())).rejects.toBeInstanceOf(TransactionCanceledException);
  });

  it('sends nothing for no operations and refuses more than 100', async () => {
    await db().transact([]);
    const many = Array.from({ length: 101 }, (_, i) => putOp(item(`b${i}`)));
    await expect(db().transact(many)).rejects.toThrow(/at most 100/);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('Db.batchGet', () => {
  const keyList = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: 'T#t1#ORG#USER', sk: `u${i}` }));

  it('reads 250 keys in chunks of 100, 100 and 50', async () => {
    ddb.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: StoredItem[] }> }) => ({
      Responses: { [TABLE_NAME]: input.RequestItems[TABLE_NAME]?.Keys ?? [] },
    }));
    const found = await db().batchGet(keyList(250));
    expect(found).toHaveLength(250);
    const sizes = ddb
      .commandCalls(BatchGetCommand)
      .map((c) => c.args[0].input.RequestItems?.[TABLE_NAME]?.Keys?.length);
    expect(sizes).toEqual([100, 100, 50]);
  });

  it('retries only the unprocessed keys and returns every item once', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const keys = keyList(3);
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE_NAME]: [item('u0')] },
        UnprocessedKeys: { [TABLE_NAME]: { Keys: keys.slice(1) } },
      })
      .resolvesOnce({ Responses: { [TABLE_NAME]: [item('u1'), item('u2')] } });
    const found = await db().batchGet(keys);
    expect(found.map((i) => i.sk)).toEqual(['u0', 'u1', 'u2']);
    const calls = ddb.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.RequestItems?.[TABLE_NAME]?.Keys).toEqual(keys.slice(1));
  });
});

describe('Db.batchWrite', () => {
  it('writes puts and deletes in chunks of 25', async () => {
    ddb.on(BatchWriteCommand).resolves({});
    const puts = Array.from({ length: 40 }, (_, i) => item(`b${i}`));
    const deletes = Array.from({ length: 20 }, (_, i) => ({ pk: 'T#t1#ORG#BRANCH', sk: `old${i}` }));
    await db().batchWrite(puts, deletes);
    const chunks = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.[TABLE_NAME]);
    expect(chunks.map((c) => c?.length)).toEqual([25, 25, 10]);
    expect(chunks[0]?.[0]).toEqual({ PutRequest: { Item: puts[0] } });
    expect(chunks[2]?.[9]).toEqual({ DeleteRequest: { Key: { pk: 'T#t1#ORG#BRANCH', sk: 'old19' } } });
  });

  it('retries unprocessed writes after an exponentially growing backoff', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    const unprocessed = [{ PutRequest: { Item: item('b1') } }];
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE_NAME]: unprocessed } })
      .resolvesOnce({ UnprocessedItems: { [TABLE_NAME]: unprocessed } })
      .resolvesOnce({});
    const done = db().batchWrite([item('b0'), item('b1')]);

    await vi.advanceTimersByTimeAsync(0);
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(1);
    // attempt 1 waits up to 25·2¹ = 50 ms
    await vi.advanceTimersByTimeAsync(45);
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(2);
    // attempt 2 waits up to 25·2² = 100 ms
    await vi.advanceTimersByTimeAsync(90);
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(15);
    await done;
    const calls = ddb.commandCalls(BatchWriteCommand);
    expect(calls).toHaveLength(3);
    expect(calls[2]?.args[0].input.RequestItems?.[TABLE_NAME]).toEqual(unprocessed);
  });

  it('gives up with an error when writes stay unprocessed after 8 retries', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    ddb
      .on(BatchWriteCommand)
      .resolves({ UnprocessedItems: { [TABLE_NAME]: [{ PutRequest: { Item: item('b0') } }] } });
    await expect(db().batchWrite([item('b0')])).rejects.toThrow(
      'BatchWriteItem left writes unprocessed after retries',
    );
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(9);
  });
});

describe('Db.queryPage', () => {
  it('queries one partition with a sort-key prefix and returns one cursor per item', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [item('MOVE#a'), item('MOVE#b')],
      LastEvaluatedKey: { pk: 'T#t1#ORG#BRANCH', sk: 'MOVE#b' },
    });
    const page = await db().queryPage({
      partition: 'T#t1#ORG#BRANCH',
      beginsWith: 'MOVE#',
      limit: 2,
      newestFirst: true,
    });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      TableName: TABLE_NAME,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :skPrefix)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': 'T#t1#ORG#BRANCH', ':skPrefix': 'MOVE#' },
      ScanIndexForward: false,
      Limit: 2,
    });
    expect(page.cursors).toHaveLength(2);
    expect(await db().openCursor(page.cursors[0] ?? '', 'T#t1#ORG#BRANCH')).toEqual({
      pk: 'T#t1#ORG#BRANCH',
      sk: 'MOVE#a',
    });
    expect(page.nextCursor).toBe(page.cursors[1]);
  });

  it('refuses a cursor from another tenant before sending any request', async () => {
    const foreign = await db().sealCursor({ pk: 'T#t2#ORG#BRANCH', sk: 'b1' }, 'T#t2#ORG#BRANCH');
    await expect(
      db().queryPage({ partition: 'T#t1#ORG#BRANCH', limit: 10, cursor: foreign }),
    ).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('keeps reading a filtered query until the page is full, and resumes after the last item returned', async () => {
    // db.ts reuses one params object across requests: copy what each request carried when it was sent.
    const sent: Array<{ ExclusiveStartKey?: unknown; Limit?: number }> = [];
    const responses = [
      { Items: [item('a')], LastEvaluatedKey: { pk: 'T#t1#ORG#BRANCH', sk: 'c' } },
      { Items: [item('d'), item('e')], LastEvaluatedKey: { pk: 'T#t1#ORG#BRANCH', sk: 'f' } },
    ];
    ddb.on(QueryCommand).callsFake((input: { ExclusiveStartKey?: unknown; Limit?: number }) => {
      sent.push(structuredClone(input));
      return responses[sent.length - 1];
    });
    const page = await db().queryPage({
      partition: 'T#t1#ORG#BRANCH',
      limit: 2,
      filter: { expression: '#f0 = :f0', names: { '#f0': 'regionId' }, values: { ':f0': 'r1' } },
    });
    expect(page.items.map((i) => i.sk)).toEqual(['a', 'd']);
    expect(await db().openCursor(page.nextCursor ?? '', 'T#t1#ORG#BRANCH')).toEqual({
      pk: 'T#t1#ORG#BRANCH',
      sk: 'd',
    });
    expect(sent).toHaveLength(2);
    expect(sent[0]?.ExclusiveStartKey).toBeUndefined();
    expect(sent[1]).toMatchObject({ ExclusiveStartKey: { pk: 'T#t1#ORG#BRANCH', sk: 'c' }, Limit: 1 });
  });
});
