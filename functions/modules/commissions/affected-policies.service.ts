import * as z from 'zod';
import { authorize, scopeAlternatives } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import { InvalidCursorError, NotFoundError } from '../../shared/errors.js';
import type {
  CommissionOrgDirectory,
  PolicyRecord,
  WrittenPartition,
  WrittenPolicies,
} from './commission-lookups.js';
import type { SchemesRepository } from './schemes.repository.js';

/** Where a page stopped: the partition's position in the list and the cursor inside it. */
const CursorSchema = z.object({ p: z.number().int().min(0), c: z.string().nullable() });
type Position = z.output<typeof CursorSchema>;

const encode = (position: Position) => Buffer.from(JSON.stringify(position)).toString('base64url');

function decode(cursor: string): Position {
  try {
    return CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidCursorError();
  }
}

/**
 * The policies a scheme version applies to, which an edit of it affects: written in the version's
 * [validFrom, validTo), in the scheme's currency, within its `appliesTo`, and in the caller's scope.
 * Read from the policies' indexes, never a Scan: the version's insurers' partitions (else its
 * product lines', else its branches', else every insurer's of the tenant), written dates, currency,
 * the other dimensions and the scope filtered in each Query. A page runs across partitions; its
 * cursor is the partition's position plus the sealed cursor inside it (tampered: INVALID_CURSOR).
 */
export class AffectedPoliciesService {
  constructor(
    private readonly schemes: SchemesRepository,
    private readonly policies: WrittenPolicies,
    private readonly org: CommissionOrgDirectory,
  ) {}

  async list(
    principal: Principal | null,
    args: { schemeId: string; version: number },
    page: { limit: number; cursor: string | null },
  ): Promise<Page<PolicyRecord>> {
    const p = authorize(principal, 'commissions:recompute');
    const scheme = await this.schemes.getScheme(p.tenantId, args.schemeId);
    const version = scheme?.versions.find((v) => v.version === args.version);
    if (!scheme || !version)
      throw new NotFoundError('CommissionSchemeVersion', `${args.schemeId} v${args.version}`);
    const a = version.appliesTo;
    const partitions: WrittenPartition[] = a?.insurerIds
      ? a.insurerIds.map((insurerId) => ({ insurerId }))
      : a?.productLines
        ? await this.productLineIds(p.tenantId, a.productLines)
        : a?.branchIds
          ? a.branchIds.map((branchId) => ({ branchId }))
          : (await this.org.insurerIds(p.tenantId)).sort().map((insurerId) => ({ insurerId }));
    const filter = {
      from: version.validFrom,
      before: version.validTo ?? null,
      currency: scheme.currency,
      ...(a?.insurerIds ? { insurerIds: a.insurerIds } : {}),
      ...(a?.productLines ? { productLines: a.productLines } : {}),
      ...(a?.branchIds ? { branchIds: a.branchIds } : {}),
    };
    const anyOf = scopeAlternatives(p, {
      owner: 'servicingAdvisorId',
      branch: 'branchId',
      region: 'regionId',
    });
    let at = page.cursor ? decode(page.cursor) : { p: 0, c: null };
    const result: Page<PolicyRecord> = {
      items: [],
      cursors: [],
      nextCursor: null,
      afterCursor: page.cursor !== null,
    };
    while (at.p < partitions.length && result.items.length < page.limit) {
      const partition = partitions[at.p] as WrittenPartition;
      const part = await this.policies.listWritten(
        p.tenantId,
        partition,
        filter,
        { limit: page.limit - result.items.length, cursor: at.c },
        anyOf,
      );
      const index = at.p;
      result.items.push(...part.items);
      result.cursors.push(...part.cursors.map((c) => encode({ p: index, c })));
      at = part.nextCursor ? { p: index, c: part.nextCursor } : { p: index + 1, c: null };
    }
    result.nextCursor = at.p < partitions.length ? encode(at) : null;
    return result;
  }

  /** Product line codes resolved to ids (a code names no partition); unknown ones are dropped. */
  private async productLineIds(tenantId: string, refs: readonly string[]): Promise<WrittenPartition[]> {
    const lines = await this.org.productLines(tenantId);
    const ids = new Set(lines.filter((l) => refs.includes(l.id) || refs.includes(l.code)).map((l) => l.id));
    return [...ids].sort().map((productLineId) => ({ productLineId }));
  }
}
