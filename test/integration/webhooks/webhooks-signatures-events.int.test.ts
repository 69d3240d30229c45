import { describe, expect, it } from 'vitest';
import { keys } from '../../../functions/shared/table-design.js';
import { deliver, issuedEvent, reportOf, signedHeaders } from './webhook-support.js';

import {
  app,
  archivedKeys,
  b,
  insurerId,
  policiesOf,
  secret,
  setUpSignedInsurer,
} from './webhooks-harness.js';

// Insurer webhooks over DynamoDB Local: signature checks and events.
setUpSignedInsurer();

describe('signature checks', () => {
  it('writes a policy for a new potential client from a signed event, archived by tenant, insurer, date and id', async () => {
    const event = issuedEvent();
    const response = await deliver(app, insurerId, secret, event, { id: 'msg_first_delivery' });
    const report = reportOf(response);
    expect(report).toMatchObject({
      webhookId: 'msg_first_delivery',
      accepted: 1,
      rejected: 0,
      duplicates: 0,
    });
    expect(report.events[0]).toMatchObject({
      status: 'accepted',
      eventId: event.id,
      note: 'policy written for a new potential client',
    });

    const today = new Date().toISOString().slice(0, 10);
    expect(archivedKeys('msg_first_delivery')).toEqual([
      `test-archive/webhooks/${b.tenantId}/${insurerId}/${today}/msg_first_delivery.json`,
    ]);
    const stored = app.objects.objects.get(archivedKeys('msg_first_delivery')[0] ?? '');
    expect(stored?.body).toBe(JSON.stringify(event));

    const policies = await policiesOf(insurerId);
    const written = policies.find((p) => p.policyNumber === event.data.policyNumber);
    expect(written).toMatchObject({
      source: 'WEBHOOK',
      status: 'ACTIVE',
      premium: { amount: '4860.00', currency: 'EUR' },
    });
    // The first policy in force makes the new potential client active.
    const policy = await app.services.policies.reads.getPolicy(b.admin, written?.id ?? '');
    const client = await app.services.clients.reads.getClient(b.admin, policy?.clientId ?? '');
    expect(client).toMatchObject({ name: 'Král Jan', status: 'ACTIVE', ownerAdvisorId: b.advisorId });
  });

  it('refuses a tampered body with 401 problem details, archiving and recording nothing', async () => {
    const body = JSON.stringify(issuedEvent());
    const headers = signedHeaders(secret, body, { id: 'msg_tampered' });
    const tampered = body.replace('4860.00', '9999.00');
    const response = await app.services.webhooks.deliveries.receive({ insurerId, headers, body: tampered });
    expect(response.statusCode).toBe(401);
    expect(response.contentType).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(response.body).not.toContain('9999');
    expect(archivedKeys('msg_tampered')).toEqual([]);
    expect(await app.db.get(keys.webhookDedupe(b.tenantId, insurerId, 'msg_tampered'))).toBeUndefined();
  });

  it('refuses a delivery signed with another secret', async () => {
    const other = await app.services.org.catalog.createInsurer(b.admin, { name: 'Other Insurer' });
    const response = await deliver(app, insurerId, other.webhookSecret, issuedEvent(), {
      id: 'msg_wrong_secret',
    });
    expect(response.statusCode).toBe(401);
    expect(archivedKeys('msg_wrong_secret')).toEqual([]);
  });

  it('refuses timestamps more than 5 minutes old or ahead, and accepts them within', async () => {
    const minutes = (m: number) => new Date(Date.now() + m * 60_000);
    expect((await deliver(app, insurerId, secret, issuedEvent(), { at: minutes(-6) })).statusCode).toBe(401);
    expect((await deliver(app, insurerId, secret, issuedEvent(), { at: minutes(6) })).statusCode).toBe(401);
    expect((await deliver(app, insurerId, secret, issuedEvent(), { at: minutes(-4) })).statusCode).toBe(200);
    expect((await deliver(app, insurerId, secret, issuedEvent(), { at: minutes(4) })).statusCode).toBe(200);
  });

  it('accepts the previous and the new secret during a rotation, and both signatures in one header', async () => {
    const rotating = await app.services.org.catalog.createInsurer(b.admin, { name: 'Rotating Insurer' });
    const rotated = await app.services.org.catalog.rotateInsurerWebhookSecret(b.admin, rotating.insurer.id);
    const id = rotating.insurer.id;
    await app.services.webhooks.mappings.setMapping(b.admin, {
      insurerId: id,
      expectedVersion: 0,
      defaultAdvisorId: b.advisorId,
      rules: [],
    });
    expect((await deliver(app, id, rotating.webhookSecret, issuedEvent())).statusCode).toBe(200);
    expect((await deliver(app, id, rotated.webhookSecret, issuedEvent())).statusCode).toBe(200);
    expect(
      (await deliver(app, id, [rotating.webhookSecret, rotated.webhookSecret], issuedEvent())).statusCode,
    ).toBe(200);
  });

  it('refuses an insurer id that does not exist', async () => {
    const response = await deliver(app, '01JUNKNOWNINSURER0000000000', secret, issuedEvent());
    expect(response.statusCode).toBe(401);
  });
});

describe('events', () => {
  it('answers per event and applies the valid ones of a batch despite the invalid ones', async () => {
    const good = issuedEvent();
    const noPremium = issuedEvent({}, { premium: undefined });
    const floatPremium = issuedEvent({}, { premium: { amount: 4860.1, currency: 'EUR' } });
    const unknownType = { id: 'evt_unknown_type', type: 'policy.exploded', data: {} };
    const cancel = {
      id: `${good.id}-cancel`,
      type: 'policy.cancelled',
      data: { policyNumber: good.data.policyNumber, date: '2026-12-15', reason: 'Sold the car' },
    };
    const report = reportOf(
      await deliver(app, insurerId, secret, { events: [good, noPremium, floatPremium, unknownType, cancel] }),
    );
    expect(report).toMatchObject({ accepted: 2, rejected: 3, duplicates: 0 });
    expect(report.events.map((e) => e.status)).toEqual([
      'accepted',
      'rejected',
      'rejected',
      'rejected',
      'accepted',
    ]);
    expect(report.events[1]?.errors?.map((e) => e.path)).toEqual(['data.premium']);
    expect(report.events[2]?.errors?.map((e) => e.path)).toEqual(['data.premium.amount']);
    expect(report.events[3]?.errors?.map((e) => e.path)).toEqual(['type']);
    expect(report.events[4]).toMatchObject({ note: 'cancelled', policyId: report.events[0]?.policyId });

    const policies = await policiesOf(insurerId);
    expect(policies.find((p) => p.policyNumber === good.data.policyNumber)?.status).toBe('CANCELLED');
    expect(policies.some((p) => p.policyNumber === noPremium.data.policyNumber)).toBe(false);
  });

  it('renews, endorses and reactivates a policy by number through the policies service', async () => {
    const issued = issuedEvent();
    const number = issued.data.policyNumber;
    const report = reportOf(
      await deliver(app, insurerId, secret, {
        events: [
          issued,
          {
            id: `${issued.id}-e`,
            type: 'policy.endorsed',
            data: {
              policyNumber: number,
              newPremium: { amount: '5400.00', currency: 'EUR' },
              effectiveDate: '2027-03-01',
            },
          },
          {
            id: `${issued.id}-c`,
            type: 'policy.cancelled',
            data: { policyNumber: number, date: '2027-04-01' },
          },
          {
            id: `${issued.id}-r`,
            type: 'policy.reactivated',
            data: { policyNumber: number, date: '2027-04-10' },
          },
          {
            id: `${issued.id}-n`,
            type: 'policy.renewed',
            data: {
              policyNumber: number,
              premium: { amount: '5600.00', currency: 'EUR' },
              writtenDate: '2027-11-15',
              termStart: '2027-12-01',
              termEnd: '2028-11-30',
            },
          },
        ],
      }),
    );
    expect(report.events.map((e) => `${e.status}:${e.note}`)).toEqual([
      'accepted:policy written for a new potential client',
      'accepted:endorsed',
      'accepted:cancelled',
      'accepted:reactivated',
      `accepted:renewed as ${number}`,
    ]);
    const old = await app.services.policies.reads.getPolicy(b.admin, report.events[0]?.policyId ?? '');
    expect(old).toMatchObject({ status: 'RENEWED', premium: { amount: '5400.00' } });
    const renewal = await app.services.policies.reads.getPolicy(b.admin, report.events[4]?.policyId ?? '');
    expect(renewal).toMatchObject({
      status: 'ACTIVE',
      businessType: 'RENEWAL',
      premium: { amount: '5600.00' },
    });
  });

  it('matches the holder to an existing client by national id, then tax id, then e-mail', async () => {
    const byEmail = await app.services.clients.records.createClient(b.as.advisor, {
      kind: 'PERSON',
      firstName: 'Eva',
      lastName: 'Mailová',
      email: 'eva.mailova@example.com',
      segment: 'INDIVIDUAL',
      acquisitionType: 'ADVISOR',
    });
    const byId = await app.services.clients.records.createClient(b.as.advisor, {
      kind: 'PERSON',
      firstName: 'Ivo',
      lastName: 'Rodný',
      nationalId: '750505/5555',
      segment: 'INDIVIDUAL',
      acquisitionType: 'ADVISOR',
    });
    const report = reportOf(
      await deliver(app, insurerId, secret, {
        events: [
          // National id wins over an e-mail that belongs to someone else.
          issuedEvent(
            {},
            {
              holder: {
                firstName: 'Ivo',
                lastName: 'Rodný',
                nationalId: '7505055555',
                email: 'eva.mailova@example.com',
              },
            },
          ),
          issuedEvent(
            {},
            { holder: { firstName: 'Eva', lastName: 'Mailová', email: 'EVA.MAILOVA@example.com' } },
          ),
        ],
      }),
    );
    expect(report.accepted).toBe(2);
    const [first, second] = await Promise.all(
      report.events.map((e) => app.services.policies.reads.getPolicy(b.admin, e.policyId ?? '')),
    );
    expect(first?.clientId).toBe(byId.id);
    expect(second?.clientId).toBe(byEmail.id);
  });

  it('gives 20 policies of one new holder in one batch one client, applied in order without conflicts', async () => {
    const holder = {
      firstName: 'Hana',
      lastName: 'Rychlá',
      nationalId: '8860011234',
      email: 'hana.rychla@example.com',
    };
    const events = Array.from({ length: 20 }, () => issuedEvent({}, { holder }));
    const report = reportOf(await deliver(app, insurerId, secret, { events }));
    expect(report).toMatchObject({ accepted: 20, rejected: 0 });
    const policies = await Promise.all(
      report.events.map((e) => app.services.policies.reads.getPolicy(b.admin, e.policyId ?? '')),
    );
    expect(new Set(policies.map((p) => p?.clientId)).size).toBe(1);
    expect(report.events.filter((e) => e.note === 'policy written for a new potential client')).toHaveLength(
      1,
    );
  });

  it('stores premium payments and commission statements, saying what was done with them', async () => {
    const issued = issuedEvent();
    const report = reportOf(
      await deliver(app, insurerId, secret, {
        events: [
          issued,
          {
            id: `${issued.id}-paid`,
            type: 'premium.paid',
            data: {
              policyNumber: issued.data.policyNumber,
              amount: { amount: '1215.00', currency: 'EUR' },
              paidDate: '2026-12-03',
            },
          },
          {
            id: `${issued.id}-stmt`,
            type: 'commission.statement',
            data: {
              period: '2026-12',
              currency: 'EUR',
              lines: [
                { policyNumber: issued.data.policyNumber, amount: '121.50' },
                { policyNumber: 'X-1', amount: '0.10' },
              ],
            },
          },
        ],
      }),
    );
    expect(report.events.map((e) => e.status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(report.events[1]?.note).toContain('stored against the policy');
    expect(report.events[2]?.note).toContain('stored for reconciliation');
    const payments = await app.db.queryAll({
      partition: keys.insurerPremiumPayments(b.tenantId, report.events[0]?.policyId ?? ''),
    });
    expect(payments.map((p) => p.amount)).toEqual([{ amount: '1215.00', currency: 'EUR' }]);
    const statements = await app.db.queryAll({
      partition: keys.insurerCommissionStatements(b.tenantId, insurerId),
      beginsWith: '2026-12#',
    });
    expect(statements.map((s) => s.total)).toEqual([{ amount: '121.60', currency: 'EUR' }]);
  });

  it('answers 400 problem details with field paths for a body that is not an event or a batch', async () => {
    const response = await deliver(app, insurerId, secret, { events: [] });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'events' }],
    });
  });
});
