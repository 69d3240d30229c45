import { describe, expect, it, vi } from 'vitest';
import { OrgHierarchy, type OrgRepository } from '../../../functions/modules/org/index.js';
import type { TransactOp } from '../../../functions/shared/db.js';
import { logger } from '../../../functions/shared/logger.js';

describe('hints a move cannot carry in its own transaction', () => {
  it('are written in follow-up transactions of 45, and a failed one is logged while the rest go on', async () => {
    const sizes: number[] = [];
    const repo = {
      uplineHintOp: (_t: string, userId: string): TransactOp => ({
        item: { Update: { TableName: '', Key: { userId }, UpdateExpression: 'SET uplineHint = :h' } },
      }),
      transactOps: async (ops: TransactOp[]) => {
        sizes.push(ops.length);
        if (sizes.length === 2) throw new Error('throttled');
      },
    } as unknown as OrgRepository;
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const changes = Array.from({ length: 100 }, (_, i) => ({ userId: `u${i}`, hint: [] }));
    await new OrgHierarchy(repo).writeHints('t1', changes);
    expect(sizes).toEqual([45, 45, 10]);
    expect(warn).toHaveBeenCalledOnce();
    expect(warn.mock.calls[0]?.[1]).toMatchObject({
      tenantId: 't1',
      users: changes.slice(45, 90).map((c) => c.userId),
    });
  });

  it('gives a new user its manager’s chain from each date, the manager first', () => {
    const hierarchy = new OrgHierarchy({} as OrgRepository);
    const manager = {
      id: 'm',
      uplineHint: [
        { from: '', managerIds: ['top'] },
        { from: '2026-06-01', managerIds: ['other'] },
      ],
    } as Parameters<OrgHierarchy['newUserHint']>[0];
    expect(hierarchy.newUserHint(manager)).toEqual([
      { from: '', managerIds: ['m', 'top'] },
      { from: '2026-06-01', managerIds: ['m', 'other'] },
    ]);
    expect(hierarchy.newUserHint(undefined)).toEqual([{ from: '', managerIds: [] }]);
  });
});
