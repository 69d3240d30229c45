import {
  assertReach,
  authorize,
  canReach,
  policyReach,
  scopeAlternatives,
} from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { addMonths, daysBetween } from '../../shared/dates.js';
import type { Page, TransactOp } from '../../shared/db.js';
import {
  AlreadyExistsError,
  ForbiddenError,
  NotFoundError,
  RuleViolationError,
  ValidationFailedError,
  VersionConflictError,
} from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { Dec, type Money, minorUnits, money } from '../../shared/money.js';
import { keys, OrgKind } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import type { Client, TimelineKind } from '../clients/clients.model.js';
import type { ClientsRepository } from '../clients/clients.repository.js';
import type { ClientsService } from '../clients/clients.service.js';
import type { Branch, Insurer, ProductLine, RateGroupMembership, User, UserMove } from '../org/org.model.js';
import type { OrgRepository } from '../org/org.repository.js';
import {
  CancelPolicySchema,
  type Endorsement,
  EndorsePolicySchema,
  FREQUENCIES,
  type Frequency,
  type HierarchyLevel,
  IN_FORCE,
  type Instalment,
  LapsePolicySchema,
  normalisePolicyNumber,
  OBJECTS_BY_PRODUCT,
  POLICY_TRANSITIONS,
  type Policy,
  PolicyListFilterSchema,
  type PolicyStatus,
  ReactivatePolicySchema,
  RenewPolicySchema,
  WritePolicySchema,
} from './policies.model.js';
import {
  POLICY_EXTERNAL_ID_FIELD,
  POLICY_NUMBER_FIELD,
  type PoliciesRepository,
  type PolicyListQuery,
  policyNumberClaim,
} from './policies.repository.js';

type PageRequest = { limit: number; cursor: string | null };

/** How deep a frozen hierarchy may go; deeper chains are a data error, not a sales organisation. */
const MAX_HIERARCHY_DEPTH = 12;
/** Attempts when the client changed between our read and the write that activates it. */
const CLIENT_RACE_ATTEMPTS = 3;

/** Where a policy came from; the webhook and import pass theirs. */
export interface WriteOptions {
  source?: Policy['source'];
  /**
   * With an external id: when the insurer's id is already on a policy, return that policy instead of
   * failing, so a replayed webhook or a re-imported file creates nothing new.
   */
  idempotent?: boolean;
}

/** Raised internally when the client moved on between read and write; the write is retried. */
class ClientChangedError extends VersionConflictError {}

/** Splits an annual premium into instalments whose sum is exactly the premium (the first takes the remainder). */
export function splitInstalments(total: Money, frequency: Frequency, firstDue: string): Instalment[] {
  const count = FREQUENCIES[frequency];
  return spread(total, count).map((amount, k) => ({
    dueDate: addMonths(firstDue, (k * 12) / count),
    amount,
  }));
}

function spread(total: Money, count: number): Money[] {
  const digits = minorUnits(total.currency);
  const unit = new Dec(10).pow(-digits);
  const minor = new Dec(total.amount).div(unit);
  const share = minor.div(count).trunc();
  const remainder = minor.minus(share.times(count));
  return Array.from({ length: count }, (_, k) =>
    money((k === 0 ? share.plus(remainder) : share).times(unit), total.currency),
  );
}

/**
 * The one write path for policies: writing new business, endorsements, renewals, cancellations,
 * lapses and reactivations. The GraphQL API, the insurer webhook and the import all call it, so a
 * policy is validated, numbered, placed and frozen the same way whatever its source. Each write is
 * one transaction with its unique claims and timeline entry; the table's stream carries it on to
 * commissions.
 */
export class PoliciesService {
  constructor(
    private readonly repo: PoliciesRepository,
    private readonly clients: ClientsService,
    private readonly clientsRepo: ClientsRepository,
    private readonly org: OrgRepository,
    private readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  // ---- reads -------------------------------------------------------------------------------

  /**
   * Whether the principal reaches a policy: by its servicing advisor, branch and region, which follow
   * the client on hand-over ({@link policyReach}). The original seller is not a reach path: after a
   * hand-over he keeps only his commission lines.
   */
  canSee(p: Principal, policy: Policy): boolean {
    return canReach(p, policyReach(policy));
  }

  async getPolicy(principal: Principal | null, policyId: string): Promise<Policy | null> {
    const p = authorize(principal, 'book:read');
    const policy = await this.repo.getPolicy(p.tenantId, policyId);
    if (!policy) return null;
    if (!this.canSee(p, policy)) throw new ForbiddenError('This policy is outside your scope');
    return policy;
  }

  private async requirePolicy(p: Principal, policyId: string): Promise<Policy> {
    const found = await this.repo.getPolicy(p.tenantId, policyId);
    if (!found) throw new NotFoundError('Policy', policyId);
    if (!this.canSee(p, found)) throw new ForbiddenError('This policy is outside your scope');
    // The by-id index is eventually consistent: read the home item before writing on top of it.
    const fresh = await this.repo.getPolicyOfClient(p.tenantId, found.clientId, policyId);
    if (!fresh) throw new NotFoundError('Policy', policyId);
    return fresh;
  }

  /**
   * A list of policies from the index that fits the filter: renewal window (status + term end),
   * advisor, insurer, product line, branch or status. Other filter fields and the caller's scope
   * narrow the page after the key condition.
   */
  async listPolicies(
    principal: Principal | null,
    rawFilter: unknown,
    page: PageRequest,
  ): Promise<Page<Policy>> {
    const p = authorize(principal, 'book:read');
    const f = parseInput(PolicyListFilterSchema, rawFilter ?? {}, 'filter');
    const t = p.tenantId;
    if (p.scope === 'own' && f.advisorId && f.advisorId !== p.userId) {
      throw new ForbiddenError('Advisors list only their own policies');
    }
    if (p.scope === 'branch' && f.branchId && f.branchId !== p.branchId) {
      throw new ForbiddenError('This branch is outside your scope');
    }
    const statusPrefix = f.status ? `${f.status}#` : undefined;
    const equals: Record<string, string> = {};
    const add = (attribute: string, value: string | null | undefined, used: boolean) => {
      if (value && !used) equals[attribute] = value;
    };
    let query: PolicyListQuery;
    if (f.termEndFrom || f.termEndTo) {
      query = {
        index: 'gsi6',
        partition: keys.policiesByStatus(t, f.status ?? 'ACTIVE'),
        between: [f.termEndFrom ?? '0000-00-00', `${f.termEndTo ?? '9999-12-31'}#\uffff`],
      };
      add('servicingAdvisorId', f.advisorId, false);
      add('insurerId', f.insurerId, false);
      add('productLineId', f.productLineId, false);
      add('branchId', f.branchId, false);
    } else if (f.advisorId || p.scope === 'own') {
      query = {
        index: 'gsi1',
        partition: keys.policiesByAdvisor(t, f.advisorId ?? p.userId),
        beginsWith: statusPrefix,
      };
      add('insurerId', f.insurerId, false);
      add('productLineId', f.productLineId, false);
      add('branchId', f.branchId, false);
    } else if (f.insurerId) {
      query = { index: 'gsi2', partition: keys.policiesByInsurer(t, f.insurerId), beginsWith: statusPrefix };
      add('productLineId', f.productLineId, false);
      add('branchId', f.branchId, false);
    } else if (f.productLineId) {
      query = {
        index: 'gsi4',
        partition: keys.policiesByProductLine(t, f.productLineId),
        beginsWith: statusPrefix,
      };
      add('branchId', f.branchId, false);
    } else if (f.branchId || (p.scope === 'branch' && p.branchId)) {
      query = {
        index: 'gsi3',
        partition: keys.policiesByBranch(t, f.branchId ?? p.branchId ?? ''),
        beginsWith: statusPrefix,
      };
    } else {
      query = { index: 'gsi6', partition: keys.policiesByStatus(t, f.status ?? 'ACTIVE') };
    }
    if (!query.beginsWith) delete query.beginsWith;
    query.equals = equals;
    query.newestFirst = f.newestFirst ?? false;
    const reach = this.scopeAlternatives(p);
    if (reach) query.anyOf = reach;
    return this.repo.listPolicies(query, page);
  }

  /**
   * The filter that keeps a list within the caller's scope: any of these attribute = value pairs,
   * the same fields as {@link canSee} (never the seller).
   */
  private scopeAlternatives(p: Principal): Array<[string, string]> | null {
    return scopeAlternatives(p, { owner: 'servicingAdvisorId', branch: 'branchId', region: 'regionId' });
  }

  /**
   * A seller named explicitly is credited with the sale (and his uplines with overrides): he must be
   * within the writer's scope, placed by his branch on the written date. The default seller, the
   * client's owner, is reached through the client already.
   */
  private assertSellerInReach(p: Principal, sellerId: string, branch: Branch): void {
    assertReach(p, { ownerUserId: sellerId, branchId: branch.id, regionId: branch.regionId }, 'The seller');
  }

  // ---- writing new business ----------------------------------------------------------------

  /**
   * Writes a policy for a client: checks the insurer, product line and insured objects, claims the
   * policy number (unique per insurer) and the insurer's external id, freezes the seller's branch
   * and upline chain as they stood on the written date, splits the premium into instalments, and
   * activates a potential or lost client. One transaction; a duplicate number changes nothing.
   */
  async writePolicy(
    principal: Principal | null,
    input: unknown,
    options: WriteOptions = {},
  ): Promise<Policy> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(WritePolicySchema, input);
    if (options.idempotent && data.externalId) {
      const existing = await this.existingByExternalId(p.tenantId, data.insurerId, data.externalId);
      if (existing) return existing;
    }
    // Independent reads side by side: one round trip instead of three before the hierarchy walk.
    const [client, productLine, caller] = await Promise.all([
      this.clients.requireClient(p, data.clientId),
      this.requireReferences(p.tenantId, data.insurerId, data.productLineId),
      this.org.getOrgEntity<User>(p.tenantId, OrgKind.User, p.userId),
    ]);
    this.checkObjects(productLine, data.insuredObjects);
    const sellerId = data.sellerId ?? client.ownerAdvisorId ?? p.userId;
    // The originator is whoever registered the deal: the caller when they are a user of the org,
    // otherwise (an insurer's webhook, an import run by a system principal) the seller.
    const callerIsUser = !!caller;
    const originatorId = data.originatorId ?? (callerIsUser ? p.userId : sellerId);
    const frozen = await this.freeze(p.tenantId, sellerId, data.writtenDate, 'input.sellerId');
    if (data.sellerId) this.assertSellerInReach(p, sellerId, frozen.branch);
    if (originatorId !== sellerId) await this.requireUser(p.tenantId, originatorId, 'input.originatorId');
    for (const [i, share] of (data.splits ?? []).entries()) {
      if (share.userId !== sellerId)
        await this.requireUser(p.tenantId, share.userId, `input.splits.${i}.userId`);
    }
    if (data.referringPartnerId) {
      if (!(await this.org.getOrgEntity(p.tenantId, OrgKind.Partner, data.referringPartnerId))) {
        throw new ValidationFailedError('Unknown partner', [
          { path: 'input.referringPartnerId', message: 'is not a partner of this brokerage' },
        ]);
      }
    }
    const now = this.now();
    const premium = money(data.premium.amount, data.premium.currency);
    const policy: Policy = {
      id: newId(),
      clientId: client.id,
      holderName: client.name,
      insurerId: data.insurerId,
      productLineId: productLine.id,
      productLineCode: productLine.code,
      policyNumber: normalisePolicyNumber(data.policyNumber),
      insuredObjects: data.insuredObjects.map((o) => ({
        kind: o.kind,
        description: o.description ?? null,
        attributes: o.attributes,
      })),
      premium,
      frequency: data.frequency,
      instalments: splitInstalments(premium, data.frequency, data.termStart),
      writtenDate: data.writtenDate,
      termStart: data.termStart,
      termEnd: data.termEnd,
      status: data.status,
      cancellation: null,
      businessType: 'NEW',
      previousPolicyId: null,
      renewedByPolicyId: null,
      renewalYear: 1,
      sellerId,
      originatorId,
      splits: data.splits ?? null,
      servicingAdvisorId: client.ownerAdvisorId,
      referringPartnerId: data.referringPartnerId ?? client.referringPartnerId,
      branchId: frozen.branch.id,
      branchKind: frozen.branch.kind,
      regionId: frozen.branch.regionId,
      hierarchy: frozen.hierarchy,
      externalId: data.externalId ?? null,
      source: options.source ?? 'MANUAL',
      statusHistory: [
        { from: null, to: data.status, date: data.writtenDate, reason: null, by: p.userId, at: now },
      ],
      endorsements: [],
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const claims = [
      this.repo.claimOp(
        p.tenantId,
        POLICY_NUMBER_FIELD,
        policyNumberClaim(policy.insurerId, policy.policyNumber),
        policy.id,
        'policyNumber',
      ),
      ...(policy.externalId
        ? [
            this.repo.claimOp(
              p.tenantId,
              POLICY_EXTERNAL_ID_FIELD,
              policyNumberClaim(policy.insurerId, policy.externalId),
              policy.id,
              'externalId',
            ),
          ]
        : []),
    ];
    try {
      await this.withClientActivation(p, client, policy, [
        this.repo.insertOp(p.tenantId, policy),
        ...claims,
        this.timelineOp(
          p,
          policy,
          'POLICY_WRITTEN',
          `${productLine.name} ${policy.policyNumber} written, ${premium.amount} ${premium.currency} a year`,
        ),
      ]);
    } catch (error) {
      if (options.idempotent && policy.externalId && error instanceof AlreadyExistsError) {
        const existing = await this.existingByExternalId(p.tenantId, policy.insurerId, policy.externalId);
        if (existing) return existing;
      }
      throw error;
    }
    return policy;
  }

  /** The policy already written under an insurer's external id, if any. */
  async existingByExternalId(
    tenantId: string,
    insurerId: string,
    externalId: string,
  ): Promise<Policy | undefined> {
    const owner = await this.repo.ownerOfClaim(
      tenantId,
      POLICY_EXTERNAL_ID_FIELD,
      policyNumberClaim(insurerId, externalId.trim()),
    );
    return owner ? this.repo.getPolicy(tenantId, owner) : undefined;
  }

  /** The policy holding a number at an insurer, if any (webhooks address policies by number). */
  async findByNumber(tenantId: string, insurerId: string, policyNumber: string): Promise<Policy | undefined> {
    const owner = await this.repo.ownerOfClaim(
      tenantId,
      POLICY_NUMBER_FIELD,
      policyNumberClaim(insurerId, normalisePolicyNumber(policyNumber)),
    );
    return owner ? this.repo.getPolicy(tenantId, owner) : undefined;
  }

  /**
   * Runs a write that may also move the client to ACTIVE (a first policy in force makes a potential
   * or lost client a current one). The client op is versioned; if the client changed meanwhile, the
   * client is re-read and the write retried, so a concurrent note never fails a policy.
   */
  private async withClientActivation(
    p: Principal,
    client: Client,
    policy: Policy,
    ops: TransactOp[],
  ): Promise<void> {
    let current = client;
    for (let attempt = 1; ; attempt++) {
      const activation: TransactOp[] = [];
      if (IN_FORCE.includes(policy.status) && current.status !== 'ACTIVE') {
        const op = this.clientsRepo.updateClientOp(p.tenantId, current, current.version, {
          status: 'ACTIVE',
          updatedAt: this.now(),
        });
        activation.push(
          { ...op, onConditionFailed: () => new ClientChangedError('Client', current.id, current.version) },
          this.clientsRepo.timelineOp(
            p.tenantId,
            this.clients.entry(current.id, 'STATUS_CHANGED', p.userId, `${current.status} → ACTIVE`, {
              fromStatus: current.status,
              toStatus: 'ACTIVE',
              reason: `Policy ${policy.policyNumber} in force`,
              policyId: policy.id,
            }),
          ),
        );
      }
      try {
        await this.repo.transact([...ops, ...activation]);
        return;
      } catch (error) {
        if (!(error instanceof ClientChangedError) || attempt >= CLIENT_RACE_ATTEMPTS) throw error;
        const reread = await this.clientsRepo.getClient(p.tenantId, client.id);
        if (!reread) throw new NotFoundError('Client', client.id);
        current = reread;
      }
    }
  }

  private timelineOp(
    p: Principal,
    policy: Policy,
    kind: TimelineKind,
    summary: string,
    reason: string | null = null,
  ): TransactOp {
    return this.clientsRepo.timelineOp(
      p.tenantId,
      this.clients.entry(policy.clientId, kind, p.userId, summary, { policyId: policy.id, reason }),
    );
  }

  private async requireReferences(
    tenantId: string,
    insurerId: string,
    productLineId: string,
  ): Promise<ProductLine> {
    const [insurer, productLine] = await Promise.all([
      this.org.getOrgEntity<Insurer>(tenantId, OrgKind.Insurer, insurerId),
      this.org.getOrgEntity<ProductLine>(tenantId, OrgKind.ProductLine, productLineId),
    ]);
    const errors = [
      ...(insurer?.active
        ? []
        : [{ path: 'input.insurerId', message: 'is not an active insurer of this brokerage' }]),
      ...(productLine?.active
        ? []
        : [{ path: 'input.productLineId', message: 'is not an active product line of this brokerage' }]),
    ];
    if (!productLine || errors.length > 0)
      throw new ValidationFailedError(`Invalid input: ${errors[0]?.path} ${errors[0]?.message}`, errors);
    return productLine;
  }

  private checkObjects(productLine: ProductLine, objects: Array<{ kind: string }>): void {
    const needed = OBJECTS_BY_PRODUCT[productLine.code.toUpperCase()];
    if (!needed) return;
    const errors = objects.flatMap((o, i) =>
      o.kind === needed
        ? []
        : [{ path: `input.insuredObjects.${i}.kind`, message: `must be ${needed} for ${productLine.code}` }],
    );
    if (objects.length === 0)
      errors.push({
        path: 'input.insuredObjects',
        message: `needs at least one ${needed} for ${productLine.code}`,
      });
    if (errors.length > 0)
      throw new ValidationFailedError(`Invalid input: ${errors[0]?.path} ${errors[0]?.message}`, errors);
  }

  private async requireUser(tenantId: string, userId: string, path: string): Promise<User> {
    const user = await this.org.getOrgEntity<User>(tenantId, OrgKind.User, userId);
    if (!user || user.role === 'partner') {
      throw new ValidationFailedError(`Unknown user ${userId}`, [
        { path, message: 'is not a user of this brokerage' },
      ]);
    }
    return user;
  }

  /**
   * The seller's branch and upline chain as they stood on `date`, from the users' move history and
   * rate-group memberships. Frozen on the policy so that later moves never rewrite commissions.
   */
  async freeze(
    tenantId: string,
    sellerId: string,
    date: string,
    path: string,
  ): Promise<{ branch: Branch; hierarchy: HierarchyLevel[] }> {
    const seller = await this.requireUser(tenantId, sellerId, path);
    if (!['advisor', 'manager', 'admin'].includes(seller.role)) {
      throw new ValidationFailedError('The seller must be an advisor or manager', [
        { path, message: 'is not an advisor or manager' },
      ]);
    }
    const hierarchy: HierarchyLevel[] = [];
    let branchId: string | null = null;
    const seen = new Set<string>();
    let user: User | undefined = seller;
    while (user && !seen.has(user.id) && hierarchy.length < MAX_HIERARCHY_DEPTH) {
      seen.add(user.id);
      const [moves, memberships] = await Promise.all([
        this.org.listUserMoves(tenantId, user.id),
        this.org.listRateGroupMemberships(tenantId, user.id),
      ]);
      const placement = placementOn(user, moves, date);
      if (hierarchy.length === 0) branchId = placement.branchId;
      hierarchy.push({
        level: hierarchy.length,
        userId: user.id,
        name: user.name,
        active: user.active,
        rateGroupId: rateGroupOn(memberships, date),
      });
      user = placement.managerId
        ? await this.org.getOrgEntity<User>(tenantId, OrgKind.User, placement.managerId)
        : undefined;
    }
    const branch = branchId
      ? await this.org.getOrgEntity<Branch>(tenantId, OrgKind.Branch, branchId)
      : undefined;
    if (!branch)
      throw new ValidationFailedError('The seller had no branch on the written date', [
        { path, message: 'had no branch on the written date' },
      ]);
    return { branch, hierarchy };
  }

  // ---- changes during the term -------------------------------------------------------------

  /**
   * Changes the annual premium from a date. The change is charged pro rata by days for the rest of
   * the term and spread over the instalments not yet due; the endorsement stays on the policy.
   */
  async endorsePolicy(principal: Principal | null, input: unknown): Promise<Policy> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(EndorsePolicySchema, input);
    const current = await this.requirePolicy(p, data.id);
    if (!IN_FORCE.includes(current.status))
      throw new RuleViolationError(`A ${current.status} policy cannot be endorsed`, {
        status: current.status,
      });
    if (data.newPremium.currency.toUpperCase() !== current.premium.currency) {
      throw new ValidationFailedError('Currency differs', [
        { path: 'input.newPremium.currency', message: `must be ${current.premium.currency}` },
      ]);
    }
    if (data.effectiveDate < current.termStart || data.effectiveDate >= current.termEnd) {
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
    const share = new Dec(daysBetween(data.effectiveDate, current.termEnd)).div(
      daysBetween(current.termStart, current.termEnd),
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
      at: this.now(),
    };
    const updated: Policy = {
      ...current,
      premium: newPremium,
      instalments: applyCharge(current.instalments, charged, data.effectiveDate),
      endorsements: [...current.endorsements, endorsement],
      updatedAt: this.now(),
      version: data.expectedVersion + 1,
    };
    await this.repo.transact([
      this.repo.replaceOp(p.tenantId, updated, data.expectedVersion),
      this.timelineOp(
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
    const current = await this.requirePolicy(p, data.id);
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
    const frozen = await this.freeze(p.tenantId, sellerId, data.writtenDate, 'input.sellerId');
    if (data.sellerId) this.assertSellerInReach(p, sellerId, frozen.branch);
    const now = this.now();
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
      this.timelineOp(
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
    const current = await this.requirePolicy(p, data.id);
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
    const current = await this.requirePolicy(p, data.id);
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
    const current = await this.requirePolicy(p, data.id);
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
    const current = await this.requirePolicy(p, data.id);
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
    return { from, to, date, reason, by: p.userId, at: this.now() };
  }

  private async moveStatus(
    p: Principal,
    current: Policy,
    expectedVersion: number,
    to: PolicyStatus,
    date: string,
    reason: string,
    kind: TimelineKind,
    changes: Partial<Policy>,
  ): Promise<Policy> {
    this.assertTransition(current.status, to);
    const updated: Policy = {
      ...current,
      ...changes,
      status: to,
      statusHistory: [...current.statusHistory, this.change(p, current.status, to, date, reason)],
      updatedAt: this.now(),
      version: expectedVersion + 1,
    };
    const client = await this.clientsRepo.getClient(p.tenantId, current.clientId);
    if (!client) throw new NotFoundError('Client', current.clientId);
    await this.withClientActivation(p, client, updated, [
      this.repo.replaceOp(p.tenantId, updated, expectedVersion),
      this.timelineOp(
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

/** Where a user sat on a date: the latest move effective by then, else where the first later move started. */
export function placementOn(
  user: User,
  movesNewestFirst: UserMove[],
  date: string,
): { branchId: string | null; managerId: string | null } {
  const before = movesNewestFirst.find((m) => m.effectiveDate <= date);
  if (before) return { branchId: before.toBranchId, managerId: before.toManagerId };
  const firstAfter = movesNewestFirst.at(-1);
  if (firstAfter) return { branchId: firstAfter.fromBranchId, managerId: firstAfter.fromManagerId };
  return { branchId: user.branchId, managerId: user.managerId };
}

/** The rate group a user belonged to on a date (memberships start on their `from` date). */
export function rateGroupOn(membershipsNewestFirst: RateGroupMembership[], date: string): string | null {
  return membershipsNewestFirst.find((m) => m.from <= date)?.rateGroupId ?? null;
}

/** Spreads an endorsement's charge over the instalments due from its date, or adds one instalment. */
function applyCharge(instalments: Instalment[], charge: Money, from: string): Instalment[] {
  if (new Dec(charge.amount).isZero()) return instalments;
  const open = instalments.filter((i) => i.dueDate >= from);
  if (open.length === 0) return [...instalments, { dueDate: from, amount: charge }];
  const shares = spread(charge, open.length);
  let k = 0;
  return instalments.map((i) =>
    i.dueDate >= from
      ? { ...i, amount: money(new Dec(i.amount.amount).plus(shares[k++]?.amount ?? '0'), charge.currency) }
      : i,
  );
}
