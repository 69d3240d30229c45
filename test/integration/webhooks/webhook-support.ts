import { Webhook } from 'standardwebhooks';
import type { WebhookResponse } from '../../../functions/modules/webhooks/responses.js';
import type { DeliveryReport } from '../../../functions/modules/webhooks/webhooks.model.js';
import { newId } from '../../../functions/shared/ids.js';
import type { TestApp } from '../../support/app.js';
import type { Brokerage } from '../../support/brokerage.js';

/** The headers an insurer sends, signed with the reference Standard Webhooks library. */
export function signedHeaders(
  secret: string | string[],
  body: string,
  options: { id?: string; at?: Date } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${newId()}`;
  const at = options.at ?? new Date();
  const secrets = Array.isArray(secret) ? secret : [secret];
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => new Webhook(s).sign(id, at, body)).join(' '),
  };
}

/** Delivers a body to the webhook service as an insurer would (signed), returning the answer. */
export function deliver(
  app: TestApp,
  insurerId: string,
  secret: string | string[],
  payload: unknown,
  options: { id?: string; at?: Date } = {},
): Promise<WebhookResponse> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return app.services.webhooks.deliveries.receive({
    insurerId,
    headers: signedHeaders(secret, body, options),
    body,
  });
}

/** The JSON report of a 200 answer. */
export function reportOf(response: WebhookResponse): DeliveryReport {
  if (response.statusCode !== 200)
    throw new Error(`Expected 200, got ${response.statusCode}: ${response.body}`);
  return JSON.parse(response.body) as DeliveryReport;
}

let counter = 0;

/** A `policy.issued` event in our own layout; override what a test is about. */
export function issuedEvent(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  counter += 1;
  const n = `${Date.now().toString(36)}${counter}`.toUpperCase();
  return {
    id: `evt_${n}`,
    type: 'policy.issued',
    data: {
      externalId: `ext-${n}`,
      policyNumber: `WH-${n}`,
      productLineCode: 'MTPL',
      premium: { amount: '4860.00', currency: 'EUR' },
      frequency: 'QUARTERLY',
      writtenDate: '2026-11-20',
      termStart: '2026-12-01',
      termEnd: '2027-11-30',
      insuredObjects: [
        {
          kind: 'VEHICLE',
          attributes: { registrationPlate: '1B2 3456', vin: `TMBJJ7NE8J${n}`.slice(0, 17) },
        },
      ],
      holder: {
        kind: 'PERSON',
        firstName: 'Jan',
        lastName: 'Král',
        nationalId: `80${String(counter).padStart(4, '0')}${Date.now() % 10000}`,
        email: `jan.${n}@example.com`,
      },
      ...data,
    },
    ...overrides,
  };
}

/**
 * An insurer of the brokerage with the default mapping (no rules, unmatched sellers go to the
 * brokerage's advisor): what most webhook tests deliver to.
 */
export async function createMappedInsurer(
  app: TestApp,
  b: Brokerage,
  name: string,
): Promise<{ insurerId: string; secret: string }> {
  const created = await app.services.org.catalog.createInsurer(b.admin, { name });
  await app.services.webhooks.mappings.setMapping(b.admin, {
    insurerId: created.insurer.id,
    expectedVersion: 0,
    defaultAdvisorId: b.advisorId,
    rules: [],
  });
  return { insurerId: created.insurer.id, secret: created.webhookSecret };
}
