import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { User } from '../../../functions/modules/org/index.js';
import {
  hierarchyDates,
  MAX_HIERARCHY_DEPTH,
  type PlacementChange,
  placementOn,
  uplineHintOn,
  uplineTimeline,
  uplineWalkIds,
} from '../../../functions/modules/org/upline.js';

function user(id: string, managerId: string | null, moves: PlacementChange[] = []): User {
  return {
    id,
    version: 1,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    name: id,
    email: `${id}@x.test`,
    phone: null,
    role: 'advisor',
    scope: 'own',
    branchId: 'b1',
    managerId,
    partnerId: null,
    active: true,
    placementHistory: moves,
  };
}

function move(id: string, date: string, from: string | null, to: string | null): PlacementChange {
  return {
    id,
    effectiveDate: date,
    fromBranchId: 'b1',
    toBranchId: 'b1',
    fromManagerId: from,
    toManagerId: to,
  };
}

/** The old walk, one user at a time (what SellerHierarchy did before the hint). */
function walk(users: ReadonlyMap<string, User>, sellerId: string, date: string): string[] {
  const ids: string[] = [];
  const seen = new Set<string>();
  let u = users.get(sellerId);
  let levels = 0;
  while (u && !seen.has(u.id) && levels < MAX_HIERARCHY_DEPTH) {
    seen.add(u.id);
    levels++;
    const moves = [...(u.placementHistory ?? [])].sort((a, b) =>
      `${b.effectiveDate}#${b.id}`.localeCompare(`${a.effectiveDate}#${a.id}`),
    );
    const next = placementOn(u, moves, date).managerId;
    if (!next) break;
    ids.push(next);
    u = users.get(next);
  }
  return ids;
}

describe('upline kept on user items', () => {
  it('changes a junior’s chain on the day their manager’s manager moves, and stops at a cycle', () => {
    const users = new Map(
      [
        user('top', null),
        user('other', null),
        user('mid', 'other', [move('m1', '2026-06-01', 'top', 'other')]),
        user('junior', 'mid'),
        user('loopA', 'loopB'),
        user('loopB', 'loopA'),
      ].map((u) => [u.id, u] as const),
    );
    const timeline = uplineTimeline('junior', users, hierarchyDates(users.values()));
    expect(timeline).toEqual([
      { from: '', managerIds: ['mid', 'top'] },
      { from: '2026-06-01', managerIds: ['mid', 'other'] },
    ]);
    const junior = { ...(users.get('junior') as User), uplineHint: timeline };
    expect(uplineHintOn(junior, '2026-05-31')).toEqual(['mid', 'top']);
    expect(uplineHintOn(junior, '2026-06-01')).toEqual(['mid', 'other']);
    expect(uplineWalkIds('loopA', users, '2026-01-01')).toEqual(['loopB', 'loopA']);
  });

  it('names, for every date, exactly the managers the old walk reads', () => {
    const ids = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
    const manager = fc.option(fc.constantFrom(...ids), { nil: null });
    const day = fc.integer({ min: 1, max: 28 }).map((d) => `2026-03-${String(d).padStart(2, '0')}`);
    const history = fc.array(fc.tuple(day, manager, manager), { maxLength: 3 });
    fc.assert(
      fc.property(fc.array(fc.tuple(manager, history), { minLength: 6, maxLength: 6 }), day, (spec, date) => {
        const users = new Map(
          spec.map(([managerId, moves], i) => {
            const id = ids[i] as string;
            const kept = moves.map(([d, from, to], j) => move(`m${j}`, d, from, to));
            return [id, user(id, managerId, kept)] as const;
          }),
        );
        const dates = hierarchyDates(users.values());
        for (const id of ids) {
          const hinted = { ...(users.get(id) as User), uplineHint: uplineTimeline(id, users, dates) };
          expect(uplineHintOn(hinted, date)).toEqual(walk(users, id, date));
        }
      }),
      { numRuns: 200 },
    );
  });
});
