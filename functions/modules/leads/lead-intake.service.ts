import { createHash } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import type { TransactOp } from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { fieldErrorsOf } from '../../shared/validation.js';
import {
  HONEYPOT_FIELD,
  type LeadForm,
  type LeadRequest,
  type LeadResponse,
  type LeadSubmission,
  LeadSubmissionSchema,
} from './leads.model.js';
import { type LeadsRepository, LeadTurnTakenError, LeadWindowFullError } from './leads.repository.js';
import type { LeadClients, LeadMatchField, LeadOrg, LeadTasks } from './ports.js';

const PROBLEM_BASE = 'https://broker-crm.dev/problems';
/** A first contact is due within a day (the CALL type's SLA). */
const FIRST_CONTACT_HOURS = 24;
/**
 * Concurrent leads race for the form's round-robin turn (and the same person's client): a loser
 * reads again and rebuilds its transaction, at most this many times in all.
 */
const ATTEMPTS = 5;

function problem(
  status: number,
  slug: string,
  title: string,
  code: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): LeadResponse {
  return {
    statusCode: status,
    headers: { ...headers, 'content-type': 'application/problem+json' },
    body: JSON.stringify({ type: `${PROBLEM_BASE}/${slug}`, title, status, code, ...extra }),
  };
}

/** CORS answer headers for an allowed origin (none for requests without an Origin). */
function corsHeaders(origin: string | null): Record<string, string> {
  return origin ? { 'access-control-allow-origin': origin, vary: 'origin' } : {};
}

/**
 * Public lead intake (`POST /leads/{formId}`): checks the origin, the body and the honeypot, counts
 * the lead against the form's and the source address's rate windows, files it as a potential
 * client (or matches an existing one by national id, tax id, then e-mail), records the consents
 * given and creates a first-contact task for the branch advisor whose turn it is, all in one
 * transaction. A refused request stores nothing, and neither does a failed one.
 */
export class LeadIntakeService {
  constructor(
    private readonly repo: LeadsRepository,
    private readonly clients: LeadClients,
    private readonly tasks: LeadTasks,
    private readonly org: LeadOrg,
    private readonly clock: Clock,
  ) {}

  async receive(request: LeadRequest): Promise<LeadResponse> {
    const form = await this.repo.findLeadForm(request.formId);
    if (!form) return problem(404, 'lead-form-not-found', 'There is no such lead form', 'NOT_FOUND');
    const origin = request.origin ? request.origin.toLowerCase() : null;
    if (origin && !form.allowedOrigins.includes(origin)) {
      return problem(403, 'origin-not-allowed', 'This origin may not post to the form', 'ORIGIN_NOT_ALLOWED');
    }
    const cors = corsHeaders(origin);
    if (request.method === 'OPTIONS') {
      return {
        statusCode: 204,
        headers: {
          ...cors,
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': 'content-type',
          'access-control-max-age': '3600',
        },
        body: '',
      };
    }
    const lead = this.parse(request.body);
    if ('refusal' in lead) return { ...lead.refusal, headers: { ...lead.refusal.headers, ...cors } };
    if (lead.submission[HONEYPOT_FIELD]) {
      return problem(400, 'lead-refused', 'The submission was refused', 'LEAD_REFUSED', {}, cors);
    }
    const advisors = await this.org.branchAdvisorIds(form.tenantId, form.branchId);
    if (advisors.length === 0) {
      return problem(503, 'no-advisor', 'The form has no advisor to take leads', 'NO_ADVISOR', {}, cors);
    }
    const accepted = await this.acceptAndFile(form, lead.submission, advisors, request.sourceAddress);
    if (typeof accepted === 'number') {
      return problem(
        429,
        'rate-limited',
        'Too many submissions: retry later',
        'RATE_LIMITED',
        { retryAfterSeconds: accepted },
        { ...cors, 'retry-after': String(accepted) },
      );
    }
    return {
      statusCode: 202,
      headers: { ...cors, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'accepted' }),
    };
  }

  private parse(body: string): { submission: LeadSubmission } | { refusal: LeadResponse } {
    let json: unknown;
    try {
      json = JSON.parse(body || 'null');
    } catch {
      json = undefined;
    }
    const parsed = LeadSubmissionSchema.safeParse(json);
    if (parsed.success) return { submission: parsed.data };
    const fieldErrors =
      json === undefined
        ? [{ path: 'body', message: 'must be a JSON object' }]
        : fieldErrorsOf(parsed.error, 'body');
    return {
      refusal: problem(400, 'invalid-lead', 'The submission is not valid', 'BAD_USER_INPUT', { fieldErrors }),
    };
  }

  /**
   * Accepts and files the lead in one transaction: its count in the rate windows, the form's
   * round-robin turn, the client (matched or new) with the consents given, and the first-contact
   * task for the advisor whose turn it is. Nothing is half-written: a full window refuses it all
   * (the seconds to wait), and a concurrent lead that took the turn, or created the same person's
   * client, or changed the matched client, makes the next attempt read again and rebuild.
   */
  private async acceptAndFile(
    form: LeadForm,
    lead: LeadSubmission,
    advisors: string[],
    sourceAddress: string,
  ): Promise<true | number> {
    const addressHash = createHash('sha256')
      .update(`${form.tenantId}:${sourceAddress}`)
      .digest('hex')
      .slice(0, 32);
    let current = form;
    for (let attempt = 1; ; attempt++) {
      const assigneeId = advisors[current.leadsAccepted % advisors.length] as string;
      const ops = [
        ...this.repo.acceptLeadOps(current, addressHash, this.clock.now()),
        ...(await this.fileOps(current, lead, assigneeId)),
      ];
      try {
        await this.repo.transact(ops);
        return true;
      } catch (error) {
        if (error instanceof LeadWindowFullError) return error.retryAfterSeconds;
        const retry =
          error instanceof LeadTurnTakenError ||
          error instanceof AlreadyExistsError ||
          error instanceof VersionConflictError;
        if (!retry || attempt >= ATTEMPTS) throw error;
        if (error instanceof LeadTurnTakenError) current = (await this.repo.findLeadForm(form.id)) ?? current;
      }
    }
  }

  /** The ops filing a lead: the client (matched or new) with its consents, and the first-contact task. */
  private async fileOps(form: LeadForm, lead: LeadSubmission, assigneeId: string): Promise<TransactOp[]> {
    const consents = lead.consents.filter((c) => form.consentsAsked.includes(c));
    const how = `lead form "${form.name}"`;
    const matched = await this.match(form.tenantId, lead);
    let clientId: string;
    const ops: TransactOp[] = [];
    if (matched) {
      clientId = matched;
      if (consents.length > 0)
        ops.push(...(await this.clients.consentOps(form.tenantId, clientId, consents, how)));
    } else {
      const created = await this.clients.potentialClientOps(form.tenantId, {
        firstName: lead.firstName,
        lastName: lead.lastName,
        email: lead.email ?? null,
        phone: lead.phone ?? null,
        nationalId: lead.nationalId ?? null,
        taxId: lead.taxId ?? null,
        leadSourceId: form.leadSourceId,
        ownerAdvisorId: assigneeId,
        consents,
        how,
      });
      clientId = created.clientId;
      ops.push(...created.ops);
    }
    const due = new Date(this.clock.now().getTime() + FIRST_CONTACT_HOURS * 3_600_000);
    ops.push(
      ...(await this.tasks.firstContactTaskOps(form.tenantId, {
        id: newId(),
        clientId,
        assigneeId,
        title: `First contact: ${lead.firstName} ${lead.lastName} (${form.name})`,
        dueAt: due.toISOString(),
      })),
    );
    return ops;
  }

  /** An existing client by national id, tax id, then e-mail. */
  private async match(tenantId: string, lead: LeadSubmission): Promise<string | undefined> {
    const tries: Array<[LeadMatchField, string | null | undefined]> = [
      ['NATIONAL_ID', lead.nationalId],
      ['TAX_ID', lead.taxId],
      ['CLIENT_EMAIL', lead.email],
    ];
    for (const [field, value] of tries) {
      if (!value) continue;
      const id = await this.clients.clientHolding(tenantId, field, value);
      if (id) return id;
    }
    return undefined;
  }
}
