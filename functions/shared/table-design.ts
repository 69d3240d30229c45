/**
 * The single-table design: attribute names, the secondary indexes of the whole product, and every
 * key the code writes. `infra/` imports {@link TABLE} to create the table (cloud and local), so the
 * table can never drift from the code. Every key starts with the tenant (`T#<tenantId>#…`); the one
 * exception is the insurer webhook route, which maps an insurer id in a webhook URL to its tenant
 * (docs/decisions/0002-insurer-route-key.md).
 *
 * Indexes are generic and overloaded (gsi1…gsi6, each `gsiNpk`/`gsiNsk`, all attributes projected);
 * {@link ACCESS_PATTERNS} says which pattern uses which index. They are planned for the whole
 * product now (tasks, invoices, commissions, reports come later) so the table is never redesigned.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  entityType: 'type',
  version: 'version',
  ttl: 'ttl',
  indexes: {
    gsi1: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    gsi2: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    gsi3: { partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    gsi4: { partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    gsi5: { partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
    gsi6: { partitionKey: 'gsi6pk', sortKey: 'gsi6sk' },
  },
} as const;

export type IndexName = keyof typeof TABLE.indexes;

/** Primary key of an item. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** Entity types written on every item's `type` attribute; stream filters match on them. */
export const EntityType = {
  Tenant: 'Tenant',
  Region: 'Region',
  Branch: 'Branch',
  User: 'User',
  UserMove: 'UserMove',
  RateGroup: 'RateGroup',
  RateGroupMembership: 'RateGroupMembership',
  Partner: 'Partner',
  LeadSource: 'LeadSource',
  Insurer: 'Insurer',
  InsurerSecret: 'InsurerSecret',
  InsurerRoute: 'InsurerRoute',
  ProductLine: 'ProductLine',
  Unique: 'Unique',
  Client: 'Client',
  Contact: 'Contact',
  Policy: 'Policy',
  TimelineEntry: 'TimelineEntry',
} as const;
export type EntityType = (typeof EntityType)[keyof typeof EntityType];

/** Org entities that live in one small collection per kind and tenant. */
export const OrgKind = {
  Region: 'REGION',
  Branch: 'BRANCH',
  User: 'USER',
  RateGroup: 'RATE_GROUP',
  Partner: 'PARTNER',
  LeadSource: 'LEAD_SOURCE',
  Insurer: 'INSURER',
  ProductLine: 'PRODUCT_LINE',
} as const;
export type OrgKind = (typeof OrgKind)[keyof typeof OrgKind];

const SAFE_SEGMENT = /^[A-Za-z0-9_.:@+-]+$/;

/** Key segments must not contain the separator, so one tenant's prefix can never match another's. */
function seg(value: string): string {
  if (!SAFE_SEGMENT.test(value)) throw new RangeError(`Unsafe key segment: ${JSON.stringify(value)}`);
  return value;
}

const tenantPrefix = (tenantId: string) => `T#${seg(tenantId)}`;

/** Fields of a client that place it in the indexes. `sortName` is a normalised name (lower case, no accents). */
export interface ClientIndexFields {
  id: string;
  ownerAdvisorId: string | null;
  status: string;
  branchId: string;
  sortName: string;
  inPool: boolean;
  referringPartnerId: string | null;
}

/** Fields of a policy that place it in the indexes. */
export interface PolicyIndexFields {
  id: string;
  servicingAdvisorId: string | null;
  insurerId: string;
  branchId: string;
  productLineId: string;
  status: string;
  termStart: string;
  termEnd: string;
}

/** Key builders: the only place in the code base where key strings are assembled. */
export const keys = {
  tenantPrefix,

  tenant: (tenantId: string): ItemKey => ({ pk: tenantPrefix(tenantId), sk: 'TENANT' }),

  /** All org entities of one kind for a tenant: one Query lists them, one GetItem reads one. */
  orgCollection: (tenantId: string, kind: OrgKind): string => `${tenantPrefix(tenantId)}#ORG#${kind}`,
  orgItem: (tenantId: string, kind: OrgKind, id: string): ItemKey => ({
    pk: keys.orgCollection(tenantId, kind),
    sk: seg(id),
  }),

  /** A user's own collection: moves in the hierarchy and rate-group memberships, by date. */
  userCollection: (tenantId: string, userId: string): string =>
    `${tenantPrefix(tenantId)}#USER#${seg(userId)}`,
  userMove: (tenantId: string, userId: string, effectiveDate: string, id: string): ItemKey => ({
    pk: keys.userCollection(tenantId, userId),
    sk: `MOVE#${seg(effectiveDate)}#${seg(id)}`,
  }),
  userMovePrefix: 'MOVE#',
  rateGroupMembership: (tenantId: string, userId: string, from: string, id: string): ItemKey => ({
    pk: keys.userCollection(tenantId, userId),
    sk: `RATE_GROUP#${seg(from)}#${seg(id)}`,
  }),
  rateGroupMembershipPrefix: 'RATE_GROUP#',

  /** Webhook signing secrets, apart from the insurer item so no read of insurers can return them. */
  insurerSecret: (tenantId: string, insurerId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}`,
    sk: 'SECRET',
  }),

  /** Global route from an insurer id (in the webhook URL) to its tenant. Holds no secret. */
  insurerRoute: (insurerId: string): ItemKey => ({ pk: `ROUTE#INSURER#${seg(insurerId)}`, sk: 'ROUTE' }),

  /**
   * A client's item collection. Card items (`A#…`: the client, contacts, policies, and later open
   * tasks and invoices) come back in one Query; timeline entries (`H#<ulid>`) sort by time across
   * kinds, so the timeline is one Query, newest first.
   */
  clientCollection: (tenantId: string, clientId: string): string =>
    `${tenantPrefix(tenantId)}#CLIENT#${seg(clientId)}`,
  client: (tenantId: string, clientId: string): ItemKey => ({
    pk: keys.clientCollection(tenantId, clientId),
    sk: 'A#CLIENT',
  }),
  contact: (tenantId: string, clientId: string, contactId: string): ItemKey => ({
    pk: keys.clientCollection(tenantId, clientId),
    sk: `A#CONTACT#${seg(contactId)}`,
  }),
  policy: (tenantId: string, clientId: string, policyId: string): ItemKey => ({
    pk: keys.clientCollection(tenantId, clientId),
    sk: `A#POLICY#${seg(policyId)}`,
  }),
  timelineEntry: (tenantId: string, clientId: string, entryId: string): ItemKey => ({
    pk: keys.clientCollection(tenantId, clientId),
    sk: `H#${seg(entryId)}`,
  }),
  cardPrefix: 'A#',
  timelinePrefix: 'H#',

  /** Index keys of a client: by owner, by status, by branch (sorted by name), the branch pool, by referring partner. */
  clientIndexes: (tenantId: string, c: ClientIndexFields): Record<string, string> => {
    const t = tenantPrefix(tenantId);
    const byName = `${c.sortName}#${seg(c.id)}`;
    const idx: Record<string, string> = {
      gsi2pk: `${t}#CLIENT#STATUS#${seg(c.status)}`,
      gsi2sk: byName,
      gsi3pk: `${t}#BRANCH#${seg(c.branchId)}#CLIENT`,
      gsi3sk: `${c.status}#${byName}`,
    };
    if (c.ownerAdvisorId) {
      idx.gsi1pk = `${t}#OWNER#${seg(c.ownerAdvisorId)}#CLIENT`;
      idx.gsi1sk = `${c.status}#${byName}`;
    }
    if (c.inPool) {
      idx.gsi4pk = `${t}#POOL#${seg(c.branchId)}`;
      idx.gsi4sk = byName;
    }
    if (c.referringPartnerId) {
      idx.gsi5pk = `${t}#PARTNER#${seg(c.referringPartnerId)}#CLIENT`;
      idx.gsi5sk = `${c.status}#${seg(c.id)}`;
    }
    return idx;
  },
  clientsByOwner: (tenantId: string, advisorId: string) =>
    `${tenantPrefix(tenantId)}#OWNER#${seg(advisorId)}#CLIENT`,
  clientsByStatus: (tenantId: string, status: string) =>
    `${tenantPrefix(tenantId)}#CLIENT#STATUS#${seg(status)}`,
  clientsByBranch: (tenantId: string, branchId: string) =>
    `${tenantPrefix(tenantId)}#BRANCH#${seg(branchId)}#CLIENT`,
  clientPool: (tenantId: string, branchId: string) => `${tenantPrefix(tenantId)}#POOL#${seg(branchId)}`,
  clientsByPartner: (tenantId: string, partnerId: string) =>
    `${tenantPrefix(tenantId)}#PARTNER#${seg(partnerId)}#CLIENT`,

  /**
   * Index keys of a policy: by servicing advisor, insurer, branch and product line (each sorted by
   * status, then term start), by id, and by status sorted by term end (the renewal window).
   */
  policyIndexes: (tenantId: string, p: PolicyIndexFields): Record<string, string> => {
    const t = tenantPrefix(tenantId);
    const byStart = `${seg(p.status)}#${seg(p.termStart)}#${seg(p.id)}`;
    const idx: Record<string, string> = {
      gsi2pk: `${t}#INSURER#${seg(p.insurerId)}#POLICY`,
      gsi2sk: byStart,
      gsi3pk: `${t}#BRANCH#${seg(p.branchId)}#POLICY`,
      gsi3sk: byStart,
      gsi4pk: `${t}#PRODUCT#${seg(p.productLineId)}#POLICY`,
      gsi4sk: byStart,
      gsi5pk: `${t}#POLICY#${seg(p.id)}`,
      gsi5sk: 'POLICY',
      gsi6pk: `${t}#POLICY#STATUS#${seg(p.status)}`,
      gsi6sk: `${seg(p.termEnd)}#${seg(p.id)}`,
    };
    if (p.servicingAdvisorId) {
      idx.gsi1pk = `${t}#OWNER#${seg(p.servicingAdvisorId)}#POLICY`;
      idx.gsi1sk = byStart;
    }
    return idx;
  },
  policiesByAdvisor: (tenantId: string, advisorId: string) =>
    `${tenantPrefix(tenantId)}#OWNER#${seg(advisorId)}#POLICY`,
  policiesByInsurer: (tenantId: string, insurerId: string) =>
    `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}#POLICY`,
  policiesByBranch: (tenantId: string, branchId: string) =>
    `${tenantPrefix(tenantId)}#BRANCH#${seg(branchId)}#POLICY`,
  policiesByProductLine: (tenantId: string, productLineId: string) =>
    `${tenantPrefix(tenantId)}#PRODUCT#${seg(productLineId)}#POLICY`,
  policyById: (tenantId: string, policyId: string) => `${tenantPrefix(tenantId)}#POLICY#${seg(policyId)}`,
  policiesByStatus: (tenantId: string, status: string) =>
    `${tenantPrefix(tenantId)}#POLICY#STATUS#${seg(status)}`,

  /**
   * A claim on a value that must be unique in the tenant (national id, e-mail, policy number…).
   * Written in the same transaction as the item, conditioned on not existing.
   */
  unique: (tenantId: string, field: string, value: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#UNIQUE#${seg(field)}`,
    sk: value,
  }),
} as const;

/** A named access pattern: README's table is kept from this list (a test checks they agree). */
export interface AccessPattern {
  name: string;
  module: string;
  operation: 'GetItem' | 'Query' | 'BatchGetItem';
  index: 'table' | IndexName;
  key: string;
  status: 'built' | 'planned';
}

const pattern = (
  name: string,
  module: string,
  operation: AccessPattern['operation'],
  index: AccessPattern['index'],
  key: string,
  status: AccessPattern['status'],
): AccessPattern => ({ name, module, operation, index, key, status });

export const ACCESS_PATTERNS: readonly AccessPattern[] = [
  pattern('getTenantSettings', 'org', 'GetItem', 'table', 'pk=T#<t> sk=TENANT', 'built'),
  pattern(
    'listOrgEntities (regions, branches, users, rate groups, partners, lead sources, insurers, product lines)',
    'org',
    'Query',
    'table',
    'pk=T#<t>#ORG#<KIND>',
    'built',
  ),
  pattern('getOrgEntity', 'org', 'GetItem', 'table', 'pk=T#<t>#ORG#<KIND> sk=<id>', 'built'),
  pattern('listUserMoves', 'org', 'Query', 'table', 'pk=T#<t>#USER#<id> sk^=MOVE#', 'built'),
  pattern('listRateGroupMemberships', 'org', 'Query', 'table', 'pk=T#<t>#USER#<id> sk^=RATE_GROUP#', 'built'),
  pattern(
    'getInsurerRoute (webhook → tenant)',
    'webhooks',
    'GetItem',
    'table',
    'pk=ROUTE#INSURER#<id> sk=ROUTE',
    'built',
  ),
  pattern('getInsurerSecret', 'webhooks', 'GetItem', 'table', 'pk=T#<t>#INSURER#<id> sk=SECRET', 'built'),
  pattern(
    'getUnique (national id, tax id, e-mail, policy number, external id)',
    'clients',
    'GetItem',
    'table',
    'pk=T#<t>#UNIQUE#<field> sk=<value>',
    'built',
  ),
  pattern(
    'clientCard (client, contacts, policies; later open tasks and invoices)',
    'clients',
    'Query',
    'table',
    'pk=T#<t>#CLIENT#<id> sk^=A#',
    'built',
  ),
  pattern(
    'clientTimeline (status changes, notes, policy events…, newest first)',
    'clients',
    'Query',
    'table',
    'pk=T#<t>#CLIENT#<id> sk^=H#',
    'built',
  ),
  pattern(
    'listClientsByAdvisor (optionally by status)',
    'clients',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#OWNER#<user>#CLIENT gsi1sk=<status>#<name>#<id>',
    'built',
  ),
  pattern(
    'listClientsByStatus',
    'clients',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#CLIENT#STATUS#<status> gsi2sk=<name>#<id>',
    'built',
  ),
  pattern(
    'listClientsByBranch (optionally by status)',
    'clients',
    'Query',
    'gsi3',
    'gsi3pk=T#<t>#BRANCH#<branch>#CLIENT gsi3sk=<status>#<name>#<id>',
    'built',
  ),
  pattern(
    'listBranchPool',
    'clients',
    'Query',
    'gsi4',
    'gsi4pk=T#<t>#POOL#<branch> gsi4sk=<name>#<id>',
    'built',
  ),
  pattern(
    'listClientsByReferringPartner',
    'clients',
    'Query',
    'gsi5',
    'gsi5pk=T#<t>#PARTNER#<partner>#CLIENT gsi5sk=<status>#<id>',
    'built',
  ),
  pattern('getPolicyById', 'policies', 'Query', 'gsi5', 'gsi5pk=T#<t>#POLICY#<id>', 'built'),
  pattern(
    'listPoliciesByAdvisor (optionally by status)',
    'policies',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#OWNER#<user>#POLICY gsi1sk=<status>#<start>#<id>',
    'built',
  ),
  pattern(
    'listPoliciesByInsurer (optionally by status)',
    'policies',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#INSURER#<id>#POLICY gsi2sk=<status>#<start>#<id>',
    'built',
  ),
  pattern(
    'listPoliciesByBranch (optionally by status)',
    'policies',
    'Query',
    'gsi3',
    'gsi3pk=T#<t>#BRANCH#<id>#POLICY gsi3sk=<status>#<start>#<id>',
    'built',
  ),
  pattern(
    'listPoliciesByProductLine (optionally by status)',
    'policies',
    'Query',
    'gsi4',
    'gsi4pk=T#<t>#PRODUCT#<id>#POLICY gsi4sk=<status>#<start>#<id>',
    'built',
  ),
  pattern(
    'listPoliciesByStatus and the renewal window (term end between dates)',
    'policies',
    'Query',
    'gsi6',
    'gsi6pk=T#<t>#POLICY#STATUS#<status> gsi6sk=<termEnd>#<id>',
    'built',
  ),
  pattern(
    'listTasksByAssigneeAndDueDate',
    'tasks',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#OWNER#<user>#TASK gsi1sk=<due>#<id>',
    'planned',
  ),
  pattern(
    'calendarByUserAndDay',
    'tasks',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#CAL#<user> gsi2sk=<day>#<id>',
    'planned',
  ),
  pattern(
    'listCampaignMembers',
    'campaigns',
    'Query',
    'table',
    'pk=T#<t>#CAMPAIGN#<id> sk^=MEMBER#',
    'planned',
  ),
  pattern(
    'listInvoicesByStatusAndDueDate (overdue sweep)',
    'invoices',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#INVOICE#STATUS#<s> gsi2sk=<due>#<id>',
    'planned',
  ),
  pattern(
    'listPaymentsByInvoice',
    'invoices',
    'Query',
    'gsi3',
    'gsi3pk=T#<t>#INVOICE#<id>#PAYMENT gsi3sk=<at>',
    'planned',
  ),
  pattern(
    'listDebtorsByDunningStep',
    'debtors',
    'Query',
    'gsi4',
    'gsi4pk=T#<t>#DEBTOR#STEP#<step> gsi4sk=<since>#<id>',
    'planned',
  ),
  pattern(
    'listCommissionLinesByRecipientAndPeriod',
    'commissions',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#OWNER#<recipient>#CLINE gsi1sk=<period>#<id>',
    'planned',
  ),
  pattern(
    'listCommissionLinesByPolicy',
    'commissions',
    'Query',
    'gsi3',
    'gsi3pk=T#<t>#POLICY#<id>#CLINE gsi3sk=<period>#<id>',
    'planned',
  ),
  pattern(
    'listCommissionLinesByPeriod (approval)',
    'commissions',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#CLINE#PERIOD#<yyyy-mm> gsi2sk=<recipient>#<id>',
    'planned',
  ),
  pattern(
    'getAccrual (recipient, period)',
    'commissions',
    'GetItem',
    'table',
    'pk=T#<t>#ACCRUAL#<recipient> sk=<yyyy-mm>',
    'planned',
  ),
  pattern(
    'listReportJobsByRequester',
    'reports',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#OWNER#<user>#REPORT gsi1sk=<at>',
    'planned',
  ),
  pattern(
    'listWebhookDeliveriesByInsurerAndDate',
    'webhooks',
    'Query',
    'gsi3',
    'gsi3pk=T#<t>#INSURER#<id>#DELIVERY gsi3sk=<received>',
    'planned',
  ),
  pattern(
    'listAuditByEntity',
    'audit',
    'Query',
    'gsi6',
    'gsi6pk=T#<t>#AUDIT#<entity> gsi6sk=<at>',
    'planned',
  ),
];
