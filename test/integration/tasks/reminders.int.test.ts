import { beforeAll, describe, expect, it } from 'vitest';
import type { TasksModule } from '../../../functions/modules/tasks/index.js';
import { composeTasks } from '../../../functions/modules/tasks-wiring.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { type MailMessage, MemoryMailer } from '../../../functions/shared/mailer.js';
import { MemorySmsSender, type SmsMessage } from '../../../functions/shared/sms.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';

/**
 * The reminders schedule on DynamoDB Local, run as of chosen instants (Prague, UTC+1 in January):
 * each due-soon e-mail, digest and meeting SMS goes out once, a failing provider is retried by the
 * next run, quiet hours hold an SMS and a client without SMS consent gets none.
 */
const app = createTestApp();
let b: Brokerage;
let tasks: TasksModule;

/** A provider that fails its first `failures` sends, then delivers. */
class FlakyMailer extends MemoryMailer {
  constructor(public failures: number) {
    super();
  }
  override async send(message: MailMessage) {
    if (this.failures-- > 0) throw new Error('SES throttled');
    return super.send(message);
  }
}
class FlakySms extends MemorySmsSender {
  constructor(public failures: number) {
    super();
  }
  override async send(sms: SmsMessage) {
    if (this.failures-- > 0) throw new Error('SNS unavailable');
    return super.send(sms);
  }
}

const mailer = new FlakyMailer(0);
const sms = new FlakySms(0);
const at = (iso: string) => new Date(iso);

async function task(input: Record<string, unknown>): Promise<string> {
  const created = await app.services.tasks.tasks.createTask(b.as.advisor, input);
  return created.id;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Reminders Brokerage');
  tasks = composeTasks(app.db, systemClock, { mailer, mailFrom: 'noreply@test', sms });
});

describe('reminders schedule', () => {
  it('e-mails the assignee once before a task falls due, retrying a failed send on the next run', async () => {
    const client = await app.services.clients.records.createClient(b.as.advisor, personInput());
    await task({ typeCode: 'CALL', title: 'Call back', clientId: client.id, dueAt: '2030-01-15T11:30:00Z' });
    mailer.failures = 1;
    const runs = [];
    for (const instant of [
      '2030-01-15T10:00:00Z',
      '2030-01-15T11:00:00Z',
      '2030-01-15T11:05:00Z',
      '2030-01-15T11:10:00Z',
    ])
      runs.push(await tasks.reminders.runTenant(b.tenantId, at(instant)));
    expect(runs.map((r) => [r.sent, r.failed, r.alreadySent])).toEqual([
      [0, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
      [0, 0, 1],
    ]);
    const mine = mailer.sent.filter((m) => m.to === `adam@${b.tenantId}.test`);
    expect(mine.map((m) => m.subject)).toEqual(['Termín v 12:30: Call back']);
    expect(mine[0]?.text).toContain('Nováková Jana');
  });

  it("sends one morning digest of the day's tasks at 07:00 tenant time", async () => {
    const client = await app.services.clients.records.createClient(b.as.advisor, personInput());
    await task({
      typeCode: 'OFFER',
      title: 'Send the offer',
      clientId: client.id,
      dueAt: '2030-01-16T09:00:00Z',
    });
    await task({ typeCode: 'CALL', title: 'Late call', clientId: client.id, dueAt: '2030-01-16T22:30:00Z' });
    await task({ typeCode: 'CALL', title: 'Tomorrow', clientId: client.id, dueAt: '2030-01-17T00:30:00Z' });
    const before = mailer.sent.length;
    await tasks.reminders.runTenant(b.tenantId, at('2030-01-16T05:55:00Z'));
    expect(mailer.sent.length).toBe(before);
    await tasks.reminders.runTenant(b.tenantId, at('2030-01-16T06:02:00Z'));
    await tasks.reminders.runTenant(b.tenantId, at('2030-01-16T06:07:00Z'));
    const digests = mailer.sent.slice(before);
    expect(digests.map((m) => [m.to, m.subject])).toEqual([
      [`adam@${b.tenantId}.test`, 'Vaše úkoly na 16. 1. 2030 (2)'],
    ]);
    expect(digests[0]?.text.split('\n').slice(2)).toEqual(['10:00  Send the offer', '23:30  Late call']);
  });

  it('texts a consenting client once before a meeting, outside quiet hours, and never one without consent', async () => {
    const consenting = await app.services.clients.records.createClient(
      b.as.advisor,
      personInput({
        phone: '+420601111222',
        consents: [{ channel: 'SMS', granted: true, how: 'signed form' }],
      }),
    );
    const silent = await app.services.clients.records.createClient(
      b.as.advisor,
      personInput({
        phone: '+420601333444',
        consents: [{ channel: 'SMS', granted: false, how: 'phone call' }],
      }),
    );
    const meeting = { typeCode: 'MEETING', title: 'Meeting', dueAt: '2030-01-20T08:00:00Z' };
    await task({ ...meeting, clientId: consenting.id });
    await task({ ...meeting, clientId: silent.id });
    sms.failures = 1;
    const night = await tasks.reminders.runTenant(b.tenantId, at('2030-01-19T20:30:00Z'));
    expect(night).toMatchObject({ heldByQuietHours: 1, withoutConsent: 1 });
    expect(sms.sent).toEqual([]);
    const first = await tasks.reminders.runTenant(b.tenantId, at('2030-01-20T07:10:00Z'));
    const second = await tasks.reminders.runTenant(b.tenantId, at('2030-01-20T07:15:00Z'));
    const third = await tasks.reminders.runTenant(b.tenantId, at('2030-01-20T07:20:00Z'));
    expect([first.failed, second.sent > 0, third.withoutConsent]).toEqual([1, true, 1]);
    expect(sms.sent.map((s) => [s.to, s.message])).toEqual([
      ['+420601111222', 'Reminders Brokerage: připomínáme schůzku 20. 1. 2030 9:00.'],
    ]);
  });
});
