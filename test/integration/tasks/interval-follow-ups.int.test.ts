import { beforeAll, describe, expect, it } from 'vitest';
import { INTERVAL_ACTOR } from '../../../functions/modules/tasks/index.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * Interval follow-ups on DynamoDB Local: a client whose usual interval between policies (the median
 * gap, or the term of a single policy) has passed, plus 14 grace days, gets one follow-up call.
 */
const app = createTestApp();
let b: Brokerage;

async function policy(clientId: string, dates: Record<string, string>): Promise<void> {
  const result = await app.exec(
    b.as.advisor,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    {
      i: mtplInput(b, clientId, dates),
    },
  );
  expect(result.errors).toBeUndefined();
}

async function tasksOf(clientId: string) {
  const page = await app.services.tasks.reads.listTasks(
    b.as.advisor,
    { clientId },
    { limit: 100, cursor: null },
  );
  return page.items.map((t) => [t.id, t.typeCode, t.assigneeId, t.createdBy, t.title]);
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Intervals Brokerage');
});

describe('interval follow-ups', () => {
  it('files one follow-up call once the usual interval and the grace days have passed with no new policy', async () => {
    const regular = await app.services.clients.records.createClient(b.as.advisor, personInput());
    // Every 90 days: the next one was expected on 2026-10-07, the follow-up is due from 2026-10-21.
    const terms: Array<[string, string]> = [
      ['2026-01-10', '2026-01-15'],
      ['2026-04-10', '2026-04-15'],
      ['2026-07-09', '2026-07-15'],
    ];
    for (const [written, start] of terms)
      await policy(regular.id, { writtenDate: written, termStart: start, termEnd: '2027-01-14' });
    // One yearly policy: its term is the interval, so nothing is due before 2027-01-24.
    const yearly = await app.services.clients.records.createClient(b.as.advisor, personInput());
    await policy(yearly.id, { writtenDate: '2026-01-10', termStart: '2026-01-15', termEnd: '2027-01-14' });

    const intervals = app.services.tasks.intervals;
    expect((await intervals.runTenant(b.tenantId, new Date('2026-10-20T05:00:00Z'))).created).toBe(0);
    const runs = [];
    for (let i = 0; i < 3; i++)
      runs.push((await intervals.runTenant(b.tenantId, new Date('2026-10-22T05:00:00Z'))).created);
    expect(runs).toEqual([1, 0, 0]);
    expect(await tasksOf(regular.id)).toEqual([
      [
        `interval.${regular.id}.2026-07-09`,
        'CALL',
        b.advisorId,
        INTERVAL_ACTOR,
        `Follow up ${regular.name}: no new policy since 2026-07-09 (usual interval 90 days)`,
      ],
    ]);
    expect(await tasksOf(yearly.id)).toEqual([]);
    expect((await intervals.runTenant(b.tenantId, new Date('2027-01-25T05:00:00Z'))).created).toBe(1);
    expect((await tasksOf(yearly.id)).map((t) => t[0])).toEqual([`interval.${yearly.id}.2026-01-10`]);
  });
});
