import { createHash } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';
import { fieldErrorsOf } from '../../shared/validation.js';
import type { IncomingLead, LeadFiling } from './lead-filing.js';
import {
  HONEYPOT_FIELD,
  type LeadForm,
  type LeadRequest,
  type LeadResponse,
  type LeadSubmission,
  LeadSubmissionSchema,
} from './leads.model.js';
import { type LeadsRepository, LeadWindowFullError } from './leads.repository.js';
import type { LeadOrg } from './ports.js';

const PROBLEM_BASE = 'https://broker-crm.dev/problems';

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
    private readonly filing: LeadFiling,
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
   * (the seconds to wait); races are rebuilt and retried by {@link LeadFiling.fileInTurn}.
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
    const how = `lead form "${form.name}"`;
    const incoming: IncomingLead = {
      kind: 'PERSON',
      firstName: lead.firstName,
      lastName: lead.lastName,
      companyName: null,
      email: lead.email ?? null,
      phone: lead.phone ?? null,
      nationalId: lead.nationalId ?? null,
      taxId: lead.taxId ?? null,
      consents: lead.consents
        .filter((c) => form.consentsAsked.includes(c))
        .map((channel) => ({ channel, how })),
      referringPartnerId: null,
      source: how,
      via: form.name,
      note: null,
    };
    try {
      await this.filing.fileInTurn(form, advisors, incoming, (current) =>
        this.repo.acceptLeadOps(current, addressHash, this.clock.now()),
      );
      return true;
    } catch (error) {
      if (error instanceof LeadWindowFullError) return error.retryAfterSeconds;
      throw error;
    }
  }
}
