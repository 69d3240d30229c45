import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import type { StoredItem } from '../../../functions/shared/db.js';
import { keys } from '../../../functions/shared/table-design.js';
import type { SeededBook } from '../support/book.js';
import { countPartition, readPartition } from '../support/count.js';
import type { DynamoDbMeter } from '../support/dynamodb-meter.js';
import { rawWriteFloor } from '../support/raw-floor.js';
import { timed } from '../support/stats.js';

export interface WebhookFigures {
  events: number;
  /** The feed size, when this run sent fewer events (scaled to fit the time budget). */
  scaledFrom: number | null;
  deliveries: number;
  eventsPerDelivery: number;
  mix: Record<string, number>;
  /** First pass: every delivery sent once, in order, by one sender. */
  eventsPerSecond: number;
  /** Items the first pass wrote per event (each member of a batch or transaction). */
  itemWritesPerEvent: number;
  /**
   * The engine's floor for this feed: the first pass's item writes replayed as raw BatchWriteItem
   * (the items it put, 25 a request), as events per second.
   */
  floorEventsPerSecond: number;
  /** eventsPerSecond ÷ floorEventsPerSecond. */
  ratioOfFloor: number;
  deliveryMs: { median: number; min: number; max: number };
  requestsPerEvent: number;
  /** DynamoDB requests of the first pass by API call. */
  requests: Record<string, number>;
  /** Milliseconds the first pass waited on each API's answers, per event (concurrent waits add up). */
  waitMsPerEvent: Record<string, number>;
  capacityUnitsPerEvent: number;
  /** The full redelivery (same webhook ids): answers byte-equal to the first, in this many seconds. */
  redelivery: { identicalAnswers: number; seconds: number };
  /** The same events under new webhook ids: every one must be answered `duplicate`. */
  resend: { duplicates: number; accepted: number; seconds: number };
  /** What the table holds afterwards: every event recorded once, policies and payments not doubled. */
  stored: { eventRecordsDone: number; newPolicies: number; expectedNewPolicies: number };
  target: string;
  met: boolean;
}

export interface WebhookContext {
  webhookUrl: (insurerId: string) => string;
  book: SeededBook;
  raw: DynamoDBDocumentClient;
  tableName: string;
  productMeter: DynamoDbMeter;
  events: number;
  scaledFrom: number | null;
  perDelivery: number;
  /** One event in this many is a policy.issued for a new holder; the rest are premium.paid. */
  issuedEvery: number;
  log: (line: string) => void;
}

type Report = { accepted: number; duplicates: number; rejected: number; events: Array<{ status: string }> };

/** The insurer's own policies (number per insurer), as the sender of premium payments knows them. */
async function insurerPolicyNumbers(
  ctx: WebhookContext,
  insurerId: string,
  count: number,
): Promise<string[]> {
  const partition = keys.policiesByInsurer(ctx.book.tenantId, insurerId);
  const policies = await readPartition(
    { raw: ctx.raw, tableName: ctx.tableName, index: 'gsi2', partition: partition },
    count,
  );
  return policies.map((p) => String(p.policyNumber));
}

/** The n-th event of a feed: one in `issuedEvery` a policy.issued for a new holder, the rest premium.paid. */
export function eventAt(
  ctx: Pick<WebhookContext, 'book' | 'issuedEvery'>,
  n: number,
  numbers: string[],
  run: string,
) {
  if (n % ctx.issuedEvery === 0) {
    const id = `${run}${n}`;
    return {
      id: `evt-iss-${id}`,
      type: 'policy.issued',
      data: {
        externalId: `ext-${id}`,
        policyNumber: `WH-${id}`,
        productLineCode: 'MTPL',
        premium: { amount: '4860.00', currency: 'EUR' },
        frequency: 'QUARTERLY',
        writtenDate: ctx.book.writtenDate,
        termStart: ctx.book.writtenDate,
        termEnd: `${Number(ctx.book.writtenDate.slice(0, 4)) + 1}${ctx.book.writtenDate.slice(4)}`,
        insuredObjects: [{ kind: 'VEHICLE', attributes: { registrationPlate: `7W${n}`, vin: `TMBWH${id}` } }],
        // A new holder gets the seller's book: advisors in turn, as an insurer's agent code would name them.
        sellerEmail: ctx.book.advisors[Math.floor(n / ctx.issuedEvery) % ctx.book.advisors.length]?.email,
        holder: {
          kind: 'PERSON',
          firstName: 'Webhook',
          lastName: `Holder ${n}`,
          nationalId: `WH${id}`.slice(0, 20),
          email: `holder-${id}@insurer.example`,
        },
      },
    };
  }
  return {
    id: `evt-pay-${run}${n}`,
    type: 'premium.paid',
    data: {
      policyNumber: numbers[n % numbers.length],
      amount: { amount: `${(100 + (n % 900)).toFixed(2)}`, currency: 'EUR' },
      paidDate: ctx.book.writtenDate,
      reference: `PAY${n}`,
    },
  };
}

/** POSTs one signed Standard Webhooks delivery and returns the answer's body (throws unless 200). */
export async function send(
  ctx: Pick<WebhookContext, 'book' | 'webhookUrl'>,
  insurerId: string,
  webhookId: string,
  body: string,
) {
  const at = new Date();
  const signature = new Webhook(ctx.book.insurerSecrets[insurerId] ?? '').sign(webhookId, at, body);
  const response = await fetch(ctx.webhookUrl(insurerId), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body,
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`delivery ${webhookId} answered ${response.status}: ${text.slice(0, 500)}`);
  return text;
}

/** How many of the events have their record stored as DONE (BatchGetItem, 100 keys a request). */
async function doneRecords(ctx: WebhookContext, insurerId: string, eventIds: string[]): Promise<number> {
  let done = 0;
  for (let i = 0; i < eventIds.length; i += 100) {
    let pending: Array<Record<string, unknown>> | undefined = eventIds.slice(i, i + 100).map((id) => {
      const key = keys.webhookEvent(ctx.book.tenantId, insurerId, id);
      return { pk: key.pk, sk: key.sk };
    });
    while (pending && pending.length > 0) {
      const out = await ctx.raw.send(
        new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: pending } } }),
      );
      done += ((out.Responses?.[ctx.tableName] ?? []) as StoredItem[]).filter(
        (r) => r.state === 'DONE',
      ).length;
      pending = out.UnprocessedKeys?.[ctx.tableName]?.Keys as Array<Record<string, unknown>> | undefined;
    }
  }
  return done;
}

/**
 * Webhook ingestion over the full local path: signed Standard Webhooks deliveries of
 * `perDelivery` events POSTed to the local stack by one sender, then the whole feed redelivered
 * (same webhook ids: byte-equal answers), then resent as new deliveries (every event a duplicate),
 * and the table checked for every event recorded once and no policy written twice.
 */
export async function benchWebhookIngestion(ctx: WebhookContext): Promise<WebhookFigures> {
  const insurerId = ctx.book.insurerIds[0] as string;
  const numbers = await insurerPolicyNumbers(ctx, insurerId, 5000);
  const run = Date.now().toString(36).toUpperCase();
  const events = Array.from({ length: ctx.events }, (_, n) => eventAt(ctx, n, numbers, run));
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += ctx.perDelivery) {
    bodies.push(JSON.stringify({ events: events.slice(i, i + ctx.perDelivery) }));
  }
  const webhookIds = bodies.map((_, i) => `msg_bench_${run}_${i}`);
  const policiesPartition = keys.policiesByInsurer(ctx.book.tenantId, insurerId);
  const policiesBefore = await countPartition({
    raw: ctx.raw,
    tableName: ctx.tableName,
    index: 'gsi2',
    partition: policiesPartition,
  });

  ctx.productMeter.reset();
  ctx.productMeter.capturePuts = true;
  const answers: string[] = [];
  const deliveryMs: number[] = [];
  const first = await timed(async () => {
    for (const [i, body] of bodies.entries()) {
      const { ms, value } = await timed(() => send(ctx, insurerId, webhookIds[i] as string, body));
      deliveryMs.push(ms);
      answers.push(value);
    }
  });
  ctx.productMeter.capturePuts = false;
  const itemWrites = ctx.productMeter.itemWrites;
  const puts = ctx.productMeter.puts as StoredItem[];
  ctx.productMeter.puts = [];
  const requests = ctx.productMeter.total();
  const byApi = { ...ctx.productMeter.requests };
  const waitMsPerEvent = Object.fromEntries(
    Object.entries(ctx.productMeter.ms).map(([api, ms]) => [api, Number((ms / ctx.events).toFixed(2))]),
  );
  const capacity = ctx.productMeter.capacityUnits;
  const reports = answers.map((a) => JSON.parse(a) as Report);
  const accepted = reports.reduce((sum, r) => sum + r.accepted, 0);
  if (accepted !== ctx.events) {
    const rejected = reports.flatMap((r) => r.events).find((e) => e.status !== 'accepted');
    throw new Error(`${accepted} of ${ctx.events} events accepted; e.g. ${JSON.stringify(rejected)}`);
  }
  const eventsPerSecond = ctx.events / (first.ms / 1000);
  const floor = await timed(() => rawWriteFloor(ctx.raw, ctx.tableName, puts, itemWrites, `W${run}`));
  const floorEventsPerSecond = ctx.events / (floor.ms / 1000);
  ctx.log(
    `  webhooks: ${ctx.events} events in ${(first.ms / 1000).toFixed(1)} s (${eventsPerSecond.toFixed(0)} events/s; raw-write floor ${floorEventsPerSecond.toFixed(0)} events/s); DynamoDB wait ms/event ${JSON.stringify(waitMsPerEvent)}`,
  );

  const again = await timed(async () => {
    let identical = 0;
    for (const [i, body] of bodies.entries()) {
      if ((await send(ctx, insurerId, webhookIds[i] as string, body)) === answers[i]) identical++;
    }
    return identical;
  });
  const resent = await timed(async () => {
    let duplicates = 0;
    let newlyAccepted = 0;
    for (const [i, body] of bodies.entries()) {
      const report = JSON.parse(await send(ctx, insurerId, `${webhookIds[i]}_resent`, body)) as Report;
      duplicates += report.duplicates;
      newlyAccepted += report.accepted;
    }
    return { duplicates, accepted: newlyAccepted };
  });
  const stored = {
    eventRecordsDone: await doneRecords(
      ctx,
      insurerId,
      events.map((e) => e.id),
    ),
    newPolicies:
      (await countPartition({
        raw: ctx.raw,
        tableName: ctx.tableName,
        index: 'gsi2',
        partition: policiesPartition,
      })) - policiesBefore,
    expectedNewPolicies: events.filter((e) => e.type === 'policy.issued').length,
  };
  const sorted = [...deliveryMs].sort((a, b) => a - b);
  const ok =
    again.value === bodies.length &&
    resent.value.duplicates === ctx.events &&
    resent.value.accepted === 0 &&
    stored.eventRecordsDone === ctx.events &&
    stored.newPolicies === stored.expectedNewPolicies;
  return {
    events: ctx.events,
    scaledFrom: ctx.scaledFrom,
    deliveries: bodies.length,
    eventsPerDelivery: ctx.perDelivery,
    mix: {
      'premium.paid': ctx.events - stored.expectedNewPolicies,
      'policy.issued': stored.expectedNewPolicies,
    },
    eventsPerSecond: Number(eventsPerSecond.toFixed(1)),
    itemWritesPerEvent: Number((itemWrites / ctx.events).toFixed(2)),
    floorEventsPerSecond: Number(floorEventsPerSecond.toFixed(1)),
    ratioOfFloor: Number((eventsPerSecond / floorEventsPerSecond).toFixed(2)),
    deliveryMs: {
      median: Number((sorted[Math.floor((sorted.length - 1) / 2)] ?? 0).toFixed(0)),
      min: Number((sorted[0] ?? 0).toFixed(0)),
      max: Number((sorted.at(-1) ?? 0).toFixed(0)),
    },
    requestsPerEvent: Number((requests / ctx.events).toFixed(2)),
    requests: byApi,
    waitMsPerEvent,
    capacityUnitsPerEvent: Number((capacity / ctx.events).toFixed(2)),
    redelivery: { identicalAnswers: again.value, seconds: Number((again.ms / 1000).toFixed(1)) },
    resend: { ...resent.value, seconds: Number((resent.ms / 1000).toFixed(1)) },
    stored,
    target: '≥ 200 events/s; nothing lost or duplicated after a full redelivery',
    met: ok && eventsPerSecond >= 200,
  };
}
