import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { money } from '../../shared/money.js';
import { parseInput } from '../../shared/validation.js';
import { policyFacts } from './commission-events.js';
import type { CommissionOrgDirectory, SellerHierarchy } from './commission-lookups.js';
import { SimulateSchema } from './commissions.model.js';
import { type CommissionLine, computeCommissionLines } from './engine/index.js';
import type { RecipientAccess } from './recipient-access.js';
import type { SchemesRepository } from './schemes.repository.js';

/** What-if: the lines a hypothetical policy would produce, computed by the engine, never written. */
export class SimulationService {
  constructor(
    private readonly schemes: SchemesRepository,
    private readonly access: RecipientAccess,
    private readonly org: CommissionOrgDirectory,
    private readonly hierarchy: SellerHierarchy,
  ) {}

  /** The lines a hypothetical policy would produce for every recipient, with explanations. Writes nothing. */
  async simulate(principal: Principal | null, raw: unknown): Promise<CommissionLine[]> {
    const p = authorize(principal, 'commissions:simulate');
    const input = parseInput(SimulateSchema, raw);
    const sellerId = input.sellerId ?? p.userId;
    // Simulating for a seller shows what that seller would earn: the same check as reading his ledger.
    if (!(await this.access.canRead(p, { kind: 'USER', id: sellerId })))
      throw new ForbiddenError("This seller's commissions are outside your scope");
    const productLine = await this.org.productLine(p.tenantId, input.productLineId);
    if (!productLine) throw new NotFoundError('ProductLine', input.productLineId);
    const frozen = await this.hierarchy.freeze(p.tenantId, sellerId, input.writtenDate, 'input.sellerId');
    const facts = policyFacts(
      {
        id: 'simulation',
        insurerId: input.insurerId,
        productLineId: productLine.id,
        productLineCode: productLine.code,
        premium: money(input.premium.amount, input.premium.currency),
        writtenDate: input.writtenDate,
        termStart: input.termStart ?? input.writtenDate,
        termEnd: input.termEnd ?? input.writtenDate,
        businessType: input.businessType ?? 'NEW',
        renewalYear: input.renewalYear ?? 1,
        branchKind: frozen.branch.kind,
        branchId: frozen.branch.id,
        version: 1,
        sellerId,
        originatorId: input.originatorId ?? sellerId,
        referringPartnerId: input.referringPartnerId ?? null,
        hierarchy: frozen.hierarchy,
      },
      {
        segment: input.clientSegment ?? null,
        acquisitionType: input.acquisitionType ?? null,
        leadSourceId: input.leadSourceId ?? null,
      },
    );
    const schemes = await this.schemes.listSchemes(p.tenantId);
    return computeCommissionLines({
      event: { type: 'POLICY_WRITTEN', eventId: 'simulation', policy: facts },
      schemes,
    });
  }
}
