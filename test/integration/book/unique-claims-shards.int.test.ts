import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../functions/shared/db.js';
import { AlreadyExistsError } from '../../../functions/shared/errors.js';
import { migrateClaims } from '../../../functions/shared/shard-migration.js';
import { keys } from '../../../functions/shared/table-design.js';
import { UNIQUE_CLAIM_SHARDS } from '../../../functions/shared/unique-fields.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';

/**
 * Unique claims spread over shards by value (docs/scale.md, section 6): a claim is still found and
 * still refuses a second owner, and claims of the earlier version move to their shard once.
 */
const app = createTestApp();
const db: Db = app.db;
const raw = Reflect.get(db, 'client') as DynamoDBDocumentClient;
let a: Brokerage;
let b: Brokerage;

beforeAll(async () => {
  [a, b] = await Promise.all([createBrokerage(app, 'Claims A'), createBrokerage(app, 'Claims B')]);
});

/** Moves a claim back under its field's partition of before the sharding, as the earlier version wrote it. */
async function unshard(tenantId: string, field: 'NATIONAL_ID', value: string): Promise<void> {
  const key = keys.unique(tenantId, field, value);
  const item = await db.get(key, { consistent: true });
  if (!item) throw new Error(`no claim on ${value}`);
  await raw.send(
    new PutCommand({
      TableName: db.tableName,
      Item: { ...item, pk: keys.uniqueClaims(tenantId, field).base },
    }),
  );
  await raw.send(new DeleteCommand({ TableName: db.tableName, Key: key }));
}

describe('unique claims over shards', () => {
  it('spreads a field’s claims over its shards by value and still refuses a taken value', async () => {
    const shards = new Set(
      Array.from({ length: 64 }, (_, i) => keys.unique(a.tenantId, 'NATIONAL_ID', `8001010${i}`).pk),
    );
    expect(shards.size).toBe(UNIQUE_CLAIM_SHARDS);
    expect([...shards].every((pk) => keys.uniqueClaims(a.tenantId, 'NATIONAL_ID').shards.includes(pk))).toBe(
      true,
    );

    const client = await app.services.clients.records.createClient(
      a.as.advisor,
      personInput({ nationalId: '8501011111' }),
    );
    const claim = await db.get(keys.unique(a.tenantId, 'NATIONAL_ID', '8501011111'), { consistent: true });
    expect(claim?.ownerId).toBe(client.id);
    await expect(
      app.services.clients.records.createClient(a.as.advisor, personInput({ nationalId: '8501011111' })),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    // Another tenant's claim on the same value is its own.
    const other = await app.services.clients.records.createClient(
      b.as.advisor,
      personInput({ nationalId: '8501011111' }),
    );
    expect(other.id).not.toBe(client.id);
  });

  it('moves claims of the earlier version to their shard once, within the tenant, and reports a value claimed twice', async () => {
    const first = await app.services.clients.records.createClient(
      a.as.advisor,
      personInput({ nationalId: '9002022222' }),
    );
    const second = await app.services.clients.records.createClient(
      a.as.advisor,
      personInput({ nationalId: '9003033333' }),
    );
    const inB = await app.services.clients.records.createClient(
      b.as.advisor,
      personInput({ nationalId: '9002022222' }),
    );
    await unshard(a.tenantId, 'NATIONAL_ID', '9002022222');
    await unshard(a.tenantId, 'NATIONAL_ID', '9003033333');
    await unshard(b.tenantId, 'NATIONAL_ID', '9002022222');
    // While unmoved, the old claim is not seen: a second client takes 9003033333 under the new key.
    const duplicate = await app.services.clients.records.createClient(
      a.as.advisor,
      personInput({ nationalId: '9003033333' }),
    );

    const moved = await migrateClaims(db, a.tenantId);
    expect(moved.moved).toBe(1);
    expect(moved.conflicts).toEqual([
      { field: 'NATIONAL_ID', value: '9003033333', oldOwner: second.id, newOwner: duplicate.id },
    ]);
    const claim = await db.get(keys.unique(a.tenantId, 'NATIONAL_ID', '9002022222'), { consistent: true });
    expect(claim?.ownerId).toBe(first.id);
    const old = keys.uniqueClaims(a.tenantId, 'NATIONAL_ID').base;
    expect(await db.get({ pk: old, sk: '9002022222' }, { consistent: true })).toBeUndefined();
    // The conflicting claim stays where it was for a person to settle.
    expect((await db.get({ pk: old, sk: '9003033333' }, { consistent: true }))?.ownerId).toBe(second.id);

    // Tenant B's old claim was not touched by A's migration; its own run moves it.
    const oldB = { pk: keys.uniqueClaims(b.tenantId, 'NATIONAL_ID').base, sk: '9002022222' };
    expect((await db.get(oldB, { consistent: true }))?.ownerId).toBe(inB.id);
    expect((await migrateClaims(db, b.tenantId)).moved).toBe(1);

    const again = await migrateClaims(db, a.tenantId);
    expect(again.moved).toBe(0);
    expect(again.alreadyMoved).toBe(0);
    await expect(
      app.services.clients.records.createClient(a.as.advisor, personInput({ nationalId: '9002022222' })),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
  });
});
