import { describe, expect, it } from 'vitest';
import { groupEvents, type Prepared } from '../../../functions/modules/webhooks/event-grouping.js';
import type { EventType } from '../../../functions/modules/webhooks/webhooks.model.js';

const event = (index: number, type: EventType, data: Record<string, unknown>): Prepared => ({
  index,
  event: { id: `e${index}`, type, data },
  data,
});
const holder = (nationalId: string | null, email: string | null = null) => ({
  holder: { nationalId, email },
});

describe('grouping the events of a delivery', () => {
  it('keeps the events of one policy together and in the order sent', () => {
    const groups = groupEvents([
      event(0, 'policy.issued', { policyNumber: 'a 1', ...holder('1111') }),
      event(1, 'policy.issued', { policyNumber: 'B-2', ...holder('2222') }),
      event(2, 'policy.cancelled', { policyNumber: 'A1' }),
    ]);
    expect(groups.map((g) => g.map((p) => p.index))).toEqual([[0, 2], [1]]);
  });

  it('joins new policies of one holder, linked through any of their ids, with those policies’ later events', () => {
    const groups = groupEvents([
      event(0, 'policy.issued', { policyNumber: 'P1', ...holder('1111', 'x@example.com') }),
      event(1, 'policy.issued', { policyNumber: 'P2', ...holder(null, 'x@example.com') }),
      event(2, 'policy.issued', { policyNumber: 'P3', ...holder('9999') }),
      event(3, 'policy.cancelled', { policyNumber: 'P2' }),
      event(4, 'commission.statement', { period: '2026-12' }),
    ]);
    expect(groups.map((g) => g.map((p) => p.index))).toEqual([[0, 1, 3], [2], [4]]);
  });
});
