import { beforeAll, describe, expect, it } from 'vitest';
import { POOL_RULE_ACTOR, type TasksModule } from '../../../functions/modules/tasks/index.js';
import { composeTasks } from '../../../functions/modules/tasks-wiring.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';

/**
 * The pool rule on DynamoDB Local (tenant defaults: 3 missed contact tasks in a row, 90 days without
 * contact): a client moves to its branch's pool once, with the reason on its timeline.
 */
const created = new Date('2030-05-01T08:00:00Z');
const clock = new FixedClock(created);
const app = createTestApp(clock);
let b: Brokerage;
let tasks: TasksModule;
const days = (n: number) => new Date(created.getTime() + n * 86_400_000);

beforeAll(async () => {
  b = await createBrokerage(app, 'Pool Rule Brokerage');
  tasks = composeTasks(app.db, clock);
});

async function clientWithCalls(calls: number) {
  const client = await app.services.clients.records.createClient(b.as.advisor, personInput());
  const ids: string[] = [];
  for (let i = 0; i < calls; i++) {
    const task = await app.services.tasks.tasks.createTask(b.as.advisor, {
      typeCode: 'CALL',
      title: `Call ${i + 1}`,
      clientId: client.id,
      dueAt: days(i * 0.1).toISOString(),
    });
    ids.push(task.id);
  }
  return { client, ids };
}

async function stateOf(clientId: string) {
  const result = await app.exec(
    b.as.admin,
    `query($id: ID!) { client(id: $id) { inPool ownerAdvisor { id } }
       clientTimeline(clientId: $id, first: 5) { edges { node { kind by summary } } } }`,
    { id: clientId },
  );
  expect(result.errors).toBeUndefined();
  const data = result.data as {
    client: { inPool: boolean; ownerAdvisor: { id: string } | null };
    clientTimeline: { edges: Array<{ node: { kind: string; by: string; summary: string } }> };
  };
  return {
    inPool: data.client.inPool,
    owner: data.client.ownerAdvisor?.id ?? null,
    pooled: data.clientTimeline.edges.map((e) => e.node).filter((n) => n.kind === 'POOLED'),
  };
}

describe('the pool rule', () => {
  it('pools a client whose owner missed three contact tasks in a row, once, and one nobody reached for 90 days', async () => {
    const missed = await clientWithCalls(3);
    const kept = await clientWithCalls(3);
    // The middle call is done in time: the misses are not three in a row.
    await app.services.tasks.tasks.completeTask(b.as.advisor, {
      id: kept.ids[1],
      expectedVersion: 1,
      outcome: 'SUCCESSFUL',
    });
    const silent = await app.services.clients.records.createClient(b.as.advisor, personInput());

    const first = await tasks.pool.runTenant(b.tenantId, days(5));
    expect(first.pooled).toBe(1);
    expect(await stateOf(missed.client.id)).toEqual({
      inPool: true,
      owner: null,
      pooled: [
        {
          kind: 'POOLED',
          by: POOL_RULE_ACTOR,
          summary: 'Moved to the branch pool: the owner missed 3 contact tasks in a row',
        },
      ],
    });
    expect((await stateOf(kept.client.id)).inPool).toBe(false);
    expect((await stateOf(silent.id)).inPool).toBe(false);

    // The same day again moves nothing more.
    expect((await tasks.pool.runTenant(b.tenantId, days(5))).pooled).toBe(0);

    // 91 days on, the kept client (last reached on day 0) and the silent one have gone unreached.
    const later = await tasks.pool.runTenant(b.tenantId, days(91));
    expect(later.pooled).toBe(2);
    for (const id of [kept.client.id, silent.id]) {
      expect((await stateOf(id)).pooled.map((p) => p.summary)).toEqual([
        'Moved to the branch pool: not contacted for 90 days',
      ]);
    }
    expect((await stateOf(missed.client.id)).pooled).toHaveLength(1);
  });
});
