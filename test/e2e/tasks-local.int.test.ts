import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../infra/local/stack.js';

/**
 * Tasks on the local stack over HTTP: the seeded reminder and alert after the reminders run, and the iCalendar feed (`GET /calendar/{token}.ics`, written with
 * ical-generator and read back here with a second library, ical.js) and its revocation.
 */
describe('tasks on the local stack', () => {
  let stack: LocalStack;
  let advisor: string;
  let otherAdmin: string;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, dataDir: null, seed: true, log: () => undefined });
    advisor = stack.dev.tokens['demo-brokerage']?.advisor ?? '';
    otherAdmin = stack.dev.tokens['other-brokerage']?.admin ?? '';
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function gql<T>(token: string, query: string, variables?: Record<string, unknown>): Promise<T> {
    const response = await fetch(stack.dev.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }

  const feed = (path: string) => fetch(`${stack.url}${path}`);
  const CREATE_FEED = 'mutation { createCalendarFeed { userId path createdAt } }';

  it("serves the advisor's tasks as an iCalendar feed that a second library parses back", async () => {
    const { clients } = await gql<{ clients: { edges: Array<{ node: { id: string } }> } }>(
      advisor,
      '{ clients(first: 1) { edges { node { id } } } }',
    );
    const clientId = clients.edges[0]?.node.id;
    const { createTask } = await gql<{ createTask: { id: string } }>(
      advisor,
      'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }',
      {
        i: {
          typeCode: 'MEETING',
          title: 'Feed meeting',
          clientId,
          dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString().replace(/\.\d+Z$/, '.000Z'),
        },
      },
    );
    const { createCalendarFeed } = await gql<{ createCalendarFeed: { path: string } }>(advisor, CREATE_FEED);
    expect(createCalendarFeed.path).toMatch(/^\/calendar\/bcf_[\w-]+\.[\w-]+\.[\w-]{43}\.ics$/);

    const response = await feed(createCalendarFeed.path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const calendar = new ICAL.Component(ICAL.parse(await response.text()));
    expect(calendar.name).toBe('vcalendar');
    const events = calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    const mine = events.find((e) => e.uid === `${createTask.id}@broker-crm`);
    expect(mine?.summary).toBe('Feed meeting');
    // A meeting's expected 60 minutes make the event's length.
    expect(mine ? mine.endDate.toUnixTime() - mine.startDate.toUnixTime() : 0).toBe(3600);
    expect(mine?.description).toBe('MEETING · NORMAL · OPEN');
  });

  it('answers 404 for a replaced, revoked, tampered or foreign token, the same for each', async () => {
    const first = (await gql<{ createCalendarFeed: { path: string } }>(advisor, CREATE_FEED))
      .createCalendarFeed.path;
    const second = (await gql<{ createCalendarFeed: { path: string } }>(advisor, CREATE_FEED))
      .createCalendarFeed.path;
    expect((await feed(first)).status).toBe(404);
    expect((await feed(second)).status).toBe(200);

    // The other brokerage's admin cannot reach the demo advisor's feed through his own tenant.
    const foreign = (await gql<{ createCalendarFeed: { path: string } }>(otherAdmin, CREATE_FEED))
      .createCalendarFeed.path;
    const [, demoTenant = ''] = /bcf_([\w-]+)\./.exec(second) ?? [];
    const swapped = foreign.replace(/bcf_[\w-]+\./, `bcf_${demoTenant}.`);
    expect((await feed(swapped)).status).toBe(404);
    expect((await feed(`${second.slice(0, -8)}AAAA.ics`)).status).toBe(404);
    expect((await feed('/calendar/nonsense.ics')).status).toBe(404);

    const { revokeCalendarFeed } = await gql<{ revokeCalendarFeed: { revoked: boolean } }>(
      advisor,
      'mutation { revokeCalendarFeed { revoked } }',
    );
    expect(revokeCalendarFeed.revoked).toBe(true);
    const gone = await feed(second);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { code: string }).code).toBe('NOT_FOUND');
    expect((await feed(foreign)).status).toBe(200);
  });

  it('shows the seeded due-soon reminder, the late-checkpoint alert and dunning in /local/mail after the reminders and overdue runs', async () => {
    // overdue twice: the second sweep finds each dunning step recorded and sends nothing more.
    for (const name of ['reminders', 'overdue', 'overdue'])
      expect((await fetch(`${stack.dev.schedulesUrl}/${name}/run`, { method: 'POST' })).status).toBe(200);
    const { emails } = (await (await fetch(stack.dev.mailJsonUrl)).json()) as {
      emails: Array<{ destination: { to: string[] }; subject: string }>;
    };
    const to = (address: string) =>
      emails.filter((m) => m.destination.to.includes(address)).map((m) => m.subject);
    expect(to('adam@demo.example').some((s) => s.endsWith('Call Jana about travel insurance'))).toBe(true);
    expect(to('marek@demo.example')).toEqual([
      'Zpožděný milník: Signed property renewal contract (Adam Poradce)',
    ]);
    // The seeded invoices, 5 and 12 days overdue: the first dunning step (e-mail at 3 days), once each.
    for (const client of ['tomas.dvorak@example.com', 'office@stavby-brno.example']) {
      const subjects = to(client);
      expect(subjects).toHaveLength(1);
      expect(subjects[0]).toMatch(/^Demo Brokerage: payment reminder for invoice \d{4}-\d{6}$/);
    }
  });
});
