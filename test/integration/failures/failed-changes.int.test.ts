import { beforeAll, describe, expect, it } from 'vitest';
import { failedChangeId } from '../../../functions/modules/failures/failures.model.js';
import { FailuresRepository } from '../../../functions/modules/failures/failures.repository.js';
import { FailuresService } from '../../../functions/modules/failures/failures.service.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import type { TableChangeDetail } from '../../../functions/shared/change-event.js';
import { keys } from '../../../functions/shared/table-design.js';
import { createTenant, createTestApp } from '../../support/app.js';

/**
 * The failure store against DynamoDB Local: one item per (consumer, record), replays through a
 * given consumer that keeps the item OPEN with the new error until it succeeds.
 */
const app = createTestApp();
let tenantId: string;
let admin: Principal;
let broken = true;
const delivered: string[] = [];
const service = new FailuresService(
  new FailuresRepository(app.db),
  { now: () => new Date() },
  {
    probe: async (change) => {
      if (broken) throw new Error(`still broken on ${change.eventID}`);
      delivered.push(change.eventID);
    },
  },
);

function change(eventID: string, tenant: string | undefined): TableChangeDetail {
  return {
    eventName: 'INSERT',
    eventID,
    entityType: 'Policy',
    ...(tenant ? { tenantId: tenant } : {}),
    keys: { pk: 'x', sk: 'y' },
    newImage: { id: eventID },
    sequenceNumber: '100',
  };
}

beforeAll(async () => {
  ({ tenantId, admin } = await createTenant(app));
});

describe('the failure store', () => {
  it('keeps the same failure recorded twice as one item, adding its attempts', async () => {
    const at = '2026-11-30T10:00:00.000Z';
    await service.record({
      consumer: 'probe',
      change: change('ev-twice', tenantId),
      error: 'a',
      attempts: 6,
      at,
    });
    await service.record({
      consumer: 'probe',
      change: change('ev-twice', tenantId),
      error: 'b',
      attempts: 6,
      at: '2026-11-30T11:00:00.000Z',
    });
    const page = await service.list(admin, 'OPEN', { limit: 100, cursor: null });
    const mine = page.items.filter((f) => f.change?.eventID === 'ev-twice');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      id: failedChangeId('probe', 'ev-twice'),
      tenantId,
      attempts: 12,
      error: 'b',
      firstFailedAt: at,
      lastFailedAt: '2026-11-30T11:00:00.000Z',
    });
  });

  it('keeps a failed replay OPEN with the new error, and marks a successful one REPLAYED once', async () => {
    const stored = await service.record({
      consumer: 'probe',
      change: change('ev-replay', tenantId),
      error: 'first',
      attempts: 6,
      at: '2026-11-30T10:00:00.000Z',
    });
    const failed = await service.replay(admin, stored.id);
    expect(failed).toMatchObject({ status: 'OPEN', attempts: 7, error: 'still broken on ev-replay' });

    broken = false;
    const replayed = await service.replay(admin, stored.id);
    expect(replayed).toMatchObject({ status: 'REPLAYED', replayedBy: admin.userId });
    await service.replay(admin, stored.id);
    expect(delivered.filter((id) => id === 'ev-replay')).toHaveLength(1);

    // A late duplicate of the failure (a redelivered queue message) does not reopen it.
    await service.record({
      consumer: 'probe',
      change: change('ev-replay', tenantId),
      error: 'late',
      attempts: 1,
      at: '2026-11-30T12:00:00.000Z',
    });
    const open = await service.list(admin, 'OPEN', { limit: 100, cursor: null });
    expect(open.items.map((f) => f.id)).not.toContain(stored.id);
  });

  it('stores a record that names no tenant in the system partition, which no tenant lists', async () => {
    const stored = await service.record({
      consumer: 'probe',
      change: change('ev-system', undefined),
      error: 'no tenant',
      attempts: 1,
      at: '2026-11-30T10:00:00.000Z',
    });
    const item = await app.db.get(keys.failedChange(null, stored.id), { consistent: true });
    expect(item?.pk).toBe(`G#SYSTEM#FAILED#${stored.id}`);
    const page = await service.list(admin, null, { limit: 100, cursor: null });
    expect(page.items.map((f) => f.id)).not.toContain(stored.id);
  });
});
