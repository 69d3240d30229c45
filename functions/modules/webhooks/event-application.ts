import type * as z from 'zod';
import { systemPrincipal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { type DomainError, isDomainError, ValidationFailedError } from '../../shared/errors.js';
import { Dec, money } from '../../shared/money.js';
import { fieldErrorsOf } from '../../shared/validation.js';
import { normalisePolicyNumber } from '../policies/index.js';
import { groupEvents, inParallel, type Prepared } from './event-grouping.js';
import { applyMapping } from './mapping.js';
import { applyPolicyEvent, currentPolicy } from './policy-events.js';
import type { OpenDeliveryBook } from './ports.js';
import {
  type DeliveryContext,
  EventBusyError,
  LEASE_SECONDS,
  OutOfTimeError,
  withSource,
} from './processing.js';
import type { Processed } from './responses.js';
import {
  type CommissionStatementSchema,
  DeliveryBodySchema,
  EVENT_SCHEMAS,
  type EventFieldError,
  type EventOutcome,
  type EventType,
  emptyMapping,
  type PremiumPaidSchema,
  type RawEvent,
  RawEventSchema,
} from './webhooks.model.js';
import {
  ClaimTakenError,
  type EventRecord,
  PREMIUM_PAYMENTS_PER_TRANSACTION,
  type WebhooksRepository,
} from './webhooks.repository.js';

/** Groups of events (one group per policy number) applied side by side. */
const PARALLEL_GROUPS = 32;
/** Batches of premium payments (a transaction each) written side by side. */
const PARALLEL_BATCHES = 4;
const MAX_ERRORS_PER_EVENT = 20;
const PREMIUM_NOTE =
  'stored against the policy as an insurer premium payment; settling our invoices from it is the invoices module’s job, not done here';

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load();
    return value;
  };
}

/**
 * Event application: maps each event of a delivery from the insurer's layout into ours (the mapping
 * is data an admin edits), validates each on its own and applies it once per insurer event id —
 * policy events through the policies service, premium payments and commission statements as stored
 * records. Knows nothing of signatures, HTTP or the delivery's own dedupe.
 */
export class WebhookEvents {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly openBook: OpenDeliveryBook,
    private readonly clock: Clock,
    /**
     * After this long, no further event of a delivery is started ({@link OutOfTimeError}): the retry
     * carries on where this attempt stopped (events applied are duplicates by their id).
     */
    private readonly timeBudgetMs: number,
  ) {}

  /** Parses the envelope, then maps, validates and applies each event on its own. */
  async process(tenantId: string, insurerId: string, webhookId: string, body: string): Promise<Processed> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { kind: 'invalid', errors: [{ path: 'body', message: 'is not JSON' }] };
    }
    const envelope = DeliveryBodySchema.safeParse(parsed);
    if (!envelope.success) {
      return { kind: 'invalid', errors: fieldErrorsOf(envelope.error).slice(0, MAX_ERRORS_PER_EVENT) };
    }
    const rawEvents = 'events' in envelope.data ? envelope.data.events : [parsed];
    const ctx = await this.context(tenantId, insurerId, webhookId);

    const outcomes: EventOutcome[] = [];
    const valid: Prepared[] = [];
    rawEvents.forEach((raw, index) => {
      const prepared = prepare(ctx, raw, index);
      if ('status' in prepared) outcomes.push(prepared);
      else valid.push(prepared);
    });
    // Events of one policy apply in the order sent (issue before cancel), and so do new policies of
    // one holder (one client is created, not raced for); everything else side by side. Premium
    // payments of policies no other event of the delivery touches are recorded in batches.
    const groups = groupEvents(valid);
    const batchable = groups.filter((g) => g.every((p) => p.event.type === 'premium.paid')).flat();
    const deadline = Date.now() + this.timeBudgetMs;
    let unstarted = 0;
    const [batched, applied] = await Promise.all([
      this.recordPremiumBatches(ctx, batchable, deadline),
      inParallel(
        groups
          .filter((g) => !g.every((p) => p.event.type === 'premium.paid'))
          .map((group) => async () => {
            const results: EventOutcome[] = [];
            for (const prepared of group) {
              if (Date.now() > deadline) {
                unstarted += 1;
                continue;
              }
              results.push(await this.applyEvent(ctx, prepared));
            }
            return results;
          }),
        PARALLEL_GROUPS,
      ),
    ]);
    unstarted += batched.unstarted;
    if (unstarted > 0) throw new OutOfTimeError(unstarted);
    outcomes.push(...batched.outcomes, ...applied.flat());
    outcomes.sort((a, b) => a.index - b.index);
    return {
      kind: 'report',
      linked: ctx.linked,
      report: {
        webhookId,
        accepted: outcomes.filter((o) => o.status === 'accepted').length,
        duplicates: outcomes.filter((o) => o.status === 'duplicate').length,
        rejected: outcomes.filter((o) => o.status === 'rejected').length,
        events: outcomes,
      },
    };
  }

  private async context(tenantId: string, insurerId: string, webhookId: string): Promise<DeliveryContext> {
    const mapping = (await this.repo.getMapping(tenantId, insurerId)) ?? emptyMapping(insurerId);
    const book = this.openBook();
    return {
      holders: book.holders,
      policies: book.policies,
      tenantId,
      insurerId,
      webhookId,
      principal: systemPrincipal(tenantId, `insurer:${insurerId}`),
      mapping,
      productLines: once(() => book.org.listProductLines(tenantId)),
      linked: new Map(),
      usersByEmail: once(async () => {
        const users = await book.org.listUsers(tenantId);
        return new Map(users.map((u) => [u.email.toLowerCase(), u]));
      }),
    };
  }

  /**
   * Premium payments in batches: the policies they name read in one BatchGetItem, the records of
   * each batch of events in one more, and the new ones written in one transaction. An event recorded
   * before is a duplicate; one held or recorded meanwhile, or repeated within the delivery, takes
   * the one-by-one path, which tells a duplicate from an event still being applied.
   */
  private async recordPremiumBatches(
    ctx: DeliveryContext,
    events: Prepared[],
    deadline: number,
  ): Promise<{ outcomes: EventOutcome[]; unstarted: number }> {
    const outcomes: EventOutcome[] = [];
    if (events.length === 0) return { outcomes, unstarted: 0 };
    const { tenantId, insurerId } = ctx;
    const numberOf = (p: Prepared) => (p.data as z.output<typeof PremiumPaidSchema>).policyNumber;
    const ids = await ctx.policies.idsByNumbers(tenantId, insurerId, [...new Set(events.map(numberOf))]);
    let unstarted = 0;
    // A repeated event id within the delivery goes one by one after the batches: its first copy
    // is recorded by then, so it answers as a duplicate.
    const firsts: Prepared[] = [];
    const oneByOne: Prepared[] = [];
    const seen = new Set<string>();
    for (const prepared of events) {
      if (!ids.has(numberOf(prepared))) {
        const errors = UNKNOWN_POLICY.map((e) => withSource(ctx, prepared.event.type, e));
        outcomes.push(rejected(prepared.index, prepared.event.id, prepared.event.type, errors));
      } else if (seen.has(prepared.event.id)) oneByOne.push(prepared);
      else {
        seen.add(prepared.event.id);
        firsts.push(prepared);
      }
    }
    const chunks: Prepared[][] = [];
    for (let i = 0; i < firsts.length; i += PREMIUM_PAYMENTS_PER_TRANSACTION)
      chunks.push(firsts.slice(i, i + PREMIUM_PAYMENTS_PER_TRANSACTION));
    await inParallel(
      chunks.map((chunk) => async () => {
        if (Date.now() > deadline) {
          unstarted += chunk.length;
          return;
        }
        const recorded = await this.repo.getEvents(
          tenantId,
          insurerId,
          chunk.map((p) => p.event.id),
        );
        const fresh: Prepared[] = [];
        for (const prepared of chunk) {
          const before = recorded.get(prepared.event.id);
          if (before?.state === 'DONE') outcomes.push(duplicate(prepared.index, prepared.event, before));
          else if (before) oneByOne.push(prepared);
          else fresh.push(prepared);
        }
        const entries = fresh.map((prepared) => this.premiumEntry(ctx, prepared, ids));
        try {
          await this.repo.recordPremiumPayments(tenantId, insurerId, entries);
        } catch (error) {
          if (!(error instanceof ClaimTakenError)) throw error;
          oneByOne.push(...fresh);
          return;
        }
        for (const { prepared, record } of entries) {
          outcomes.push({
            index: prepared.index,
            eventId: prepared.event.id,
            type: prepared.event.type,
            status: 'accepted',
            policyId: record.policyId,
            note: PREMIUM_NOTE,
          });
        }
      }),
      PARALLEL_BATCHES,
    );
    for (const prepared of oneByOne) {
      if (Date.now() > deadline) unstarted += 1;
      else outcomes.push(await this.applyEvent(ctx, prepared));
    }
    return { outcomes, unstarted };
  }

  /** A new premium payment with its event record, recorded DONE in the batch's transaction. */
  private premiumEntry(ctx: DeliveryContext, prepared: Prepared, ids: Map<string, string>) {
    const d = prepared.data as z.output<typeof PremiumPaidSchema>;
    const policyId = ids.get(d.policyNumber) as string;
    return {
      prepared,
      record: {
        ...this.newRecord(ctx, prepared.event),
        state: 'DONE' as const,
        policyId,
        note: PREMIUM_NOTE,
      },
      payment: {
        policyId,
        policyNumber: normalisePolicyNumber(d.policyNumber),
        amount: money(d.amount.amount, d.amount.currency),
        paidDate: d.paidDate,
        reference: d.reference ?? null,
      },
    };
  }

  private newRecord(ctx: DeliveryContext, event: RawEvent): EventRecord {
    const now = this.clock.now();
    return {
      eventId: event.id,
      type: event.type,
      state: 'PROCESSING',
      leaseUntil: new Date(now.getTime() + LEASE_SECONDS * 1000).toISOString(),
      policyId: null,
      note: null,
      webhookId: ctx.webhookId,
    };
  }

  /** Applies one valid event once per insurer event id; a domain refusal rejects it and frees the id. */
  private async applyEvent(ctx: DeliveryContext, prepared: Prepared): Promise<EventOutcome> {
    const { index, event, data } = prepared;
    const { tenantId, insurerId } = ctx;
    const now = this.clock.now();
    const record = this.newRecord(ctx, event);
    try {
      if (event.type === 'premium.paid' || event.type === 'commission.statement') {
        const done = await this.recordOnly(ctx, event, data, record);
        return { index, eventId: event.id, type: event.type, status: 'accepted', ...done };
      }
      await this.repo.claimEvent(tenantId, insurerId, record, now);
    } catch (error) {
      if (error instanceof ClaimTakenError) {
        const existing = await this.repo.getEvent(tenantId, insurerId, event.id);
        // Held by an attempt that has not finished (or died under its lease): not a duplicate yet.
        if (existing?.state !== 'DONE') throw new EventBusyError(event.id);
        if (existing.clientId) ctx.linked.set(event.id, existing.clientId);
        return duplicate(index, event, existing);
      }
      if (isDomainError(error))
        return rejected(index, event.id, event.type, errorsOf(ctx, event.type, error));
      throw error;
    }
    try {
      const done = await applyPolicyEvent(ctx, event, data);
      await this.repo.completeEvent(tenantId, insurerId, { ...record, state: 'DONE', ...done });
      ctx.linked.set(event.id, done.clientId);
      return {
        index,
        eventId: event.id,
        type: event.type,
        status: 'accepted',
        policyId: done.policyId,
        note: done.note,
      };
    } catch (error) {
      await this.repo.releaseEvent(tenantId, insurerId, event.id);
      if (isDomainError(error))
        return rejected(index, event.id, event.type, errorsOf(ctx, event.type, error));
      throw error;
    }
  }

  /** Events whose whole effect is a stored record: written with the event's id in one transaction. */
  private async recordOnly(
    ctx: DeliveryContext,
    event: RawEvent,
    data: Record<string, unknown>,
    record: EventRecord,
  ): Promise<{ policyId: string | null; note: string }> {
    const { tenantId, insurerId } = ctx;
    if (event.type === 'premium.paid') {
      const d = data as z.output<typeof PremiumPaidSchema>;
      const policy = await currentPolicy(ctx, d.policyNumber);
      const note = PREMIUM_NOTE;
      await this.repo.recordPremiumPayment(
        tenantId,
        insurerId,
        { ...record, state: 'DONE', policyId: policy.id, note },
        {
          policyId: policy.id,
          policyNumber: policy.policyNumber,
          amount: money(d.amount.amount, d.amount.currency),
          paidDate: d.paidDate,
          reference: d.reference ?? null,
        },
      );
      return { policyId: policy.id, note };
    }
    const d = data as z.output<typeof CommissionStatementSchema>;
    const lines = d.lines.map((l) => ({
      policyNumber: normalisePolicyNumber(l.policyNumber),
      amount: money(l.amount, d.currency),
      kind: l.kind ?? null,
    }));
    const total = money(
      lines.reduce((sum, l) => sum.plus(l.amount.amount), new Dec(0)),
      d.currency,
    );
    const note =
      'stored for reconciliation (the commissions module reconciles statements against its ledger)';
    await this.repo.recordCommissionStatement(
      tenantId,
      insurerId,
      { ...record, state: 'DONE', note },
      { period: d.period, currency: d.currency, lines, total, receivedAt: this.clock.now().toISOString() },
    );
    return { policyId: null, note };
  }
}

/** Envelope and mapping: a valid event in our model, or its rejection with field paths. */
function prepare(ctx: DeliveryContext, raw: unknown, index: number): Prepared | EventOutcome {
  const envelope = RawEventSchema.safeParse(raw);
  const record = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  if (!envelope.success) {
    return rejected(
      index,
      typeof record.id === 'string' ? record.id : null,
      typeof record.type === 'string' ? record.type : null,
      fieldErrorsOf(envelope.error),
    );
  }
  const event = envelope.data;
  const mapped = applyMapping(ctx.mapping.rules, event.type, event.data);
  const data = EVENT_SCHEMAS[event.type].safeParse(mapped);
  if (!data.success) {
    const errors = fieldErrorsOf(data.error, 'data').map((e) => withSource(ctx, event.type, e));
    return rejected(index, event.id, event.type, errors);
  }
  return { index, event, data: data.data as Record<string, unknown> };
}

/** What `currentPolicy` answers for a number no policy of the insurer holds. */
const UNKNOWN_POLICY: EventFieldError[] = [
  { path: 'data.policyNumber', message: 'names no policy of this insurer' },
];

function errorsOf(ctx: DeliveryContext, type: EventType, error: DomainError): EventFieldError[] {
  if (error instanceof ValidationFailedError) {
    return error.fieldErrors.map((f) =>
      withSource(ctx, type, { path: f.path.replace(/^input(?=\.|$)/, 'data'), message: f.message }),
    );
  }
  return [{ path: 'data', message: `${error.code}: ${error.message}` }];
}

function rejected(
  index: number,
  eventId: string | null,
  type: string | null,
  errors: EventFieldError[],
): EventOutcome {
  return { index, eventId, type, status: 'rejected', errors: errors.slice(0, MAX_ERRORS_PER_EVENT) };
}

function duplicate(index: number, event: RawEvent, record: EventRecord): EventOutcome {
  return {
    index,
    eventId: event.id,
    type: event.type,
    status: 'duplicate',
    policyId: record.policyId,
    note: 'applied before',
  };
}
