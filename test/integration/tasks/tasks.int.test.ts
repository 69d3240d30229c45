import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import {
  createTenant,
  createTestApp,
  errorCode,
  type GraphQLResult,
  principalFor,
} from '../../support/app.js';
import { type Brokerage, createBrokerage, fieldPaths, personInput } from '../../support/brokerage.js';

/**
 * Tasks through the real GraphQL server on DynamoDB Local: types seeded on first use, creation in
 * scope with a timeline entry and the client's card, the process chain created once however often a
 * task is completed, bulk reassignment within scope, and nothing of it visible to another tenant.
 */
const app = createTestApp();
let b: Brokerage;

const TASK =
  'id typeCode title assigneeId status outcome version process stepKey checkpoint dueAt delegatedBy';

async function run<T = Record<string, unknown>>(
  as: Principal,
  query: string,
  variables?: Record<string, unknown>,
) {
  return (await app.exec<T>(as, query, variables)) as GraphQLResult<T>;
}

async function must<T>(as: Principal, query: string, variables?: Record<string, unknown>): Promise<T> {
  const result = await run<T>(as, query, variables);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data as T;
}

async function clientOf(as: Principal, ownerAdvisorId?: string): Promise<string> {
  const data = await must<{ createClient: { id: string } }>(
    as,
    'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
    { i: personInput(ownerAdvisorId ? { ownerAdvisorId } : {}) },
  );
  return data.createClient.id;
}

type TaskView = {
  id: string;
  typeCode: string;
  title: string;
  assigneeId: string;
  status: string;
  outcome: string | null;
  version: number;
  process: string | null;
  stepKey: string | null;
  checkpoint: string | null;
  dueAt: string;
  delegatedBy: string | null;
};

const CREATE = `mutation($i: CreateTaskInput!) { createTask(input: $i) { ${TASK} } }`;
const COMPLETE = `mutation($i: CompleteTaskInput!) { completeTask(input: $i) { ${TASK} } }`;
const REASSIGN = `mutation($i: ReassignTasksInput!) { reassignTasks(input: $i) { reassigned tasks { ${TASK} } } }`;
const CLIENT_TASKS = `query($c: ID!) { tasks(filter: { clientId: $c }, first: 100) { edges { node { ${TASK} } } } }`;

async function createTask(as: Principal, input: Record<string, unknown>): Promise<TaskView> {
  return (await must<{ createTask: TaskView }>(as, CREATE, { i: input })).createTask;
}

async function tasksOfClient(as: Principal, clientId: string): Promise<TaskView[]> {
  const data = await must<{ tasks: { edges: Array<{ node: TaskView }> } }>(as, CLIENT_TASKS, { c: clientId });
  return data.tasks.edges.map((e) => e.node);
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Tasks Brokerage');
});

describe('task types', () => {
  it('gives a tenant the seven default types with their SLA and expected minutes on first use', async () => {
    const data = await must<{
      taskTypes: Array<{ code: string; slaHours: number; expectedMinutes: number }>;
    }>(b.as.advisor, '{ taskTypes { code slaHours expectedMinutes } }');
    expect(data.taskTypes.map((t) => t.code)).toEqual([
      'CALL',
      'MEETING',
      'OFFER',
      'DOCUMENT',
      'PAYMENT_FOLLOW_UP',
      'RENEWAL',
      'CUSTOM',
    ]);
    expect(data.taskTypes[0]).toEqual({ code: 'CALL', slaHours: 24, expectedMinutes: 15 });
  });

  it('lists the renewal, new-client and cross-sell templates as data', async () => {
    const data = await must<{ processTemplates: Array<{ kind: string; steps: Array<{ key: string }> }> }>(
      b.as.manager,
      '{ processTemplates { kind steps { key whenType whenOutcome createType dueInDays checkpoint } } }',
    );
    expect(data.processTemplates.map((t) => t.kind)).toEqual(['RENEWAL', 'NEW_CLIENT', 'CROSS_SELL']);
  });
});

describe('creating tasks', () => {
  it("puts an advisor's task on the client's card and timeline, due by its type's SLA", async () => {
    const clientId = await clientOf(b.as.advisor);
    const before = Date.now();
    const task = await createTask(b.as.advisor, { typeCode: 'CALL', title: 'Call about the car', clientId });
    expect(task).toMatchObject({ assigneeId: b.advisorId, status: 'OPEN', version: 1, delegatedBy: null });
    const due = Date.parse(task.dueAt) - before;
    expect(due).toBeGreaterThanOrEqual(24 * 3_600_000 - 1000);
    expect(due).toBeLessThanOrEqual(24 * 3_600_000 + 5000);

    const card = await must<{
      clientCard: { openTasks: Array<{ id: string; title: string; dueDate: string }> };
    }>(b.as.advisor, 'query($id: ID!) { clientCard(id: $id) { openTasks { id title dueDate } } }', {
      id: clientId,
    });
    expect(card.clientCard.openTasks).toEqual([
      { id: task.id, title: 'Call about the car', dueDate: task.dueAt.slice(0, 10) },
    ]);
    const timeline = await must<{
      clientTimeline: { edges: Array<{ node: { kind: string; summary: string } }> };
    }>(
      b.as.advisor,
      'query($id: ID!) { clientTimeline(clientId: $id, first: 5) { edges { node { kind summary } } } }',
      { id: clientId },
    );
    expect(timeline.clientTimeline.edges[0]?.node).toEqual({
      kind: 'TASK_CREATED',
      summary: 'Task created: Call about the car',
    });
  });

  it('lets an advisor assign only himself and a branch manager only users of his branch', async () => {
    const clientId = await clientOf(b.as.advisor);
    const input = { typeCode: 'CALL', title: 'Call', clientId };
    expect(errorCode(await run(b.as.advisor, CREATE, { i: { ...input, assigneeId: b.subAgentId } }))).toBe(
      'FORBIDDEN',
    );
    const delegated = await createTask(b.as.manager, { ...input, assigneeId: b.advisorId });
    expect(delegated).toMatchObject({ assigneeId: b.advisorId, delegatedBy: b.managerId });
    const otherBranch = await clientOf(b.admin, b.franchiseAdvisorId);
    expect(
      errorCode(
        await run(b.as.manager, CREATE, {
          i: { ...input, clientId: otherBranch, assigneeId: b.franchiseAdvisorId },
        }),
      ),
    ).toBe('FORBIDDEN');
  });

  it('answers field paths for bad input', async () => {
    const clientId = await clientOf(b.as.advisor);
    for (const [input, path] of [
      [{ typeCode: 'CALL', title: 'Call', clientId: 'no such id!' }, 'input.clientId'],
      [{ typeCode: 'CALL', title: ' ', clientId }, 'input.title'],
      [{ typeCode: 'CALL', title: 'Call', clientId, assigneeId: 'nobody' }, 'input.assigneeId'],
    ] as const) {
      const result = await run(b.as.advisor, CREATE, { i: input });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(fieldPaths(result)).toEqual([path]);
    }
  });
});

describe('process chains', () => {
  it('creates the next step once when the same task is completed twice, even at the same time', async () => {
    const clientId = await clientOf(b.as.advisor);
    const call = await createTask(b.as.advisor, {
      typeCode: 'CALL',
      title: 'First call',
      clientId,
      process: 'NEW_CLIENT',
    });
    const attempt = () =>
      run<{ completeTask: TaskView }>(b.as.advisor, COMPLETE, {
        i: { id: call.id, expectedVersion: call.version, outcome: 'SUCCESSFUL', note: 'Interested' },
      });
    const results = await Promise.all([attempt(), attempt()]);
    const codes = results.map((r) => errorCode(r) ?? 'OK').sort();
    expect(codes[0]).toBe('CONFLICT');
    expect(codes[1]).toBe('OK');
    const again = await run(b.as.advisor, COMPLETE, {
      i: { id: call.id, expectedVersion: call.version + 1, outcome: 'SUCCESSFUL' },
    });
    expect(errorCode(again)).toBe('RULE_VIOLATION');

    const tasks = await tasksOfClient(b.as.advisor, clientId);
    expect(tasks.map((t) => [t.id, t.status, t.typeCode, t.checkpoint])).toEqual([
      [call.id, 'DONE', 'CALL', null],
      [`${call.id}.meeting`, 'OPEN', 'MEETING', 'PRESENTATION'],
    ]);

    // The chain goes on from the created step: a successful meeting → an offer (proposal checkpoint).
    const meeting = tasks[1] as TaskView;
    await must(b.as.advisor, COMPLETE, {
      i: { id: meeting.id, expectedVersion: meeting.version, outcome: 'SUCCESSFUL' },
    });
    const after = await tasksOfClient(b.as.advisor, clientId);
    expect(after.find((t) => t.id === `${meeting.id}.offer`)).toMatchObject({
      typeCode: 'OFFER',
      checkpoint: 'PROPOSAL',
      stepKey: 'offer',
      process: 'NEW_CLIENT',
    });
    const card = await must<{ clientCard: { openTasks: Array<{ id: string }> } }>(
      b.as.advisor,
      'query($id: ID!) { clientCard(id: $id) { openTasks { id } } }',
      { id: clientId },
    );
    expect(card.clientCard.openTasks.map((t) => t.id)).toEqual([`${meeting.id}.offer`]);
  });

  it('creates nothing for an outcome the template does not chain', async () => {
    const clientId = await clientOf(b.as.advisor);
    const call = await createTask(b.as.advisor, {
      typeCode: 'CALL',
      title: 'Call',
      clientId,
      process: 'CROSS_SELL',
    });
    await must(b.as.advisor, COMPLETE, { i: { id: call.id, expectedVersion: 1, outcome: 'NO_CONTACT' } });
    expect((await tasksOfClient(b.as.advisor, clientId)).map((t) => t.id)).toEqual([call.id]);
  });
});

describe('reassigning tasks', () => {
  it("moves a manager's selection to another advisor of his branch, each on its client's timeline", async () => {
    const clientId = await clientOf(b.as.advisor);
    const one = await createTask(b.as.advisor, { typeCode: 'CALL', title: 'One', clientId });
    const two = await createTask(b.as.advisor, { typeCode: 'OFFER', title: 'Two', clientId });
    const data = await must<{ reassignTasks: { reassigned: number; tasks: TaskView[] } }>(
      b.as.manager,
      REASSIGN,
      {
        i: { taskIds: [one.id, two.id], toUserId: b.subAgentId, reason: 'holiday' },
      },
    );
    expect(data.reassignTasks.reassigned).toBe(2);
    expect(data.reassignTasks.tasks.map((t) => [t.assigneeId, t.delegatedBy, t.version])).toEqual([
      [b.subAgentId, b.managerId, 2],
      [b.subAgentId, b.managerId, 2],
    ]);
    const mine = await must<{ tasks: { edges: Array<{ node: { id: string } }> } }>(
      b.as.subAgent,
      '{ tasks(first: 100) { edges { node { id } } } }',
    );
    expect(mine.tasks.edges.map((e) => e.node.id).sort()).toEqual([one.id, two.id].sort());
    expect(
      errorCode(await run(b.as.advisor, 'query($id: ID!) { task(id: $id) { id } }', { id: one.id })),
    ).toBe('FORBIDDEN');
  });

  it('refuses advisors, and targets or tasks outside the manager scope, moving nothing', async () => {
    const clientId = await clientOf(b.as.advisor);
    const task = await createTask(b.as.advisor, { typeCode: 'CALL', title: 'Stay', clientId });
    const i = { taskIds: [task.id], toUserId: b.subAgentId };
    expect(errorCode(await run(b.as.advisor, REASSIGN, { i }))).toBe('FORBIDDEN');
    expect(
      errorCode(await run(b.as.manager, REASSIGN, { i: { ...i, toUserId: b.franchiseAdvisorId } })),
    ).toBe('FORBIDDEN');
    const far = await createTask(b.admin, {
      typeCode: 'CALL',
      title: 'Far',
      clientId: await clientOf(b.admin, b.franchiseAdvisorId),
      assigneeId: b.franchiseAdvisorId,
    });
    expect(errorCode(await run(b.as.manager, REASSIGN, { i: { ...i, taskIds: [task.id, far.id] } }))).toBe(
      'FORBIDDEN',
    );
    const still = await must<{ task: TaskView }>(
      b.as.advisor,
      `query($id: ID!) { task(id: $id) { ${TASK} } }`,
      {
        id: task.id,
      },
    );
    expect(still.task).toMatchObject({ assigneeId: b.advisorId, version: 1 });
  });
});

describe('calendar', () => {
  const CALENDAR =
    'query($u: ID, $f: DateTime!, $t: DateTime!) { calendar(userId: $u, from: $f, to: $t) { title dueAt } }';

  it("shows a user's tasks in a range, a branch manager's team without a user, and refuses other users to advisors", async () => {
    const clientId = await clientOf(b.as.advisor);
    for (const [title, dueAt] of [
      ['Before', '2031-02-28T23:00:00Z'],
      ['Meeting', '2031-03-01T09:00:00Z'],
      ['Offer', '2031-03-10T12:00:00Z'],
      ['After', '2031-04-01T00:00:01Z'],
    ])
      await createTask(b.as.advisor, {
        typeCode: title === 'Meeting' ? 'MEETING' : 'CALL',
        title,
        clientId,
        dueAt,
      });
    const range = { f: '2031-03-01T00:00:00Z', t: '2031-04-01T00:00:00Z' };
    const own = await must<{ calendar: Array<{ title: string }> }>(b.as.advisor, CALENDAR, range);
    expect(own.calendar.map((t) => t.title)).toEqual(['Meeting', 'Offer']);
    const team = await must<{ calendar: Array<{ title: string }> }>(b.as.manager, CALENDAR, range);
    expect(team.calendar.map((t) => t.title)).toEqual(['Meeting', 'Offer']);
    expect(errorCode(await run(b.as.advisor, CALENDAR, { ...range, u: b.subAgentId }))).toBe('FORBIDDEN');
    const tooLong = await run(b.as.advisor, CALENDAR, { f: range.f, t: '2031-06-01T00:00:00Z' });
    expect(errorCode(tooLong)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(tooLong)).toEqual(['to']);
  });
});

describe('tenant isolation', () => {
  it("never shows or changes another tenant's tasks", async () => {
    const clientId = await clientOf(b.as.advisor);
    const task = await createTask(b.as.advisor, { typeCode: 'CALL', title: 'Private', clientId });
    const { tenantId, admin } = await createTenant(app, 'Other Tenant');
    const intruder = principalFor(tenantId, 'admin', { userId: admin.userId });
    expect(await must(intruder, 'query($id: ID!) { task(id: $id) { id } }', { id: task.id })).toEqual({
      task: null,
    });
    expect(await must(intruder, '{ tasks(first: 100) { edges { node { id } } } }')).toEqual({
      tasks: { edges: [] },
    });
    expect(
      errorCode(await run(intruder, COMPLETE, { i: { id: task.id, expectedVersion: 1, outcome: 'DONE' } })),
    ).toBe('NOT_FOUND');
    expect(
      errorCode(await run(intruder, REASSIGN, { i: { taskIds: [task.id], toUserId: b.advisorId } })),
    ).toBe('BAD_USER_INPUT');
    expect(errorCode(await run(intruder, CREATE, { i: { typeCode: 'CALL', title: 'x', clientId } }))).toBe(
      'NOT_FOUND',
    );
  });
});
