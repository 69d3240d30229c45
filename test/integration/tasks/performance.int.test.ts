import { beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../functions/shared/clock.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * Seller performance on DynamoDB Local against a hand-computed fixture (tenant zone Prague, UTC+1
 * in January). Tasks are filed on 2030-01-02 08:00Z; CALL's SLA is 24 h, OFFER's 48 h.
 */
const clock = new FixedClock(new Date('2030-01-02T08:00:00Z'));
const app = createTestApp(clock);
let b: Brokerage;

beforeAll(async () => {
  b = await createBrokerage(app, 'Performance Brokerage');
});

const COUNTS = 'assigned done late averageCompletionHours averageSlaHours';
const ROW = `groupId ${COUNTS}
  byType { typeCode ${COUNTS} }
  byProductLine { productLineCode ${COUNTS} }
  bySegment { segment ${COUNTS} }
  checkpoints { presentations proposals contracts proposalRate contractRate }`;

describe('seller performance', () => {
  it('equals the hand-computed figures per advisor and per branch, by type, product line and segment, within scope', async () => {
    const adam = await app.services.clients.records.createClient(b.as.advisor, personInput());
    const vip = await app.services.clients.records.createClient(
      b.as.advisor,
      personInput({ segment: 'VIP' }),
    );
    const written = await app.exec<{ writePolicy: { id: string } }>(
      b.as.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      { i: mtplInput(b, adam.id) },
    );
    const mtplPolicyId = written.data?.writePolicy.id;
    expect(mtplPolicyId).toBeDefined();
    const franz = await app.services.clients.records.createClient(b.as.franchiseAdvisor, personInput());
    const make = (as: typeof b.as.advisor, clientId: string, input: Record<string, unknown>) =>
      app.services.tasks.tasks.createTask(as, { clientId, ...input });
    const done = (as: typeof b.as.advisor, id: string, outcome = 'DONE') =>
      app.services.tasks.tasks.completeTask(as, { id, expectedVersion: 1, outcome });
    // Adam: call A done after 10 h (in SLA), call B done after 30 h (late), offer C open past its SLA,
    // call D due in February (another month), meeting E (presentation) done after 2 h, offer F
    // (proposal) done after 30 h (in its 48 h SLA). A and C are about the same MTPL policy; F is
    // for the VIP client, the rest for the INDIVIDUAL one.
    const a = await make(b.as.advisor, adam.id, {
      typeCode: 'CALL',
      title: 'A',
      dueAt: '2030-01-02T12:00:00Z',
      policyId: mtplPolicyId,
    });
    const bb = await make(b.as.advisor, adam.id, {
      typeCode: 'CALL',
      title: 'B',
      dueAt: '2030-01-02T12:00:00Z',
    });
    await make(b.as.advisor, adam.id, {
      typeCode: 'OFFER',
      title: 'C',
      dueAt: '2030-01-03T12:00:00Z',
      policyId: mtplPolicyId,
    });
    await make(b.as.advisor, adam.id, { typeCode: 'CALL', title: 'D', dueAt: '2030-01-31T23:30:00Z' });
    const e = await make(b.as.advisor, adam.id, {
      typeCode: 'MEETING',
      title: 'E',
      dueAt: '2030-01-02T10:00:00Z',
      checkpoint: 'PRESENTATION',
    });
    const f = await make(b.as.advisor, vip.id, {
      typeCode: 'OFFER',
      title: 'F',
      dueAt: '2030-01-03T10:00:00Z',
      checkpoint: 'PROPOSAL',
    });
    // Franz (franchise branch): one call done after 1 h.
    const g = await make(b.as.franchiseAdvisor, franz.id, {
      typeCode: 'CALL',
      title: 'G',
      dueAt: '2030-01-05T10:00:00Z',
    });
    clock.set(new Date('2030-01-02T09:00:00Z'));
    await done(b.as.franchiseAdvisor, g.id);
    clock.set(new Date('2030-01-02T10:00:00Z'));
    await done(b.as.advisor, e.id, 'SUCCESSFUL');
    clock.set(new Date('2030-01-02T18:00:00Z'));
    await done(b.as.advisor, a.id);
    clock.set(new Date('2030-01-03T14:00:00Z'));
    await done(b.as.advisor, bb.id);
    await done(b.as.advisor, f.id, 'ACCEPTED');
    clock.set(new Date('2030-01-10T08:00:00Z'));

    const run = async (as: typeof b.as.advisor, groupBy: string) => {
      const result = await app.exec(
        as,
        `{ sellerPerformance(period: "2030-01", groupBy: ${groupBy}) { ${ROW} } }`,
      );
      expect(result.errors).toBeUndefined();
      return (result.data as { sellerPerformance: unknown[] }).sellerPerformance;
    };
    // D is due 2030-02-01 00:30 in Prague: February. F's checkpoint PROPOSAL has 1 presentation before it.
    const adamRow = {
      groupId: b.advisorId,
      assigned: 5,
      done: 4,
      late: 2,
      // (10 + 30 + 2 + 30) / 4 = 18; SLA hours (24 + 24 + 72 + 48) / 4 = 42
      averageCompletionHours: 18,
      averageSlaHours: 42,
      byType: [
        { typeCode: 'CALL', assigned: 2, done: 2, late: 1, averageCompletionHours: 20, averageSlaHours: 24 },
        {
          typeCode: 'MEETING',
          assigned: 1,
          done: 1,
          late: 0,
          averageCompletionHours: 2,
          averageSlaHours: 72,
        },
        { typeCode: 'OFFER', assigned: 2, done: 1, late: 1, averageCompletionHours: 30, averageSlaHours: 48 },
      ],
      // MTPL: A (10 h of 24) and C (open, late); none: B (30 of 24), E (2 of 72), F (30 of 48):
      // (30 + 2 + 30) / 3 = 20.67, (24 + 72 + 48) / 3 = 48. Codes sort before `none`.
      byProductLine: [
        {
          productLineCode: 'MTPL',
          assigned: 2,
          done: 1,
          late: 1,
          averageCompletionHours: 10,
          averageSlaHours: 24,
        },
        {
          productLineCode: 'none',
          assigned: 3,
          done: 3,
          late: 1,
          averageCompletionHours: 20.67,
          averageSlaHours: 48,
        },
      ],
      // INDIVIDUAL: A, B, C, E: (10 + 30 + 2) / 3 = 14, (24 + 24 + 72) / 3 = 40; VIP: F.
      bySegment: [
        {
          segment: 'INDIVIDUAL',
          assigned: 4,
          done: 3,
          late: 2,
          averageCompletionHours: 14,
          averageSlaHours: 40,
        },
        { segment: 'VIP', assigned: 1, done: 1, late: 0, averageCompletionHours: 30, averageSlaHours: 48 },
      ],
      checkpoints: { presentations: 1, proposals: 1, contracts: 0, proposalRate: 1, contractRate: 0 },
    };
    const franzRow = {
      groupId: b.franchiseAdvisorId,
      assigned: 1,
      done: 1,
      late: 0,
      averageCompletionHours: 1,
      averageSlaHours: 24,
      byType: [
        { typeCode: 'CALL', assigned: 1, done: 1, late: 0, averageCompletionHours: 1, averageSlaHours: 24 },
      ],
      byProductLine: [
        {
          productLineCode: 'none',
          assigned: 1,
          done: 1,
          late: 0,
          averageCompletionHours: 1,
          averageSlaHours: 24,
        },
      ],
      bySegment: [
        {
          segment: 'INDIVIDUAL',
          assigned: 1,
          done: 1,
          late: 0,
          averageCompletionHours: 1,
          averageSlaHours: 24,
        },
      ],
      checkpoints: { presentations: 0, proposals: 0, contracts: 0, proposalRate: null, contractRate: null },
    };
    const byId = (rows: unknown[]) =>
      [...(rows as Array<{ groupId: string }>)].sort((x, y) => x.groupId.localeCompare(y.groupId));
    expect(byId(await run(b.as.admin, 'ADVISOR'))).toEqual(byId([adamRow, franzRow]));
    // The advisor sees only his own row.
    expect(await run(b.as.advisor, 'ADVISOR')).toEqual([adamRow]);
    const branches = byId(await run(b.as.admin, 'BRANCH')) as Array<{ groupId: string; assigned: number }>;
    expect(branches.map((r) => [r.groupId, r.assigned])).toEqual(
      [
        [b.ownBranchId, 5],
        [b.franchiseBranchId, 1],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
  });
});
