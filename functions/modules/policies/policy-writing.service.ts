import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { AlreadyExistsError, ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { money } from '../../shared/money.js';
import { OrgKind } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import type { Insurer, Partner, ProductLine, User } from '../org/index.js';
import { splitInstalments } from './instalments.js';
import {
  normalisePolicyNumber,
  OBJECTS_BY_PRODUCT,
  type Policy,
  WritePolicySchema,
} from './policies.model.js';
import {
  POLICY_EXTERNAL_ID_FIELD,
  POLICY_NUMBER_FIELD,
  type PoliciesRepository,
  policyNumberClaim,
} from './policies.repository.js';
import type { PolicyBook } from './policy-book.js';
import type { PolicyReadsService } from './policy-reads.service.js';
import type { ClientDirectory, PolicyClient, PolicyOrgDirectory } from './ports.js';
import type { SellerHierarchy } from './seller-hierarchy.js';

/** Where a policy came from; the webhook and import pass theirs. */
export interface WriteOptions {
  source?: Policy['source'];
  /**
   * With an external id: when the insurer's id is already on a policy, return that policy instead of
   * failing, so a replayed webhook or a re-imported file creates nothing new.
   */
  idempotent?: boolean;
}

/**
 * Writing new business: the one path by which the GraphQL API, the insurer webhook and the import
 * create policies, so a policy is validated, numbered, placed and frozen the same way whatever its
 * source. One transaction with its unique claims and timeline entry.
 */
export class PolicyWritingService {
  constructor(
    private readonly repo: PoliciesRepository,
    private readonly book: PolicyBook,
    private readonly reads: PolicyReadsService,
    private readonly hierarchy: SellerHierarchy,
    private readonly clients: ClientDirectory,
    private readonly org: PolicyOrgDirectory,
  ) {}

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
      const existing = await this.reads.existingByExternalId(p.tenantId, data.insurerId, data.externalId);
      if (existing) return existing;
    }
    // Everything the input names in one BatchGetItem: the client (scope-checked), the insurer and
    // product line, the caller and every user the input names, the referring partner. Then at most
    // the seller (when the client's owner is) and the seller's upline: three reads before the write.
    const t = p.tenantId;
    const named = [p.userId, data.sellerId, data.originatorId, ...(data.splits ?? []).map((s) => s.userId)];
    const userIds = [...new Set(named.filter((id): id is string => !!id))];
    const partnerId = data.referringPartnerId;
    const [clientFound, insurer, productLineFound, ...rest] = await this.repo.readReferences([
      this.clients.clientRead(p, data.clientId),
      this.org.orgRead<Insurer>(t, OrgKind.Insurer, data.insurerId),
      this.org.orgRead<ProductLine>(t, OrgKind.ProductLine, data.productLineId),
      ...userIds.map((id) => this.org.orgRead<User>(t, OrgKind.User, id)),
      ...(partnerId ? [this.org.orgRead<Partner>(t, OrgKind.Partner, partnerId)] : []),
    ]);
    const users = rest.slice(0, userIds.length);
    const partner = partnerId ? rest[userIds.length] : undefined;
    const client = clientFound as PolicyClient;
    const productLine = checkReferences(
      insurer as Insurer | undefined,
      productLineFound as ProductLine | undefined,
    );
    const usersRead = new Map(userIds.map((id, i) => [id, users[i] as User | undefined] as const));
    const user = async (id: string, path: string) =>
      usersRead.has(id)
        ? this.book.assertStaff(usersRead.get(id), id, path)
        : this.book.requireUser(t, id, path);
    const caller = usersRead.get(p.userId);
    this.checkObjects(productLine, data.insuredObjects);
    const sellerId = data.sellerId ?? client.ownerAdvisorId ?? p.userId;
    // The originator is whoever registered the deal: the caller when they are a user of the org,
    // otherwise (an insurer's webhook, an import run by a system principal) the seller.
    const callerIsUser = !!caller;
    const originatorId = data.originatorId ?? (callerIsUser ? p.userId : sellerId);
    const frozen = await this.hierarchy.freeze(
      t,
      sellerId,
      data.writtenDate,
      'input.sellerId',
      usersRead.has(sellerId) ? { seller: usersRead.get(sellerId) } : undefined,
    );
    if (data.sellerId) this.book.assertSellerInReach(p, sellerId, frozen.branch);
    if (originatorId !== sellerId) await user(originatorId, 'input.originatorId');
    for (const [i, share] of (data.splits ?? []).entries()) {
      if (share.userId !== sellerId) await user(share.userId, `input.splits.${i}.userId`);
    }
    if (partnerId && !partner) {
      throw new ValidationFailedError('Unknown partner', [
        { path: 'input.referringPartnerId', message: 'is not a partner of this brokerage' },
      ]);
    }
    const now = this.book.now();
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
      targetPremium: data.targetPremium ? money(data.targetPremium.amount, premium.currency) : null,
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
      await this.book.withClientActivation(p, client, policy, [
        this.repo.insertOp(p.tenantId, policy),
        ...claims,
        this.book.timelineOp(
          p,
          policy,
          'POLICY_WRITTEN',
          `${productLine.name} ${policy.policyNumber} written, ${premium.amount} ${premium.currency} a year`,
        ),
      ]);
    } catch (error) {
      if (options.idempotent && policy.externalId && error instanceof AlreadyExistsError) {
        const existing = await this.reads.existingByExternalId(
          p.tenantId,
          policy.insurerId,
          policy.externalId,
        );
        if (existing) return existing;
      }
      throw error;
    }
    return policy;
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
}

/** The insurer and product line a write names, both active (else field errors for each). */
function checkReferences(insurer: Insurer | undefined, productLine: ProductLine | undefined): ProductLine {
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
