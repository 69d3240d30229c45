import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * The renewals schedule on DynamoDB Local: one RENEWAL task per ACTIVE policy whose term ends within
 * the tenant's window (60 days by default), for its servicing advisor, however often it runs.
 */
const app = createTestApp();
let b: Brokerage;
const AS_OF = new Date('2027-01-01T05:00:00Z');

async function policy(clientId: string, termEnd: string): Promise<string> {
  const result = await app.exec<{ writePolicy: { id: string } }>(
    b.as.advisor,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    { i: mtplInput(b, clientId, { termEnd }) },
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.writePolicy.id;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Renewals Brokerage');
});

describe('renewals schedule', () => {
  it('creates one renewal task per expiring policy term after three runs, none outside the window', async () => {
    const client = await app.services.clients.records.createClient(b.as.advisor, personInput());
    const soon = await policy(client.id, '2027-01-10');
    const inWindow = await policy(client.id, '2027-02-25');
    await policy(client.id, '2027-03-15');
    await policy(client.id, '2026-12-20');

    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await app.services.tasks.renewals.runTenant(b.tenantId, AS_OF));
    expect(runs).toEqual([
      { policies: 2, created: 2 },
      { policies: 2, created: 0 },
      { policies: 2, created: 0 },
    ]);

    const page = await app.services.tasks.reads.listTasks(
      b.as.advisor,
      { clientId: client.id },
      { limit: 100, cursor: null },
    );
    expect(page.items.map((t) => [t.id, t.typeCode, t.assigneeId, t.policyId, t.process, t.dueAt])).toEqual([
      [`renewal.${soon}.2027-01-10`, 'RENEWAL', b.advisorId, soon, 'RENEWAL', AS_OF.toISOString()],
      [
        `renewal.${inWindow}.2027-02-25`,
        'RENEWAL',
        b.advisorId,
        inWindow,
        'RENEWAL',
        '2027-02-11T09:00:00.000Z',
      ],
    ]);
    const card = await app.services.clients.reads.clientCard(b.as.advisor, client.id);
    expect(card?.openTasks.map((t) => t.id).sort()).toEqual(page.items.map((t) => t.id).sort());
  });
});
