import { type Db, type Page, replaceVersionedOp, type TransactOp } from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { queryFilter } from '../../shared/filter-expression.js';
import {
  claimUniqueOp,
  insertItemOp,
  reassignUniqueOp,
  releaseUniqueOp,
  uniqueClaim,
} from '../../shared/item-ops.js';
import {
  fromItem,
  getRecord,
  type KeyedRead,
  queryRecords,
  readTogether,
  toItem,
} from '../../shared/items.js';
import { EntityType, type IndexName, keys, type ShardedPartition } from '../../shared/table-design.js';
import type { UniqueField } from '../../shared/unique-fields.js';
import type { WrittenPartition, WrittenPolicyFilter } from '../commissions/index.js';
import type { Policy } from './policies.model.js';

type PageRequest = { limit: number; cursor: string | null };

/** Unique-claim fields of policies: the number per insurer, and the insurer's own id for the policy. */
export const POLICY_NUMBER_FIELD = 'POLICY_NUMBER';
export const POLICY_EXTERNAL_ID_FIELD = 'POLICY_EXTERNAL_ID';

/** The claim value of a policy number: numbers are unique per insurer within a tenant. */
export function policyNumberClaim(insurerId: string, normalisedNumber: string): string {
  return `${insurerId}/${normalisedNumber}`;
}

/** What narrows a policy list after its key: a status (sort-key prefix), equal attributes, scope alternatives. */
export interface PolicyNarrowing {
  status?: string | null;
  newestFirst?: boolean;
  /** Equality filters applied after the key condition (other dimensions). */
  equals?: Record<string, string>;
  /** The caller's scope: an item passes when any of these attribute = value pairs holds. */
  anyOf?: Array<[string, string]> | null;
}

interface PolicyListQuery {
  index: IndexName;
  partition: string | ShardedPartition;
  beginsWith?: string;
  between?: [string, string];
}

/**
 * The policies module's access to DynamoDB. Policies live in their client's item collection (so
 * the card reads them in the same Query) and are placed in indexes by advisor, insurer, branch,
 * product line, id and status/term end.
 */
export class PoliciesRepository {
  constructor(private readonly db: Db) {}

  policyItem(tenantId: string, policy: Policy) {
    return toItem(
      keys.policy(tenantId, policy.clientId, policy.id),
      EntityType.Policy,
      tenantId,
      policy,
      keys.policyIndexes(tenantId, policy),
    );
  }

  /** Op that stores a new policy; fails if the id exists. */
  insertOp(tenantId: string, policy: Policy): TransactOp {
    return insertItemOp(this.policyItem(tenantId, policy));
  }

  /** Op that replaces a policy if nobody changed it since `expectedVersion` (its indexes follow). */
  replaceOp(tenantId: string, policy: Policy, expectedVersion: number): TransactOp {
    return replaceVersionedOp(
      this.policyItem(tenantId, policy),
      expectedVersion,
      () => new VersionConflictError('Policy', policy.id, expectedVersion),
    );
  }

  /** Op that claims a value unique in the tenant for a policy (number per insurer, external id). */
  claimOp(tenantId: string, field: UniqueField, value: string, policyId: string, label: string): TransactOp {
    return claimUniqueOp(
      tenantId,
      field,
      value,
      { ownerType: 'Policy', ownerId: policyId },
      () => new AlreadyExistsError('Policy', label, value.split('/').slice(1).join('/')),
    );
  }

  /** Op that hands an existing claim to another policy (a renewal keeping its number). */
  reassignClaimOp(tenantId: string, field: UniqueField, value: string, policyId: string): TransactOp {
    return reassignUniqueOp(tenantId, field, value, { ownerType: 'Policy', ownerId: policyId });
  }

  releaseClaimOp(tenantId: string, field: UniqueField, value: string): TransactOp {
    return releaseUniqueOp(tenantId, field, value);
  }

  async ownerOfClaim(tenantId: string, field: UniqueField, value: string): Promise<string | undefined> {
    const item = await uniqueClaim(this.db, tenantId, field, value);
    return typeof item?.ownerId === 'string' ? item.ownerId : undefined;
  }

  /** The owners of several claims of one field, by claimed value (one consistent BatchGetItem per 100). */
  async ownersOfClaims(
    tenantId: string,
    field: UniqueField,
    values: readonly string[],
  ): Promise<Map<string, string>> {
    const unique = [...new Set(values)];
    if (unique.length === 0) return new Map();
    const items = await this.db.batchGet(
      unique.map((v) => keys.unique(tenantId, field, v)),
      { consistent: true },
    );
    return new Map(
      items.flatMap((i) => (typeof i.ownerId === 'string' ? [[i.sk as string, i.ownerId] as const] : [])),
    );
  }

  /** getPolicyById: one Query on the by-id index (the id alone does not give the client partition). */
  async getPolicy(tenantId: string, policyId: string): Promise<Policy | undefined> {
    const page = await this.db.queryPage({
      index: 'gsi5',
      partition: keys.policyById(tenantId, policyId),
      limit: 1,
    });
    const item = page.items[0];
    return item ? fromItem<Policy>(item) : undefined;
  }

  /**
   * getPoliciesByRef: the policies a page names, by id. Those whose client is known come from one
   * BatchGetItem on their home items; the rest from one Query each on the by-id index, concurrently.
   */
  async getPoliciesByRef(
    tenantId: string,
    refs: ReadonlyArray<{ id: string; clientId: string | null }>,
  ): Promise<Map<string, Policy>> {
    const found = new Map<string, Policy>();
    const withClient = refs.filter((r) => r.clientId !== null);
    const items = await this.db.batchGet(
      withClient.map((r) => keys.policy(tenantId, r.clientId as string, r.id)),
    );
    for (const item of items) {
      const policy = fromItem<Policy>(item);
      found.set(policy.id, policy);
    }
    const rest = refs.filter((r) => !found.has(r.id));
    for (const policy of await Promise.all(rest.map((r) => this.getPolicy(tenantId, r.id)))) {
      if (policy) found.set(policy.id, policy);
    }
    return found;
  }

  /** A policy read consistently from its home item, when the client is known (before a write). */
  async getPolicyOfClient(tenantId: string, clientId: string, policyId: string): Promise<Policy | undefined> {
    return getRecord<Policy>(this.db, keys.policy(tenantId, clientId, policyId), { consistent: true });
  }

  /** listRenewals: policies of a status whose term ends within [from, to] (either end open). */
  listPoliciesByTermEnd(
    tenantId: string,
    range: { status: string; from?: string | null; to?: string | null },
    page: PageRequest,
    narrowing: PolicyNarrowing,
  ): Promise<Page<Policy>> {
    const between: [string, string] = [range.from ?? '0000-00-00', `${range.to ?? '9999-12-31'}#\uffff`];
    const partition = keys.policiesByStatus(tenantId, range.status);
    return this.queryPolicies({ index: 'gsi6', partition, between }, page, {
      ...narrowing,
      status: undefined,
    });
  }

  /** The policies a servicing advisor looks after (optionally of one status). */
  listPoliciesOfAdvisor(tenantId: string, advisorId: string, page: PageRequest, narrowing: PolicyNarrowing) {
    return this.queryPolicies(
      { index: 'gsi1', partition: keys.policiesByAdvisor(tenantId, advisorId) },
      page,
      narrowing,
    );
  }

  /** An insurer's policies (optionally of one status). */
  listPoliciesOfInsurer(tenantId: string, insurerId: string, page: PageRequest, narrowing: PolicyNarrowing) {
    return this.queryPolicies(
      { index: 'gsi2', partition: keys.policiesByInsurer(tenantId, insurerId) },
      page,
      narrowing,
    );
  }

  /** A product line's policies (optionally of one status). */
  listPoliciesOfProductLine(
    tenantId: string,
    productLineId: string,
    page: PageRequest,
    narrowing: PolicyNarrowing,
  ) {
    const partition = keys.policiesByProductLine(tenantId, productLineId);
    return this.queryPolicies({ index: 'gsi4', partition }, page, narrowing);
  }

  /** A branch's policies (optionally of one status). */
  listPoliciesOfBranch(tenantId: string, branchId: string, page: PageRequest, narrowing: PolicyNarrowing) {
    return this.queryPolicies(
      { index: 'gsi3', partition: keys.policiesByBranch(tenantId, branchId) },
      page,
      narrowing,
    );
  }

  /**
   * listPoliciesWritten: policies of one insurer, product line or branch (that index partition)
   * written in [from, before) in a currency and past the offer stage, optionally narrowed to
   * insurers, product lines (ids or codes) and branches and to the caller's scope — filtered in the
   * Query, so a page is full unless the partition ends (the affected policies of a scheme version).
   */
  listPoliciesWritten(
    tenantId: string,
    partition: WrittenPartition,
    where: WrittenPolicyFilter,
    page: PageRequest,
    anyOf: Array<[string, string]> | null,
  ): Promise<Page<Policy>> {
    const query: PolicyListQuery =
      'insurerId' in partition
        ? { index: 'gsi2', partition: keys.policiesByInsurer(tenantId, partition.insurerId) }
        : 'productLineId' in partition
          ? { index: 'gsi4', partition: keys.policiesByProductLine(tenantId, partition.productLineId) }
          : { index: 'gsi3', partition: keys.policiesByBranch(tenantId, partition.branchId) };
    const scope = queryFilter({ anyOf }).filter;
    const names: Record<string, string> = {
      ...scope?.names,
      '#wd': 'writtenDate',
      '#pr': 'premium',
      '#cu': 'currency',
      '#st': 'status',
    };
    const values: Record<string, unknown> = {
      ...scope?.values,
      ':wFrom': where.from,
      ':cur': where.currency,
      ':offer': 'OFFER',
    };
    const terms = ['#wd >= :wFrom', '#pr.#cu = :cur', '#st <> :offer'];
    if (where.before !== null) {
      terms.push('#wd < :wBefore');
      values[':wBefore'] = where.before;
    }
    const oneOf = (attributes: string[], list: readonly string[] | undefined, tag: string) => {
      if (list === undefined || list.length === 0) return;
      const placeholders = list.map((v, i) => {
        values[`:${tag}${i}`] = v;
        return `:${tag}${i}`;
      });
      const alternatives = attributes.map((a, ai) => {
        names[`#${tag}${ai}`] = a;
        return `#${tag}${ai} IN (${placeholders.join(', ')})`;
      });
      terms.push(`(${alternatives.join(' OR ')})`);
    };
    oneOf(['insurerId'], where.insurerIds, 'ins');
    oneOf(['productLineId', 'productLineCode'], where.productLines, 'pl');
    oneOf(['branchId'], where.branchIds, 'br');
    if (scope) terms.push(scope.expression);
    return queryRecords<Policy>(this.db, {
      index: query.index,
      partition: query.partition,
      ...page,
      filter: { expression: terms.join(' AND '), names, values },
    });
  }

  /** The tenant's policies of one status. */
  listPoliciesByStatus(tenantId: string, status: string, page: PageRequest, narrowing: PolicyNarrowing) {
    const partition = keys.policiesByStatus(tenantId, status);
    return this.queryPolicies({ index: 'gsi6', partition }, page, { ...narrowing, status: undefined });
  }

  private async queryPolicies(
    query: PolicyListQuery,
    page: PageRequest,
    narrowing: PolicyNarrowing,
  ): Promise<Page<Policy>> {
    return queryRecords<Policy>(this.db, {
      index: query.index,
      partition: query.partition,
      ...page,
      ...(narrowing.status ? { beginsWith: `${narrowing.status}#` } : {}),
      ...(query.between ? { between: query.between } : {}),
      ...(narrowing.newestFirst ? { newestFirst: true } : {}),
      ...queryFilter({ equals: narrowing.equals, anyOf: narrowing.anyOf }),
    });
  }

  /** What a write names (its client, the org entities it refers to), in one BatchGetItem. */
  readReferences<R extends readonly KeyedRead<unknown>[]>(reads: R) {
    return readTogether(this.db, reads);
  }

  async transact(ops: TransactOp[]): Promise<void> {
    await this.db.transact(ops);
  }
}
