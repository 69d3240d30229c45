import type * as z from 'zod';
import { authorize } from '../../shared/auth/policy.js';
import { type Principal, systemPrincipal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import {
  AlreadyExistsError,
  type DomainError,
  isDomainError,
  NotFoundError,
  RuleViolationError,
  ValidationFailedError,
  VersionConflictError,
} from '../../shared/errors.js';
import { memoizedReads } from '../../shared/memoized-reads.js';
import { Dec, money } from '../../shared/money.js';
import type { ObjectStore } from '../../shared/object-store.js';
import { EntityType, keys, OrgKind } from '../../shared/table-design.js';
import { fieldErrorsOf, parseInput } from '../../shared/validation.js';
import type { ClientsRepository } from '../clients/clients.repository.js';
import { ClientsService } from '../clients/clients.service.js';
import type { Insurer, ProductLine, User } from '../org/org.model.js';
import type { OrgRepository } from '../org/org.repository.js';
import type { OrgService } from '../org/org.service.js';
import { normalisePolicyNumber, type Policy } from '../policies/policies.model.js';
import type { PoliciesRepository } from '../policies/policies.repository.js';
import { PoliciesService } from '../policies/policies.service.js';
import { isJsonContentType, MAX_BODY_DEPTH, withinDepth } from './body-limits.js';
import { applyMapping, sourceOf } from './mapping.js';
import { verifySignature } from './signature.js';
import {
  type CommissionStatementSchema,
  DeliveryBodySchema,
  type DeliveryReport,
  EVENT_SCHEMAS,
  type EventFieldError,
  type EventOutcome,
  type EventType,
  type Holder,
  type PolicyEndorsedSchema,
  type PolicyIssuedSchema,
  type PolicyRenewedSchema,
  type PolicyStatusEventSchema,
  type PremiumPaidSchema,
  type RawEvent,
  RawEventSchema,
  SAFE_ID,
  SetWebhookMappingSchema,
  type WebhookDelivery,
  type WebhookMapping,
} from './webhooks.model.js';
import {
  ClaimTakenError,
  type EventRecord,
  type StoredResponse,
  type WebhooksRepository,
} from './webhooks.repository.js';

/** Delivery ids are remembered this long: well past the senders' retry window (Standard Webhooks: ~76 h). */
export const DEDUPE_TTL_SECONDS = 7 * 24 * 3600;
/** A claim older than this is taken over by a retry (the function's own limit is 29 s). */
const LEASE_SECONDS = 60;
/** Groups of events (one group per policy number) applied side by side. */
const PARALLEL_GROUPS = 32;
/** How long a repeat waits for the first copy of a delivery that is still being processed. */
const WAIT_FOR_FIRST_MS = 20_000;
const POLL_MS = 100;
const CONFLICT_ATTEMPTS = 5;
/** Time after which a delivery starts no more events (the function's limit is 29 s). */
export const DEFAULT_TIME_BUDGET_MS = 20_000;
const MAX_ERRORS_PER_EVENT = 20;

/** Where verified deliveries are archived before anything else happens. */
export interface ArchiveTarget {
  store: ObjectStore;
  bucket: string;
}

/** A delivery as the HTTP layer hands it over: the raw body, exactly as signed. */
export interface WebhookRequest {
  insurerId: string;
  headers: Record<string, string | undefined>;
  body: string;
}

/** What the HTTP layer sends back. */
export interface WebhookResponse {
  statusCode: number;
  contentType: string;
  body: string;
}

/** Facts about a refused or failed delivery that may be logged: never the body. */
export type WebhookLog = (message: string, fields: Record<string, unknown>) => void;

/** An event that passed its envelope and schema checks, in our model. */
export type Prepared = { index: number; event: RawEvent; data: Record<string, unknown> };
type Processed = { kind: 'report'; report: DeliveryReport } | { kind: 'invalid'; errors: EventFieldError[] };

/** What a delivery's events share: the tenant, the insurer, its mapping and reference data read once. */
interface DeliveryContext {
  tenantId: string;
  insurerId: string;
  webhookId: string;
  principal: Principal;
  mapping: WebhookMapping;
  productLines: () => Promise<ProductLine[]>;
  usersByEmail: () => Promise<Map<string, User>>;
  /**
   * The policy and client services for this delivery, over org reads remembered for its duration:
   * its events share an insurer, product lines and sellers, read once instead of once per event.
   */
  policies: PoliciesService;
  clients: ClientsService;
}

const PROBLEM_BASE = 'https://broker-crm.dev/problems';

function problem(
  status: number,
  slug: string,
  title: string,
  code: string,
  extra: object = {},
): WebhookResponse {
  return {
    statusCode: status,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type: `${PROBLEM_BASE}/${slug}`, title, status, code, ...extra }),
  };
}

const unauthorized = () =>
  problem(401, 'invalid-signature', 'The delivery is not signed by this insurer', 'UNAUTHENTICATED', {
    detail: 'Sign `webhook-id.webhook-timestamp.body` with the insurer secret (Standard Webhooks, v1).',
  });

function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load();
    return value;
  };
}

/** Runs tasks with at most `limit` at a time. */
async function inParallel<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** The S3 key of an archived delivery: by tenant, insurer, day of the signed timestamp, and webhook id. */
export function archiveKeyOf(
  tenantId: string,
  insurerId: string,
  timestamp: Date,
  webhookId: string,
): string {
  return `webhooks/${tenantId}/${insurerId}/${timestamp.toISOString().slice(0, 10)}/${webhookId}.json`;
}

/**
 * Insurer webhooks: verifies a delivery (Standard Webhooks), archives its raw body, answers repeats
 * of a delivery as the first was answered, maps each event from the insurer's layout into ours
 * (the mapping is data an admin edits), validates each event on its own and applies it through the
 * policies service, once per insurer event id. Also the admin's side: mappings, the list of
 * archived deliveries, and reprocessing one.
 */
export class WebhooksService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly org: OrgService,
    private readonly orgRepo: OrgRepository,
    private readonly clientsRepo: ClientsRepository,
    private readonly policiesRepo: PoliciesRepository,
    private readonly clock: Clock,
    private readonly archive: ArchiveTarget | null,
    private readonly log: WebhookLog = () => undefined,
    /**
     * After this long, no further event of a delivery is started: the answer is then a 503 so the
     * insurer retries, and the retry carries on where this attempt stopped (events applied are
     * duplicates by their id). Keeps every attempt inside the function's 29-second limit.
     */
    private readonly timeBudgetMs = DEFAULT_TIME_BUDGET_MS,
  ) {}

  // ---- receiving -----------------------------------------------------------------------------

  /**
   * Handles one delivery end to end. Refusals (401) write nothing and log no body. A verified
   * delivery already answered gets that answer again and writes nothing. Otherwise the raw body is
   * archived first; only then is the delivery claimed, processed and its answer stored.
   */
  async receive(req: WebhookRequest): Promise<WebhookResponse> {
    const { insurerId } = req;
    if (!SAFE_ID.test(insurerId)) return unauthorized();
    const registration = await this.org.activeWebhookSecrets(insurerId);
    if (!registration) {
      this.log('webhook refused', { insurerId, reason: 'UNKNOWN_INSURER' });
      return unauthorized();
    }
    const verified = verifySignature(
      {
        id: req.headers['webhook-id'],
        timestamp: req.headers['webhook-timestamp'],
        signature: req.headers['webhook-signature'],
      },
      req.body,
      registration.secrets,
      this.clock.now(),
    );
    if (!verified.ok) {
      this.log('webhook refused', { insurerId, reason: verified.reason });
      return unauthorized();
    }
    const { webhookId } = verified;
    // Refused before anything is stored or parsed; the same delivery gets the same answer again.
    if (!isJsonContentType(req.headers['content-type'])) {
      return problem(
        415,
        'unsupported-media-type',
        'A delivery must be application/json',
        'UNSUPPORTED_MEDIA_TYPE',
        {
          detail: `Send the body with content-type: application/json (received ${JSON.stringify(req.headers['content-type'] ?? null)}).`,
        },
      );
    }
    if (!withinDepth(req.body)) {
      return problem(400, 'too-deep', 'The delivery is nested too deeply', 'BAD_USER_INPUT', {
        detail: `Objects and arrays may be nested at most ${MAX_BODY_DEPTH} levels deep.`,
        fieldErrors: [{ path: 'body', message: `is nested deeper than ${MAX_BODY_DEPTH} levels` }],
      });
    }
    if (!SAFE_ID.test(webhookId)) {
      return problem(400, 'invalid-webhook-id', 'Unusable webhook-id', 'BAD_USER_INPUT', {
        fieldErrors: [{ path: 'webhook-id', message: 'must be 1–100 letters, digits or _ . : @ + -' }],
      });
    }
    const tenantId = registration.tenantId;
    const seen = await this.repo.getDedupe(tenantId, insurerId, webhookId);
    if (seen?.state === 'DONE' && seen.response) return asResponse(seen.response);

    if (!this.archive) throw new Error('No archive bucket is configured for webhook deliveries');
    const archiveKey = archiveKeyOf(tenantId, insurerId, verified.timestamp, webhookId);
    await this.archive.store.put(this.archive.bucket, archiveKey, req.body, 'application/json');

    const receivedAt = this.clock.now();
    const unanswered: WebhookDelivery = {
      insurerId,
      webhookId,
      receivedAt: receivedAt.toISOString(),
      archiveKey,
      bodyBytes: Buffer.byteLength(req.body),
      statusCode: 0,
      accepted: 0,
      duplicates: 0,
      rejected: 0,
      reprocessedAt: null,
      version: 1,
    };
    try {
      await this.repo.claimDelivery(
        tenantId,
        insurerId,
        webhookId,
        receivedAt,
        LEASE_SECONDS,
        DEDUPE_TTL_SECONDS,
        unanswered,
      );
    } catch (error) {
      if (error instanceof ClaimTakenError) return this.awaitFirstAnswer(tenantId, insurerId, webhookId);
      throw error;
    }
    try {
      const processed = await this.process(tenantId, insurerId, webhookId, req.body);
      const response = responseOf(processed);
      const delivery: WebhookDelivery = {
        ...unanswered,
        statusCode: response.statusCode,
        ...countsOf(processed),
      };
      await this.repo.completeDelivery(
        tenantId,
        delivery,
        { statusCode: response.statusCode, body: response.body },
        this.clock.now(),
        DEDUPE_TTL_SECONDS,
      );
      return response;
    } catch (error) {
      await this.repo.releaseDelivery(tenantId, insurerId, webhookId).catch(() => undefined);
      if (error instanceof OutOfTimeError) {
        this.log('webhook delivery out of time', { insurerId, webhookId, unstarted: error.unstarted });
        return problem(
          503,
          'out-of-time',
          'The delivery was applied in part; retry it to finish',
          'CONFLICT',
          {
            detail: `${error.unstarted} events were not started in time; a retry applies them (those applied are not repeated).`,
          },
        );
      }
      if (error instanceof EventBusyError) {
        // Not stored as the answer: the retry, after the holder's lease, applies the event.
        return problem(
          503,
          'event-in-progress',
          'An event of this delivery is being applied elsewhere',
          'CONFLICT',
          {
            detail: `Event ${error.eventId} is held by another attempt; retry the delivery later.`,
          },
        );
      }
      throw error;
    }
  }

  /** A repeat that arrived while the first copy is being processed waits for its answer. */
  private async awaitFirstAnswer(
    tenantId: string,
    insurerId: string,
    webhookId: string,
  ): Promise<WebhookResponse> {
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const seen = await this.repo.getDedupe(tenantId, insurerId, webhookId);
      if (seen?.state === 'DONE' && seen.response) return asResponse(seen.response);
    }
    return problem(409, 'delivery-in-progress', 'This delivery is still being processed', 'CONFLICT', {
      detail: 'Retry later: the first copy of this webhook-id has not finished.',
    });
  }

  /** Parses the envelope, then maps, validates and applies each event on its own. */
  private async process(
    tenantId: string,
    insurerId: string,
    webhookId: string,
    body: string,
  ): Promise<Processed> {
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
      const prepared = this.prepare(ctx, raw, index);
      if ('status' in prepared) outcomes.push(prepared);
      else valid.push(prepared);
    });
    // Events of one policy apply in the order sent (issue before cancel), and so do new policies of
    // one holder (one client is created, not raced for); everything else side by side.
    const groups = groupEvents(valid);
    const deadline = Date.now() + this.timeBudgetMs;
    let unstarted = 0;
    const applied = await inParallel(
      groups.map((group) => async () => {
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
    );
    if (unstarted > 0) throw new OutOfTimeError(unstarted);
    outcomes.push(...applied.flat());
    outcomes.sort((a, b) => a.index - b.index);
    return {
      kind: 'report',
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
    const org = memoizedReads(this.orgRepo);
    const clients = new ClientsService(this.clientsRepo, org, this.clock, this.policiesRepo);
    const policies = new PoliciesService(this.policiesRepo, clients, this.clientsRepo, org, this.clock);
    return {
      policies,
      clients,
      tenantId,
      insurerId,
      webhookId,
      principal: systemPrincipal(tenantId, `insurer:${insurerId}`),
      mapping,
      productLines: once(() => this.orgRepo.listAllOrgEntities<ProductLine>(tenantId, OrgKind.ProductLine)),
      usersByEmail: once(async () => {
        const users = await this.orgRepo.listAllOrgEntities<User>(tenantId, OrgKind.User);
        return new Map(users.map((u) => [u.email.toLowerCase(), u]));
      }),
    };
  }

  /** Envelope and mapping: a valid event in our model, or its rejection with field paths. */
  private prepare(ctx: DeliveryContext, raw: unknown, index: number): Prepared | EventOutcome {
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

  /** Applies one valid event once per insurer event id; a domain refusal rejects it and frees the id. */
  private async applyEvent(ctx: DeliveryContext, prepared: Prepared): Promise<EventOutcome> {
    const { index, event, data } = prepared;
    const { tenantId, insurerId } = ctx;
    const now = this.clock.now();
    const record: EventRecord = {
      eventId: event.id,
      type: event.type,
      state: 'PROCESSING',
      leaseUntil: new Date(now.getTime() + LEASE_SECONDS * 1000).toISOString(),
      policyId: null,
      note: null,
      webhookId: ctx.webhookId,
    };
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
        return duplicate(index, event, existing);
      }
      if (isDomainError(error))
        return rejected(index, event.id, event.type, this.errorsOf(ctx, event.type, error));
      throw error;
    }
    try {
      const done = await this.applyPolicyEvent(ctx, event, data);
      await this.repo.completeEvent(tenantId, insurerId, { ...record, state: 'DONE', ...done });
      return { index, eventId: event.id, type: event.type, status: 'accepted', ...done };
    } catch (error) {
      await this.repo.releaseEvent(tenantId, insurerId, event.id);
      if (isDomainError(error))
        return rejected(index, event.id, event.type, this.errorsOf(ctx, event.type, error));
      throw error;
    }
  }

  private errorsOf(ctx: DeliveryContext, type: EventType, error: DomainError): EventFieldError[] {
    if (error instanceof ValidationFailedError) {
      return error.fieldErrors.map((f) =>
        withSource(ctx, type, { path: f.path.replace(/^input(?=\.|$)/, 'data'), message: f.message }),
      );
    }
    return [{ path: 'data', message: `${error.code}: ${error.message}` }];
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
      const policy = await this.currentPolicy(ctx, d.policyNumber);
      const note =
        'stored against the policy as an insurer premium payment; settling our invoices from it is the invoices module’s job, not done here';
      await this.repo.recordEventWithItem(
        tenantId,
        insurerId,
        { ...record, state: 'DONE', policyId: policy.id, note },
        keys.insurerPremiumPayment(tenantId, policy.id, d.paidDate, event.id),
        EntityType.InsurerPremiumPayment,
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
    await this.repo.recordEventWithItem(
      tenantId,
      insurerId,
      { ...record, state: 'DONE', note },
      keys.insurerCommissionStatement(tenantId, insurerId, d.period, event.id),
      EntityType.InsurerCommissionStatement,
      { period: d.period, currency: d.currency, lines, total, receivedAt: this.clock.now().toISOString() },
    );
    return { policyId: null, note };
  }

  /** The policy an event names by number, read fresh from its home item. */
  private async currentPolicy(ctx: DeliveryContext, policyNumber: string): Promise<Policy> {
    const found = await ctx.policies.findByNumber(ctx.tenantId, ctx.insurerId, policyNumber);
    if (!found) {
      throw new ValidationFailedError('Unknown policy', [
        { path: 'data.policyNumber', message: 'names no policy of this insurer' },
      ]);
    }
    return (await this.policiesRepo.getPolicyOfClient(ctx.tenantId, found.clientId, found.id)) ?? found;
  }

  /**
   * Applies a policy event through the policies service (so commissions follow by the stream). Each
   * is idempotent on its own too: a policy already in the event's end state is left as it is.
   */
  private async applyPolicyEvent(
    ctx: DeliveryContext,
    event: RawEvent,
    data: Record<string, unknown>,
  ): Promise<{ policyId: string; note: string }> {
    // A conflict (the policy or its client changed between read and write, e.g. by another event of
    // the batch for the same client) is retried on fresh reads; the writes are idempotent.
    for (let attempt = 1; ; attempt++) {
      try {
        return event.type === 'policy.issued'
          ? await this.issue(ctx, data as z.output<typeof PolicyIssuedSchema>)
          : await this.changePolicy(ctx, event, data);
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= CONFLICT_ATTEMPTS) throw error;
      }
    }
  }

  private async changePolicy(
    ctx: DeliveryContext,
    event: RawEvent,
    data: Record<string, unknown>,
  ): Promise<{ policyId: string; note: string }> {
    const p = ctx.principal;
    const current = await this.currentPolicy(ctx, String(data.policyNumber));
    const base = { id: current.id, expectedVersion: current.version };
    switch (event.type) {
      case 'policy.renewed': {
        const d = data as z.output<typeof PolicyRenewedSchema>;
        if (current.status === 'RENEWED' && current.renewedByPolicyId)
          return { policyId: current.renewedByPolicyId, note: 'already renewed' };
        const renewal = await ctx.policies.renewPolicy(p, {
          ...base,
          policyNumber: d.newPolicyNumber ?? null,
          premium: d.premium,
          writtenDate: d.writtenDate,
          termStart: d.termStart,
          termEnd: d.termEnd,
        });
        return { policyId: renewal.id, note: `renewed as ${renewal.policyNumber}` };
      }
      case 'policy.endorsed': {
        const d = data as z.output<typeof PolicyEndorsedSchema>;
        const tag = `[insurer event ${event.id}]`;
        if (current.endorsements.some((e) => e.reason.endsWith(tag)))
          return { policyId: current.id, note: 'already endorsed' };
        await ctx.policies.endorsePolicy(p, {
          ...base,
          newPremium: d.newPremium,
          effectiveDate: d.effectiveDate,
          reason: `${d.reason} ${tag}`,
        });
        return { policyId: current.id, note: 'endorsed' };
      }
      case 'policy.cancelled':
      case 'policy.reactivated': {
        const d = data as z.output<typeof PolicyStatusEventSchema>;
        const cancel = event.type === 'policy.cancelled';
        const target = cancel ? 'CANCELLED' : 'REACTIVATED';
        if (current.status === target)
          return { policyId: current.id, note: `already ${target.toLowerCase()}` };
        const input = { ...base, date: d.date, reason: d.reason };
        await (cancel ? ctx.policies.cancelPolicy(p, input) : ctx.policies.reactivatePolicy(p, input));
        return { policyId: current.id, note: target.toLowerCase() };
      }
      default:
        throw new Error(`No policy handler for ${event.type}`);
    }
  }

  /** New business from the insurer: the holder matched or created as a potential client, then the policy. */
  private async issue(
    ctx: DeliveryContext,
    d: z.output<typeof PolicyIssuedSchema>,
  ): Promise<{ policyId: string; note: string }> {
    const code = d.productLineCode.toUpperCase();
    const productLine = (await ctx.productLines()).find((l) => l.code.toUpperCase() === code && l.active);
    if (!productLine) {
      throw new ValidationFailedError('Unknown product line', [
        { path: 'data.productLineCode', message: 'names no active product line of this brokerage' },
      ]);
    }
    let sellerId: string | undefined;
    if (d.sellerEmail) {
      sellerId = (await ctx.usersByEmail()).get(d.sellerEmail)?.id;
      if (!sellerId) {
        throw new ValidationFailedError('Unknown seller', [
          { path: 'data.sellerEmail', message: 'is not the e-mail of a user of this brokerage' },
        ]);
      }
    }
    const holder = await this.matchOrCreateHolder(ctx, d.holder, sellerId);
    const policy = await ctx.policies.writePolicy(
      ctx.principal,
      {
        clientId: holder.clientId,
        insurerId: ctx.insurerId,
        productLineId: productLine.id,
        policyNumber: d.policyNumber,
        insuredObjects: d.insuredObjects,
        premium: d.premium,
        frequency: d.frequency,
        writtenDate: d.writtenDate,
        termStart: d.termStart,
        termEnd: d.termEnd,
        status: d.status,
        sellerId,
        externalId: d.externalId,
      },
      { source: 'WEBHOOK', idempotent: true },
    );
    return {
      policyId: policy.id,
      note: holder.created ? 'policy written for a new potential client' : 'policy written',
    };
  }

  /**
   * The client an event's holder is: first by national id, then tax id, then e-mail (each unique in
   * the tenant); none → a new potential client owned by the seller or the mapping's default advisor.
   */
  private async matchOrCreateHolder(
    ctx: DeliveryContext,
    holder: Holder,
    sellerId: string | undefined,
  ): Promise<{ clientId: string; created: boolean }> {
    const match = async () => {
      const lookups: Array<[string, string | null | undefined]> = [
        ['NATIONAL_ID', holder.nationalId],
        ['TAX_ID', holder.taxId],
        ['CLIENT_EMAIL', holder.email],
      ];
      for (const [field, value] of lookups) {
        if (!value) continue;
        const owner = await this.clientsRepo.ownerOfUnique(ctx.tenantId, field, value);
        if (owner) return owner;
      }
      return undefined;
    };
    const found = await match();
    if (found) return { clientId: found, created: false };
    const ownerAdvisorId = sellerId ?? ctx.mapping.defaultAdvisorId;
    if (!ownerAdvisorId) {
      throw new ValidationFailedError('No owner for a new client', [
        {
          path: 'data.holder',
          message:
            'matches no client, and neither a sellerEmail nor the mapping’s defaultAdvisorId names an owner',
        },
      ]);
    }
    try {
      const client = await ctx.clients.createClient(
        ctx.principal,
        {
          kind: holder.kind,
          firstName: holder.firstName,
          lastName: holder.lastName,
          companyName: holder.companyName,
          nationalId: holder.nationalId,
          taxId: holder.taxId,
          email: holder.email,
          phone: holder.phone,
          segment: holder.kind === 'COMPANY' ? 'BUSINESS' : 'INDIVIDUAL',
          acquisitionType: 'ADVISOR',
          ownerAdvisorId,
          status: 'POTENTIAL',
        },
        { source: 'insurer webhook' },
      );
      return { clientId: client.id, created: true };
    } catch (error) {
      // Another event of this delivery created the same holder a moment ago.
      if (error instanceof AlreadyExistsError) {
        const raced = await match();
        if (raced) return { clientId: raced, created: false };
      }
      if (error instanceof ValidationFailedError) {
        throw new ValidationFailedError(
          error.message,
          error.fieldErrors.map((f) => ({
            path: f.path === 'input.ownerAdvisorId' ? 'data.holder' : f.path.replace(/^input/, 'data.holder'),
            message: f.path === 'input.ownerAdvisorId' ? `owner ${f.message}` : f.message,
          })),
        );
      }
      throw error;
    }
  }

  // ---- admin: mapping, deliveries, replay ----------------------------------------------------

  private async requireInsurer(p: Principal, insurerId: string): Promise<Insurer> {
    const insurer = await this.orgRepo.getOrgEntity<Insurer>(p.tenantId, OrgKind.Insurer, insurerId);
    if (!insurer) throw new NotFoundError('Insurer', insurerId);
    return insurer;
  }

  /** The insurer's mapping; an insurer without one gets the empty mapping (version 0: payloads in our layout). */
  async getMapping(principal: Principal | null, insurerId: string): Promise<WebhookMapping> {
    const p = authorize(principal, 'webhooks:manage');
    await this.requireInsurer(p, insurerId);
    return (await this.repo.getMapping(p.tenantId, insurerId)) ?? emptyMapping(insurerId);
  }

  /** Replaces an insurer's mapping at the version read (0 for the first); a stale version is CONFLICT. */
  async setMapping(principal: Principal | null, input: unknown): Promise<WebhookMapping> {
    const p = authorize(principal, 'webhooks:manage');
    const data = parseInput(SetWebhookMappingSchema, input);
    await this.requireInsurer(p, data.insurerId);
    if (data.defaultAdvisorId) {
      const user = await this.orgRepo.getOrgEntity<User>(p.tenantId, OrgKind.User, data.defaultAdvisorId);
      if (!user?.active || !['advisor', 'manager'].includes(user.role)) {
        throw new ValidationFailedError('Unknown advisor', [
          {
            path: 'input.defaultAdvisorId',
            message: 'is not an active advisor or manager of this brokerage',
          },
        ]);
      }
    }
    const mapping: WebhookMapping = {
      insurerId: data.insurerId,
      rules: data.rules.map((r) => ({ ...r, eventType: r.eventType ?? null })),
      defaultAdvisorId: data.defaultAdvisorId ?? null,
      version: data.expectedVersion + 1,
      updatedAt: this.clock.now().toISOString(),
      updatedBy: p.userId,
    };
    await this.repo.saveMapping(p.tenantId, mapping, data.expectedVersion);
    return mapping;
  }

  /** Archived deliveries of an insurer, newest first (one Query on the by-insurer-and-date index). */
  async listDeliveries(
    principal: Principal | null,
    insurerId: string,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<WebhookDelivery>> {
    const p = authorize(principal, 'webhooks:manage');
    await this.requireInsurer(p, insurerId);
    return this.repo.listDeliveries(p.tenantId, insurerId, page);
  }

  /**
   * Processes an archived delivery again from its stored body, e.g. after fixing the mapping. Events
   * applied before are duplicates (nothing is written twice); ones rejected before are tried again.
   */
  async reprocessDelivery(
    principal: Principal | null,
    insurerId: string,
    webhookId: string,
  ): Promise<DeliveryReport> {
    const p = authorize(principal, 'webhooks:manage');
    await this.requireInsurer(p, insurerId);
    if (!SAFE_ID.test(webhookId)) throw new NotFoundError('WebhookDelivery', webhookId);
    const delivery = await this.repo.getDelivery(p.tenantId, insurerId, webhookId);
    if (!delivery || !this.archive) throw new NotFoundError('WebhookDelivery', webhookId);
    const stored = await this.archive.store.get(this.archive.bucket, delivery.archiveKey);
    if (!stored) throw new NotFoundError('WebhookArchive', delivery.archiveKey);
    let processed: Processed;
    try {
      processed = await this.process(p.tenantId, insurerId, webhookId, Buffer.from(stored).toString('utf8'));
    } catch (error) {
      if (error instanceof OutOfTimeError) {
        throw new RuleViolationError(`${error.message}; run the replay again to finish`, {
          unstarted: error.unstarted,
        });
      }
      if (error instanceof EventBusyError) {
        throw new RuleViolationError(`${error.message}; retry the replay in a minute`, {
          eventId: error.eventId,
        });
      }
      throw error;
    }
    if (processed.kind === 'invalid')
      throw new ValidationFailedError('The archived body is not a valid delivery', processed.errors);
    await this.repo.saveDelivery(p.tenantId, {
      ...delivery,
      ...countsOf(processed),
      reprocessedAt: this.clock.now().toISOString(),
    });
    return processed.report;
  }
}

/** The keys that tie events together: the policy number, and for new business the holder's ids. */
function linksOf(prepared: Prepared): string[] {
  const d = prepared.data;
  const links = typeof d.policyNumber === 'string' ? [`policy:${normalisePolicyNumber(d.policyNumber)}`] : [];
  if (prepared.event.type === 'policy.issued') {
    const h = d.holder as Holder;
    for (const [kind, value] of [
      ['nid', h.nationalId],
      ['tax', h.taxId],
      ['mail', h.email],
    ] as const) {
      if (value) links.push(`holder:${kind}:${value}`);
    }
  }
  return links;
}

/** Splits events into groups that share a link (union-find), each group in the order sent. */
export function groupEvents(events: Prepared[]): Prepared[][] {
  const parent = events.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      const up = parent[i] as number;
      parent[i] = parent[up] as number;
      i = up;
    }
    return i;
  };
  const owner = new Map<string, number>();
  events.forEach((event, i) => {
    for (const link of linksOf(event)) {
      const other = owner.get(link);
      if (other === undefined) owner.set(link, i);
      else parent[root(i)] = root(other);
    }
  });
  const groups = new Map<number, Prepared[]>();
  events.forEach((event, i) => {
    const r = root(i);
    groups.set(r, [...(groups.get(r) ?? []), event]);
  });
  return [...groups.values()];
}

/** The time budget ran out before every event was started: the delivery is retried to finish. */
class OutOfTimeError extends Error {
  constructor(readonly unstarted: number) {
    super(`${unstarted} events were not started within the time budget`);
  }
}

/** An event is claimed by an attempt that has not finished: the delivery must be retried, not answered. */
class EventBusyError extends Error {
  constructor(readonly eventId: string) {
    super(`Event ${eventId} is being applied by another attempt`);
  }
}

function emptyMapping(insurerId: string): WebhookMapping {
  return { insurerId, rules: [], defaultAdvisorId: null, version: 0, updatedAt: '', updatedBy: '' };
}

function withSource(ctx: DeliveryContext, type: EventType, error: EventFieldError): EventFieldError {
  const source = error.path.startsWith('data.')
    ? sourceOf(ctx.mapping.rules, type, error.path.slice(5))
    : undefined;
  return source ? { ...error, source: `data.${source}` } : error;
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

function countsOf(processed: Processed): Pick<WebhookDelivery, 'accepted' | 'duplicates' | 'rejected'> {
  return processed.kind === 'report'
    ? {
        accepted: processed.report.accepted,
        duplicates: processed.report.duplicates,
        rejected: processed.report.rejected,
      }
    : { accepted: 0, duplicates: 0, rejected: 0 };
}

function responseOf(processed: Processed): WebhookResponse {
  if (processed.kind === 'invalid') {
    return problem(400, 'invalid-delivery', 'The delivery is not a valid event or batch', 'BAD_USER_INPUT', {
      fieldErrors: processed.errors,
    });
  }
  return { statusCode: 200, contentType: 'application/json', body: JSON.stringify(processed.report) };
}

function asResponse(stored: StoredResponse): WebhookResponse {
  return {
    statusCode: stored.statusCode,
    contentType: stored.statusCode >= 400 ? 'application/problem+json' : 'application/json',
    body: stored.body,
  };
}
