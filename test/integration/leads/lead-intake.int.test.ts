import { beforeAll, describe, expect, it } from 'vitest';
import { createLeadsModule, type LeadForm } from '../../../functions/modules/leads/index.js';
import { leadPorts } from '../../../functions/modules/leads-wiring.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { keys } from '../../../functions/shared/table-design.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage } from '../../support/brokerage.js';

/**
 * Public lead intake over DynamoDB Local: a form created through GraphQL, then `POST /leads/{formId}`
 * as the function's service receives it. An accepted lead files one potential client and one
 * first-contact task by round-robin; a repeat matches the client; the honeypot, a foreign origin and
 * the rate limit refuse and store nothing.
 */
const clock = new FixedClock(new Date('2026-11-30T10:00:05Z'));
const app = createTestApp(clock);
let b: Brokerage;
let form: LeadForm;
const ORIGIN = 'https://landing.example.com';

const CREATE = `mutation($i: CreateLeadFormInput!) { createLeadForm(input: $i) {
  id name branchId leadSourceId allowedOrigins consentsAsked leadsAccepted postPath } }`;

function post(
  body: Record<string, unknown> | string,
  opts: { address?: string; origin?: string | null } = {},
) {
  return app.services.leads.intake.receive({
    method: 'POST',
    formId: form.id,
    origin: opts.origin === undefined ? ORIGIN : opts.origin,
    sourceAddress: opts.address ?? '203.0.113.10',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const lead = (over: Record<string, unknown> = {}) => ({
  firstName: 'Jana',
  lastName: 'Nováková',
  email: 'jana.novakova@example.com',
  phone: '+420601234567',
  consents: ['MARKETING_EMAIL', 'SMS'],
  ...over,
});

async function clientByEmail(email: string) {
  return app.services.clients.book.ownerOfUnique(b.tenantId, 'CLIENT_EMAIL', email);
}

async function formNow(): Promise<LeadForm> {
  const item = await app.db.get(keys.leadForm(b.tenantId, form.id), { consistent: true });
  return item as unknown as LeadForm;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Lead Intake Brokerage');
  const created = await app.exec<{ createLeadForm: LeadForm & { postPath: string } }>(b.as.manager, CREATE, {
    i: {
      name: 'Car insurance landing page',
      branchId: b.ownBranchId,
      leadSourceId: b.leadSourceId,
      allowedOrigins: [ORIGIN],
      consentsAsked: ['MARKETING_EMAIL'],
    },
  });
  expect(created.errors).toBeUndefined();
  form = created.data?.createLeadForm as LeadForm;
});

describe('lead forms', () => {
  it('creates a form with its public path and lists it to managers, not to advisors', async () => {
    expect(form).toMatchObject({
      branchId: b.ownBranchId,
      allowedOrigins: [ORIGIN],
      consentsAsked: ['MARKETING_EMAIL'],
      leadsAccepted: 0,
      postPath: `/leads/${form.id}`,
    });
    const listed = await app.exec<{ leadForms: Array<{ id: string }> }>(b.as.manager, '{ leadForms { id } }');
    expect(listed.data?.leadForms.map((f) => f.id)).toContain(form.id);
    const denied = await app.exec(b.as.advisor, '{ leadForms { id } }');
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses an unknown lead source with NOT_FOUND', async () => {
    const result = await app.exec(b.as.manager, CREATE, {
      i: { name: 'x', branchId: b.ownBranchId, leadSourceId: 'NOPE' },
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('POST /leads/{formId}', () => {
  it('files one potential client with the form lead source, the asked consents and one first-contact task', async () => {
    const response = await post(lead(), { address: '203.0.113.1' });
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toEqual({ status: 'accepted' });
    expect(response.headers['access-control-allow-origin']).toBe(ORIGIN);

    const clientId = await clientByEmail('jana.novakova@example.com');
    expect(clientId).toBeDefined();
    const client = await app.services.clients.book.getClient(b.tenantId, clientId as string);
    expect(client).toMatchObject({
      status: 'POTENTIAL',
      leadSourceId: b.leadSourceId,
      branchId: b.ownBranchId,
      phone: '+420601234567',
    });
    // SMS was ticked but the form does not ask for it: only MARKETING_EMAIL is recorded.
    expect(client?.consents.map((c) => [c.channel, c.granted])).toEqual([['MARKETING_EMAIL', true]]);
    const items = await app.services.repositories.clients.clientCard(b.tenantId, clientId as string);
    expect(items?.openTasks).toHaveLength(1);
    const task = await app.services.tasks.reads.getTask(b.as.admin, items?.openTasks[0]?.id as string);
    expect(task).toMatchObject({ assigneeId: client?.ownerAdvisorId, typeCode: 'CALL', clientId });
    expect([b.advisorId, b.subAgentId]).toContain(client?.ownerAdvisorId);
  });

  it('matches a repeat by e-mail: the same client, a second task for the next advisor in turn', async () => {
    const before = await formNow();
    const response = await post(lead({ phone: null }), { address: '203.0.113.2' });
    expect(response.statusCode).toBe(202);
    const clientId = await clientByEmail('jana.novakova@example.com');
    const items = await app.services.repositories.clients.clientCard(b.tenantId, clientId as string);
    expect(items?.openTasks).toHaveLength(2);
    const tasks = await Promise.all(
      (items?.openTasks ?? []).map((t) => app.services.tasks.reads.getTask(b.as.admin, t.id)),
    );
    const assignees = new Set(tasks.map((t) => t?.assigneeId));
    expect(assignees).toEqual(new Set([b.advisorId, b.subAgentId]));
    expect((await formNow()).leadsAccepted).toBe(before.leadsAccepted + 1);
  });

  it('matches by national id before e-mail', async () => {
    await post(lead({ email: 'petr@example.com', firstName: 'Petr', nationalId: '8001011234' }), {
      address: '203.0.113.3',
    });
    const petr = await clientByEmail('petr@example.com');
    await post(lead({ email: 'other-address@example.com', nationalId: '800101/1234' }), {
      address: '203.0.113.3',
    });
    expect(await clientByEmail('other-address@example.com')).toBeUndefined();
    const items = await app.services.repositories.clients.clientCard(b.tenantId, petr as string);
    expect(items?.openTasks).toHaveLength(2);
  });

  it('refuses a filled honeypot with 400 problem details and stores nothing', async () => {
    const before = await formNow();
    const response = await post(lead({ email: 'bot@example.com', website: 'http://spam.example' }), {
      address: '203.0.113.4',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 400, code: 'LEAD_REFUSED' });
    expect(await clientByEmail('bot@example.com')).toBeUndefined();
    expect((await formNow()).leadsAccepted).toBe(before.leadsAccepted);
  });

  it('answers 400 BAD_USER_INPUT with field paths for an invalid body', async () => {
    const response = await post({ firstName: '', lastName: 'X', phone: '601' }, { address: '203.0.113.5' });
    expect(response.statusCode).toBe(400);
    const body = JSON.parse(response.body) as { code: string; fieldErrors: Array<{ path: string }> };
    expect(body.code).toBe('BAD_USER_INPUT');
    expect(body.fieldErrors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['body.firstName', 'body.phone']),
    );
    const noContact = await post({ firstName: 'A', lastName: 'B' }, { address: '203.0.113.5' });
    expect(JSON.parse(noContact.body).fieldErrors).toEqual([
      { path: 'body.email', message: 'an e-mail or a phone is required' },
    ]);
    expect((await post('not json', { address: '203.0.113.5' })).statusCode).toBe(400);
  });

  it('refuses a foreign origin (403) and answers the preflight only for configured origins', async () => {
    const refused = await post(lead({ email: 'x@example.com' }), { origin: 'https://evil.example' });
    expect(refused.statusCode).toBe(403);
    expect(await clientByEmail('x@example.com')).toBeUndefined();
    const preflight = await app.services.leads.intake.receive({
      method: 'OPTIONS',
      formId: form.id,
      origin: ORIGIN,
      sourceAddress: '203.0.113.6',
      body: '',
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': ORIGIN,
      'access-control-allow-methods': 'POST, OPTIONS',
    });
  });

  it('answers 404 problem details for an unknown form', async () => {
    const response = await app.services.leads.intake.receive({
      method: 'POST',
      formId: 'UNKNOWN',
      origin: null,
      sourceAddress: '203.0.113.7',
      body: JSON.stringify(lead()),
    });
    expect(response.statusCode).toBe(404);
  });

  it('limits a source address to 5 leads an hour: the 6th is 429 and stores nothing', async () => {
    const address = '198.51.100.9';
    for (let i = 0; i < 5; i++) {
      const ok = await post(lead({ email: `limit-${i}@example.com`, phone: null, consents: [] }), {
        address,
        origin: null,
      });
      expect(ok.statusCode).toBe(202);
    }
    const before = await formNow();
    const refused = await post(lead({ email: 'limit-6@example.com' }), { address, origin: null });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await clientByEmail('limit-6@example.com')).toBeUndefined();
    expect((await formNow()).leadsAccepted).toBe(before.leadsAccepted);
    // Another address is still welcome.
    expect((await post(lead({ email: 'other@example.com' }), { address: '198.51.100.10' })).statusCode).toBe(
      202,
    );
  });

  it('files the client, its consents, the task and the rate counts in one transaction: a failing part writes none', async () => {
    const ports = leadPorts(app.services.repositories, app.services.clients, app.services.tasks);
    const refusing = createLeadsModule({
      db: app.db,
      clock,
      ...ports,
      tasks: {
        firstContactTaskOps: async () => [
          {
            item: {
              ConditionCheck: {
                TableName: '',
                Key: keys.leadForm(b.tenantId, 'NO-SUCH-FORM'),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            onConditionFailed: () => new Error('the first-contact task was refused'),
          },
        ],
      },
    });
    const before = await formNow();
    const receive = (email: string) =>
      refusing.intake.receive({
        method: 'POST',
        formId: form.id,
        origin: ORIGIN,
        sourceAddress: '192.0.2.77',
        body: JSON.stringify(lead({ email, phone: null })),
      });
    await expect(receive('half-written@example.com')).rejects.toThrow('the first-contact task was refused');
    expect(await clientByEmail('half-written@example.com')).toBeUndefined();
    expect((await formNow()).leadsAccepted).toBe(before.leadsAccepted);
    // A matched client keeps its consents as they were, too.
    await expect(receive('jana.novakova@example.com')).rejects.toThrow('the first-contact task was refused');
    const jana = await clientByEmail('jana.novakova@example.com');
    const card = await app.services.clients.book.getClient(b.tenantId, jana as string);
    expect(card?.consents).toHaveLength(2);
    // The address's window counted none of them: five leads from it still pass.
    for (let i = 0; i < 5; i++)
      expect(
        (await post(lead({ email: `after-${i}@example.com` }), { address: '192.0.2.77' })).statusCode,
      ).toBe(202);
  });
});
