import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { addDays, daysBetween } from '../../shared/dates.js';
import { NotFoundError, RuleViolationError, ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { Dec, money } from '../../shared/money.js';
import { parseInput } from '../../shared/validation.js';
import { applyCharge, splitInstalments } from './instalments.js';
import {
  CancelPolicySchema,
  type Endorsement,
  EndorsePolicySchema,
  IN_FORCE,
  LapsePolicySchema,
  normalisePolicyNumber,
  POLICY_TRANSITIONS,
  type Policy,
  type PolicyStatus,
  ReactivatePolicySchema,
  RenewPolicySchema,
} from './policies.model.js';
import { POLICY_NUMBER_FIELD, type PoliciesRepository, policyNumberClaim } from './policies.repository.js';
import type { PolicyBook } from './policy-book.js';
import type { ClientDirectory, PolicyTimelineKind } from './ports.js';
import type { SellerHierarchy } from './seller-hierarchy.js';

/**
 * A policy through its term: endorsements, renewal into a new term, cancellation, lapse,
 * reactivation and accepting an offer. Each change is one transaction with its timeline entry.
 */
export class PolicyLifecycleService {
  constructor(
    private readonly repo: PoliciesRepository,
    private readonly book: PolicyBook,
    private readonly hierarchy: SellerHierarchy,
    private readonly clients: ClientDirectory,
  ) {}

  /**
   * Changes the annual premium from a date. The change is charged pro rata by days for the rest of
   * the term and spread over the instalments not yet due; the endorsement stays on the policy.
   */
  async endorsePolicy(principal: Principal | null, input: unknown): Promise<Policy> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(EndorsePolicySchema, input);
    const current = await this.book.requirePolicy(p, data.id);
    if (!IN_FORCE.includes(current.status))
      throw new RuleViolationError(`A ${current.status} policy cannot be endorsed`, {
        status: current.status,
      });
    if (data.newPremium.currency.toUpperCase() !== current.premium.currency) {
      throw new ValidationFailedError('Currency differs', [
        { path: 'input.newPremium.currency', message: `must be ${current.premium.currency}` },
      ]);
    }
    if (data.effectiveDate < current.termStart || data.effectiveDate > current.termEnd) {
      throw new ValidationFailedError('Outside the term', [
        {
          path: 'input.effectiveDate',
          message: `must be within the term ${current.termStart}–${current.termEnd}`,
        },
      ]);
    }
    const currency = current.premium.currency;
    const newPremium = money(data.newPremium.amount, currency);
    const delta = money(new Dec(newPremium.amount).minus(current.premium.amount), currency);
    // The term end is the last day covered, so the days run up to the day after it.
    const coverEnds = addDays(current.termEnd, 1);
    const share = new Dec(daysBetween(data.effectiveDate, coverEnds)).div(
      daysBetween(current.termStart, coverEnds),
    );
    const charged = money(new Dec(delta.amount).times(share), currency);
    const endorsement: Endorsement = {
      id: newId(),
      policyId: current.id,
      effectiveDate: data.effectiveDate,
      previousPremium: current.premium,
      newPremium,
      delta,
      chargedPremium: charged,
      reason: data.reason,
      by: p.userId,
      at: this.book.now(),
    };
    const updated: Policy = {
      ...current,
      premium: newPremium,
      instalments: applyCharge(current.instalments, charged, data.effectiveDate),
      endorsements: [...current.endorsements, endorsement],
      updatedAt: this.book.now(),
      version: data.expectedVersion + 1,
    };
    await this.repo.transact([
      this.repo.replaceOp(p.tenantId, updated, data.expectedVersion),
      this.book.timelineOp(
        p,
        current,
        'POLICY_ENDORSED',
        `Premium ${current.premium.amount} → ${newPremium.amount} ${currency} from ${data.effectiveDate}`,
        data.reason,
      ),
    ]);
    return updated;
  }

  /**
   * Renews a policy into a new term: a new policy (RENEWAL, renewal year + 1, linked both ways),
   * hierarchy frozen again on the new written date; the old term becomes RENEWED. The number may
   * stay the same: its claim then passes to the new term.
   */
  async renewPolicy(principal: Principal | null, input: unknown): Promise<Policy> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(RenewPolicySchema, input);
    const current = await this.book.requirePolicy(p, data.id);
    this.assertTransition(current.status, 'RENEWED');
    // Terms are inclusive: a renewal starting on or before its predecessor's last day would insure
    // (and pay commission on) the same days twice.
    if (data.termStart <= current.termEnd) {
      throw new ValidationFailedError('Renewal overlaps the renewed term', [
        {
          path: 'input.termStart',
          message: `must be after ${current.termEnd}, the last day of the renewed term`,
        },
      ]);
    }
    const client = await this.clients.requireClient(p, current.clientId);
    const sellerId = data.sellerId ?? client.ownerAdvisorId ?? current.sellerId;
    const frozen = await this.hierarchy.freeze(p.tenantId, sellerId, data.writtenDate, 'input.sellerId');
    if (data.sellerId) this.book.assertSellerInReach(p, sellerId, frozen.branch);
    const now = this.book.now();
    const premium = money(data.premium.amount, data.premium.currency);
    const number = data.policyNumber ? normalisePolicyNumber(data.policyNumber) : current.policyNumber;
    const renewal: Policy = {
      ...current,
      id: newId(),
      holderName: client.name,
      policyNumber: number,
      premium,
      instalments: splitInstalments(premium, current.frequency, data.termStart),
      writtenDate: data.writtenDate,
      termStart: data.termStart,
      termEnd: data.termEnd,
      status: 'ACTIVE',
      cancellation: null,
      businessType: 'RENEWAL',
      previousPolicyId: current.id,
      renewedByPolicyId: null,
      renewalYear: current.renewalYear + 1,
      sellerId,
      originatorId: current.originatorId,
      // The deal's split arrangement carries over to its renewals.
      splits: current.splits ?? null,
      servicingAdvisorId: client.ownerAdvisorId,
      branchId: frozen.branch.id,
      branchKind: frozen.branch.kind,
      regionId: frozen.branch.regionId,
      hierarchy: frozen.hierarchy,
      externalId: null,
      source: 'MANUAL',
      statusHistory: [
        {
          from: null,
          to: 'ACTIVE',
          date: data.writtenDate,
          reason: `Renewal of ${current.policyNumber}`,
          by: p.userId,
          at: now,
        },
      ],
      endorsements: [],
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const renewed: Policy = {
      ...current,
      status: 'RENEWED',
      renewedByPolicyId: renewal.id,
      statusHistory: [
        ...current.statusHistory,
        this.change(p, current.status, 'RENEWED', data.termStart, null),
      ],
      updatedAt: now,
      version: data.expectedVersion + 1,
    };
    const numberClaim = policyNumberClaim(current.insurerId, number);
    await this.repo.transact([
      this.repo.replaceOp(p.tenantId, renewed, data.expectedVersion),
      this.repo.insertOp(p.tenantId, renewal),
      number === current.policyNumber
        ? this.repo.reassignClaimOp(p.tenantId, POLICY_NUMBER_FIELD, numberClaim, renewal.id)
        : this.repo.claimOp(p.tenantId, POLICY_NUMBER_FIELD, numberClaim, renewal.id, 'policyNumber'),
      this.book.timelineOp(
        p,
        renewal,
        'POLICY_RENEWED',
        `${current.policyNumber} renewed for ${data.termStart}–${data.termEnd}, year ${renewal.renewalYear}`,
      ),
    ]);
    return renewal;
  }

  async cancelPolicy(principal: Principal | null, input: unknown): Promise<Policy> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(CancelPolicySchema, input);
    const current = await this.book.requirePolicy(p, data.id);
    this.assertWithinTerm(current, data.date);
    return this.moveStatus(
      p,
      current,
      data.expectedVersion,
      'CANCELLED',
      data.date,
      data.reason,
      'POLICY_CANCELLED',
      {
        cancellation: { date: data.date, reason: data.reason },
      },
    );
  }

  async lapsePolicy(principal: Principal | null, input: unknown): Promise<Policy> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(LapsePolicySchema, input);
    const current = await this.book.requirePolicy(p, data.id);
    this.assertWithinTerm(current, data.date);
    return this.moveStatus(
      p,
      current,
      data.expectedVersion,
      'LAPSED',
      data.date,
      data.reason,
      'POLICY_LAPSED',
      {},
    );
  }

  /** Puts a cancelled or lapsed policy back in force; the cancellation stays in the status history. */
  async reactivatePolicy(principal: Principal | null, input: unknown): Promise<Policy> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(ReactivatePolicySchema, input);
    const current = await this.book.requirePolicy(p, data.id);
    this.assertWithinTerm(current, data.date);
    return this.moveStatus(
      p,
      current,
      data.expectedVersion,
      'REACTIVATED',
      data.date,
      data.reason,
      'POLICY_REACTIVATED',
      {
        cancellation: null,
      },
    );
  }

  /** Accepts an offer: the policy goes in force and a potential client becomes active. */
  async activateOffer(principal: Principal | null, input: unknown): Promise<Policy> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(ReactivatePolicySchema, input);
    const current = await this.book.requirePolicy(p, data.id);
    if (current.status !== 'OFFER')
      throw new RuleViolationError(`Only an offer can be accepted; this policy is ${current.status}`);
    return this.moveStatus(
      p,
      current,
      data.expectedVersion,
      'ACTIVE',
      data.date,
      data.reason,
      'POLICY_WRITTEN',
      {},
    );
  }

  private assertTransition(from: PolicyStatus, to: PolicyStatus): void {
    if (!POLICY_TRANSITIONS[from].includes(to)) {
      throw new RuleViolationError(`A policy cannot go from ${from} to ${to}`, {
        from,
        to,
        allowed: POLICY_TRANSITIONS[from],
      });
    }
  }

  private assertWithinTerm(policy: Policy, date: string): void {
    if (date < policy.termStart || date > policy.termEnd) {
      throw new ValidationFailedError('Outside the term', [
        { path: 'input.date', message: `must be within the term ${policy.termStart}–${policy.termEnd}` },
      ]);
    }
  }

  private change(p: Principal, from: PolicyStatus, to: PolicyStatus, date: string, reason: string | null) {
    return { from, to, date, reason, by: p.userId, at: this.book.now() };
  }

  private async moveStatus(
    p: Principal,
    current: Policy,
    expectedVersion: number,
    to: PolicyStatus,
    date: string,
    reason: string,
    kind: PolicyTimelineKind,
    changes: Partial<Policy>,
  ): Promise<Policy> {
    this.assertTransition(current.status, to);
    const updated: Policy = {
      ...current,
      ...changes,
      status: to,
      statusHistory: [...current.statusHistory, this.change(p, current.status, to, date, reason)],
      updatedAt: this.book.now(),
      version: expectedVersion + 1,
    };
    const client = await this.clients.getClient(p.tenantId, current.clientId);
    if (!client) throw new NotFoundError('Client', current.clientId);
    await this.book.withClientActivation(p, client, updated, [
      this.repo.replaceOp(p.tenantId, updated, expectedVersion),
      this.book.timelineOp(
        p,
        current,
        kind,
        `${current.policyNumber}: ${current.status} → ${to} from ${date}`,
        reason,
      ),
    ]);
    return updated;
  }
}
