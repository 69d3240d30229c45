import { describe, expect, it } from 'vitest';
import {
  type AuditableItem,
  applyUpdate,
  auditedChanges,
  auditImage,
  auditOp,
  keyId,
  keysToInspect,
  MAX_IMAGE_BYTES,
} from '../../../functions/shared/audit.js';
import { deleteOp, putNewOp, putOp, versionedUpdateOp } from '../../../functions/shared/db.js';

const client: AuditableItem = {
  pk: 'T#t1#CLIENT#c1',
  sk: 'A#CLIENT',
  type: 'Client',
  tenantId: 't1',
  gsi1pk: 'T#t1#OWNER#u1#CLIENT',
  id: 'c1',
  name: 'Novak Jan',
  tags: ['vip'],
  version: 3,
};
const actor = { tenantId: 't1', actorId: 'u1', requestId: 'r1' };

describe('audit images and entries', () => {
  it('keeps the record without its storage keys, and replaces an image over 150 KB by a marker', () => {
    expect(auditImage(client)).toEqual({ id: 'c1', name: 'Novak Jan', tags: ['vip'], version: 3 });
    const huge = { ...client, note: 'x'.repeat(MAX_IMAGE_BYTES + 1) };
    expect(auditImage(huge)).toEqual({ truncated: true, bytes: expect.any(Number) });
  });

  it('derives the after image of a versioned update from the item as it stood', () => {
    const op = versionedUpdateOp(client, 3, { name: 'Novak Petr', tags: undefined }, () => new Error('x'));
    const after = applyUpdate(client, op.item.Update ?? {});
    expect(after).toMatchObject({ name: 'Novak Petr', version: 4 });
    expect(after).not.toHaveProperty('tags');
  });

  it('audits puts, updates and deletes of audited types only, under entity, actor and tenant keys', () => {
    const timeline = putOp({ pk: client.pk, sk: 'H#01', type: 'TimelineEntry', version: 1, id: 'h1' });
    const update = versionedUpdateOp(client, 3, { name: 'Novak Petr' }, () => new Error('x'));
    const removal = deleteOp({ pk: 'T#t1#CLIENT#c2', sk: 'A#CLIENT' });
    const ops = [timeline, update, removal];
    expect(keysToInspect(ops).map(keyId)).toEqual([
      keyId(client),
      keyId({ pk: 'T#t1#CLIENT#c2', sk: 'A#CLIENT' }),
    ]);
    // A put that only creates (the key must be free) has nothing before it: no read for its audit.
    const created = putNewOp({ ...client, version: 1, pk: 'T#t1#CLIENT#c3', id: 'c3' }, () => new Error('x'));
    const replaced = putOp({ ...client, version: 1, pk: 'T#t1#CLIENT#c4', id: 'c4' });
    expect(keysToInspect([created, replaced]).map(keyId)).toEqual([
      keyId({ pk: 'T#t1#CLIENT#c4', sk: client.sk }),
    ]);
    expect(auditedChanges([created], new Map()).map((c) => [c.before, c.after?.id])).toEqual([
      [undefined, 'c3'],
    ]);
    const current = new Map([
      [keyId(client), client],
      [keyId({ pk: 'T#t1#CLIENT#c2', sk: 'A#CLIENT' }), { ...client, pk: 'T#t1#CLIENT#c2', id: 'c2' }],
    ]);
    const changes = auditedChanges(ops, current);
    expect(changes.map((c) => [c.before?.id, c.after?.id ?? null])).toEqual([
      ['c1', 'c1'],
      ['c2', null],
    ]);
    const entry = auditOp(
      actor,
      changes[1] ?? { before: undefined, after: undefined },
      '2026-12-01T10:00:00.000Z',
    )?.item.Put.Item;
    expect(entry).toMatchObject({
      type: 'AuditEntry',
      entityType: 'Client',
      entityId: 'c2',
      action: 'DELETED',
      actorId: 'u1',
      requestId: 'r1',
      after: null,
      gsi1pk: 'T#t1#AUDIT_BY#u1',
      gsi2pk: 'T#t1#AUDIT_ALL',
    });
    expect(String(entry?.pk)).toBe('T#t1#AUDIT#Client#c2');
  });
});
