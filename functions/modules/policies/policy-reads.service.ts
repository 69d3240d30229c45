import { authorize, scopeAlternatives } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import { ForbiddenError } from '../../shared/errors.js';
import { parseInput } from '../../shared/validation.js';
import { normalisePolicyNumber, type Policy, PolicyListFilterSchema } from './policies.model.js';
import {
  POLICY_EXTERNAL_ID_FIELD,
  POLICY_NUMBER_FIELD,
  type PoliciesRepository,
  type PolicyNarrowing,
  policyNumberClaim,
} from './policies.repository.js';
import type { PolicyBook } from './policy-book.js';

type PageRequest = { limit: number; cursor: string | null };

/** Reading policies: one policy within the caller's reach, scoped lists, policies by number or insurer id. */
export class PolicyReadsService {
  constructor(
    private readonly repo: PoliciesRepository,
    private readonly book: PolicyBook,
  ) {}

  /** Whether the principal reaches a policy (its servicing advisor, branch, region). */
  canSee(p: Principal, policy: Policy): boolean {
    return this.book.canSee(p, policy);
  }

  async getPolicy(principal: Principal | null, policyId: string): Promise<Policy | null> {
    const p = authorize(principal, 'book:read');
    const policy = await this.repo.getPolicy(p.tenantId, policyId);
    if (!policy) return null;
    if (!this.canSee(p, policy)) throw new ForbiddenError('This policy is outside your scope');
    return policy;
  }

  /**
   * A list of policies from the access pattern that fits the filter: renewal window (status + term
   * end), advisor, insurer, product line, branch or status. Other filter fields and the caller's
   * scope narrow the page after the key condition.
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
    const narrowing = (equals: Record<string, string | null | undefined>): PolicyNarrowing => ({
      status: f.status,
      newestFirst: f.newestFirst ?? false,
      equals: Object.fromEntries(
        Object.entries(equals).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
      ),
      anyOf: this.scopeAlternatives(p),
    });
    if (f.termEndFrom || f.termEndTo) {
      const range = { status: f.status ?? 'ACTIVE', from: f.termEndFrom, to: f.termEndTo };
      return this.repo.listPoliciesByTermEnd(
        t,
        range,
        page,
        narrowing({
          servicingAdvisorId: f.advisorId,
          insurerId: f.insurerId,
          productLineId: f.productLineId,
          branchId: f.branchId,
        }),
      );
    }
    if (f.advisorId || p.scope === 'own') {
      return this.repo.listPoliciesOfAdvisor(
        t,
        f.advisorId ?? p.userId,
        page,
        narrowing({ insurerId: f.insurerId, productLineId: f.productLineId, branchId: f.branchId }),
      );
    }
    if (f.insurerId) {
      return this.repo.listPoliciesOfInsurer(
        t,
        f.insurerId,
        page,
        narrowing({ productLineId: f.productLineId, branchId: f.branchId }),
      );
    }
    if (f.productLineId) {
      return this.repo.listPoliciesOfProductLine(
        t,
        f.productLineId,
        page,
        narrowing({ branchId: f.branchId }),
      );
    }
    if (f.branchId || (p.scope === 'branch' && p.branchId)) {
      return this.repo.listPoliciesOfBranch(t, f.branchId ?? p.branchId ?? '', page, narrowing({}));
    }
    return this.repo.listPoliciesByStatus(t, f.status ?? 'ACTIVE', page, narrowing({}));
  }

  /**
   * The filter that keeps a list within the caller's scope: any of these attribute = value pairs,
   * the same fields as {@link canSee} (never the seller).
   */
  private scopeAlternatives(p: Principal): Array<[string, string]> | null {
    return scopeAlternatives(p, { owner: 'servicingAdvisorId', branch: 'branchId', region: 'regionId' });
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
   * The ids of the policies holding numbers at an insurer, by the number as given (one BatchGetItem
   * per 100 numbers): a delivery of premium payments needs the ids, not the policies.
   */
  async idsByNumbers(
    tenantId: string,
    insurerId: string,
    policyNumbers: readonly string[],
  ): Promise<Map<string, string>> {
    const claimOf = (n: string) => policyNumberClaim(insurerId, normalisePolicyNumber(n));
    const owners = await this.repo.ownersOfClaims(tenantId, POLICY_NUMBER_FIELD, policyNumbers.map(claimOf));
    return new Map(
      policyNumbers.flatMap((n) => {
        const id = owners.get(claimOf(n));
        return id ? [[n, id] as const] : [];
      }),
    );
  }

  /** The policy holding a number, read consistently from its home item (before a webhook writes on it). */
  async currentByNumber(
    tenantId: string,
    insurerId: string,
    policyNumber: string,
  ): Promise<Policy | undefined> {
    const found = await this.findByNumber(tenantId, insurerId, policyNumber);
    if (!found) return undefined;
    return (await this.repo.getPolicyOfClient(tenantId, found.clientId, found.id)) ?? found;
  }
}
