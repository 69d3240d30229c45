import { beforeAll, describe, expect, it } from 'vitest';
import type { TasksModule } from '../../../functions/modules/tasks/index.js';
import { composeTasks } from '../../../functions/modules/tasks-wiring.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { type MailMessage, MemoryMailer } from '../../../functions/shared/mailer.js';
import { MemorySmsSender } from '../../../functions/shared/sms.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';

/**
 * Late checkpoints on DynamoDB Local: a checkpoint task still open after its SLA raises one alert,
 * listed by `alerts` within scope, and e-mails the assignee's manager once, a failed send retried.
 */
const clock = new FixedClock(new Date('2030-03-04T08:00:00Z'));
const app = createTestApp(clock);
let b: Brokerage;
let tasks: TasksModule;

class FlakyMailer extends MemoryMailer {
  failures = 0;
  override async send(message: MailMessage) {
    if (this.failures-- > 0) throw new Error('SES throttled');
    return super.send(message);
  }
}
const mailer = new FlakyMailer();

beforeAll(async () => {
  b = await createBrokerage(app, 'Alerts Brokerage');
  tasks = composeTasks(app.db, clock, { mailer, mailFrom: 'noreply@test', sms: new MemorySmsSender() });
});

describe('late checkpoint alerts', () => {
  it('raises one alert per checkpoint task past its SLA and e-mails the manager once, retrying a failure', async () => {
    const client = await app.services.clients.records.createClient(b.as.advisor, personInput());
    const create = (input: Record<string, unknown>) =>
      app.services.tasks.tasks.createTask(b.as.advisor, { clientId: client.id, ...input });
    // OFFER's SLA is 48 h from creation (2030-03-06T08:00Z).
    const late = await create({ typeCode: 'OFFER', title: 'Proposal to Král', checkpoint: 'PROPOSAL' });
    await create({ typeCode: 'OFFER', title: 'No checkpoint', dueAt: '2030-03-05T08:00:00Z' });
    await create({
      typeCode: 'DOCUMENT',
      title: 'Contract, SLA not over',
      checkpoint: 'CONTRACT',
      dueAt: '2030-03-05T08:00:00Z',
    });
    const done = await create({ typeCode: 'OFFER', title: 'Done proposal', checkpoint: 'PROPOSAL' });
    await app.services.tasks.tasks.completeTask(b.as.advisor, {
      id: done.id,
      expectedVersion: 1,
      outcome: 'DONE',
    });

    const before = await tasks.alerts.runTenant(b.tenantId, new Date('2030-03-06T07:59:00Z'));
    expect(before).toEqual({ raised: 0, mailed: 0, failed: 0 });
    mailer.failures = 1;
    const runs = [];
    for (const instant of ['2030-03-06T08:05:00Z', '2030-03-06T08:10:00Z', '2030-03-06T08:15:00Z'])
      runs.push(await tasks.alerts.runTenant(b.tenantId, new Date(instant)));
    expect(runs).toEqual([
      { raised: 1, mailed: 0, failed: 1 },
      { raised: 0, mailed: 1, failed: 0 },
      { raised: 0, mailed: 0, failed: 0 },
    ]);
    expect(mailer.sent.map((m) => [m.to, m.subject])).toEqual([
      [`manager@${b.tenantId}.test`, 'Zpožděný milník: Proposal to Král (Adam Advisor)'],
    ]);

    const query = '{ alerts(first: 10) { edges { node { id kind taskId checkpoint managerId raisedAt } } } }';
    const seen = await app.exec(b.as.manager, query);
    expect(seen.errors).toBeUndefined();
    expect(seen.data).toEqual({
      alerts: {
        edges: [
          {
            node: {
              id: `late-checkpoint.${late.id}`,
              kind: 'LATE_CHECKPOINT',
              taskId: late.id,
              checkpoint: 'PROPOSAL',
              managerId: b.managerId,
              raisedAt: '2030-03-06T08:05:00.000Z',
            },
          },
        ],
      },
    });
    // Another advisor's scope does not reach the task, so the alert is not his.
    const other = await app.exec(b.as.franchiseAdvisor, query);
    expect(other.data).toEqual({ alerts: { edges: [] } });
  });
});
