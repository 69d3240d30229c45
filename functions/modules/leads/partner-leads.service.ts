import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import {
  ForbiddenError,
  RateLimitedError,
  RuleViolationError,
  ValidationFailedError,
} from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { parseInput } from '../../shared/validation.js';
import type { FiledLead, IncomingLead, LeadFiling } from './lead-filing.js';
import {
  type PartnerLeadReceipt,
  type PartnerLeadSubmission,
  SubmitPartnerLeadSchema,
} from './leads.model.js';
import { type LeadsRepository, LeadWindowFullError, PartnerLeadRepeatedError } from './leads.repository.js';
import type { LeadOrg } from './ports.js';

/** A partner's receipt as the API answers it: `duplicate` when it repeats an earlier submission's. */
export type PartnerLeadAnswer = PartnerLeadReceipt & { duplicate: boolean };

/**
 * Leads partners submit through their portal (`submitPartnerLead`). They take the same path as a
 * public form's lead ({@link LeadFiling}): through the tenant's form that takes partner leads, whose
 * branch advisors get the first-contact task in turn. A new client is the partner's referral
 * (`referringPartnerId`, acquisition PARTNER_REFERRAL); an existing one stays whose it was: a
 * client this partner referred answers as its referral, any other is NOT_ATTRIBUTED with no id and
 * nothing else about it, so the partner can neither take another's referral nor learn who the
 * brokerage's clients are. Consents go on the client with the source `partner:<partnerId>`.
 */
export class PartnerLeadsService {
  constructor(
    private readonly repo: LeadsRepository,
    private readonly filing: LeadFiling,
    private readonly org: LeadOrg,
    private readonly clock: Clock,
  ) {}

  async submit(principal: Principal | null, input: unknown): Promise<PartnerLeadAnswer> {
    const p = authorize(principal, 'leads:submit');
    const partnerId = p.partnerId;
    if (!partnerId) throw new ForbiddenError('Your token names no partner');
    const lead = parseInput(SubmitPartnerLeadSchema, input);
    const reference = lead.externalReference ?? null;
    if (reference) {
      const earlier = await this.repo.findPartnerLeadReceipt(p.tenantId, partnerId, reference);
      if (earlier) return { ...earlier, duplicate: true };
    }
    const partner = await this.org.partner(p.tenantId, partnerId);
    if (!partner?.active)
      throw new ForbiddenError('Your partnership is not active: no leads are taken from it');
    await this.checkProducts(p.tenantId, lead.productInterest);
    const form = await this.repo.findPartnerLeadForm(p.tenantId);
    if (!form) throw new RuleViolationError('The brokerage takes no partner leads: no lead form takes them');
    const advisors = await this.org.branchAdvisorIds(p.tenantId, form.branchId);
    if (advisors.length === 0) throw new RuleViolationError('No advisor takes partner leads now');

    const source = `partner:${partnerId}`;
    const now = this.clock.now();
    const receiptOf = (filed: FiledLead): PartnerLeadReceipt => {
      const referred = !filed.matched || filed.matchedReferrer === partnerId;
      return {
        id: newId(),
        partnerId,
        externalReference: reference,
        referredClientId: referred ? filed.clientId : null,
        status: referred ? 'REFERRED' : 'NOT_ATTRIBUTED',
        submittedAt: now.toISOString(),
        submittedBy: p.userId,
      };
    };
    let receipt: PartnerLeadReceipt | undefined;
    try {
      await this.filing.fileInTurn(
        form,
        advisors,
        this.incoming(lead, partnerId, partner.name, p.userId, source),
        (current) => this.repo.acceptPartnerLeadOps(current, partnerId, now),
        (filed) => {
          receipt = receiptOf(filed);
          return reference
            ? [this.repo.partnerLeadReceiptOp(p.tenantId, { ...receipt, externalReference: reference })]
            : [];
        },
      );
    } catch (error) {
      if (error instanceof LeadWindowFullError)
        throw new RateLimitedError(error.retryAfterSeconds, 'leads from your partner this hour');
      if (error instanceof PartnerLeadRepeatedError && reference) {
        const earlier = await this.repo.findPartnerLeadReceipt(p.tenantId, partnerId, reference);
        if (earlier) return { ...earlier, duplicate: true };
      }
      throw error;
    }
    if (!receipt) throw new Error('A filed lead has no receipt');
    return { ...receipt, duplicate: false };
  }

  /** Product interest names active product lines of the brokerage (BAD_USER_INPUT with the path otherwise). */
  private async checkProducts(tenantId: string, codes: string[]): Promise<void> {
    if (codes.length === 0) return;
    const known = new Set(await this.org.productLineCodes(tenantId));
    const errors = codes
      .map((code, i) => ({ code, i }))
      .filter(({ code }) => !known.has(code))
      .map(({ i }) => ({
        path: `input.productInterest.${i}`,
        message: 'is not a product line of the brokerage',
      }));
    if (errors.length > 0) throw new ValidationFailedError('Unknown product lines', errors);
  }

  private incoming(
    lead: PartnerLeadSubmission,
    partnerId: string,
    partnerName: string,
    actor: string,
    source: string,
  ): IncomingLead {
    const note = [
      lead.productInterest.length > 0
        ? `Interested in: ${[...new Set(lead.productInterest)].join(', ')}`
        : null,
      lead.phone ? `Phone: ${lead.phone}` : null,
      lead.note ?? null,
    ].filter((line): line is string => line !== null);
    return {
      kind: lead.kind,
      firstName: lead.kind === 'PERSON' ? (lead.firstName ?? null) : null,
      lastName: lead.kind === 'PERSON' ? (lead.lastName ?? null) : null,
      companyName: lead.kind === 'COMPANY' ? (lead.companyName ?? null) : null,
      email: lead.email ?? null,
      phone: lead.phone ?? null,
      nationalId: null,
      taxId: null,
      consents: lead.consents.map((c) => ({
        channel: c.channel,
        how: `${source}, given ${c.givenAt}: ${c.text}`.slice(0, 200),
      })),
      referringPartnerId: partnerId,
      source,
      actor,
      via: `partner ${partnerName}`,
      note: note.length > 0 ? note.join('\n') : null,
    };
  }
}
