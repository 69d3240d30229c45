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

export const ACCESS_PATTERNS: readonly AccessPattern[] = [
  {
    name: 'getTenantSettings',
    module: 'org',
    operation: 'GetItem',
    index: 'table',
    key: 'pk=T#<t> sk=TENANT',
    status: 'built',
  },
  {
    name: 'listOrgEntities (regions, branches, users, rate groups, partners, lead sources, insurers, product lines)',
    module: 'org',
    operation: 'Query',
    index: 'table',
    key: 'pk=T#<t>#ORG#<KIND>',
    status: 'built',
  },
  {
    name: 'getOrgEntity',
    module: 'org',
    operation: 'GetItem',
    index: 'table',
    key: 'pk=T#<t>#ORG#<KIND> sk=<id>',
    status: 'built',
  },
  {
    name: 'listUserMoves',
    module: 'org',
    operation: 'Query',
    index: 'table',
    key: 'pk=T#<t>#USER#<id> sk^=MOVE#',
    status: 'built',
  },
  {
    name: 'listRateGroupMemberships',
    module: 'org',
    operation: 'Query',
    index: 'table',
    key: 'pk=T#<t>#USER#<id> sk^=RATE_GROUP#',
    status: 'built',
  },
  {
    name: 'getInsurerRoute (webhook → tenant)',
    module: 'webhooks',
    operation: 'GetItem',
    index: 'table',
    key: 'pk=ROUTE#INSURER#<id> sk=ROUTE',
    status: 'built',
  },
  {
    name: 'getInsurerSecret',
    module: 'webhooks',
    operation: 'GetItem',
    index: 'table',
    key: 'pk=T#<t>#INSURER#<id> sk=SECRET',
    status: 'built',
  },
  {
    name: 'clientCard (client, contacts, policies, notes, open tasks, invoices)',
    module: 'clients',
    operation: 'Query',
    index: 'table',
    key: 'pk=T#<t>#CLIENT#<id>',
    status: 'planned',
  },
  {
    name: 'listClientsByAdvisor',
    module: 'clients',
    operation: 'Query',
    index: 'gsi1',
    key: 'gsi1pk=T#<t>#OWNER#<user>#CLIENT gsi1sk=<status>#<name>',
    status: 'planned',
  },
  {
    name: 'listClientsByStatus',
    module: 'clients',
    operation: 'Query',
    index: 'gsi2',
    key: 'gsi2pk=T#<t>#CLIENT#STATUS#<status> gsi2sk=<name>#<id>',
    status: 'planned',
  },
  {
    name: 'listPoliciesByInsurer',
    module: 'policies',
    operation: 'Query',
    index: 'gsi3',
    key: 'gsi3pk=T#<t>#INSURER#<id>#POLICY gsi3sk=<start>#<id>',
    status: 'planned',
  },
  {
    name: 'listPoliciesByProductLine / ByBranch',
    module: 'policies',
    operation: 'Query',
    index: 'gsi4',
    key: 'gsi4pk=T#<t>#PRODUCT#<id>#POLICY',
    status: 'planned',
  },
  {
    name: 'listPoliciesByRenewalDate',
    module: 'policies',
    operation: 'Query',
    index: 'gsi6',
    key: 'gsi6pk=T#<t>#POLICY#END gsi6sk=<termEnd>#<id>',
    status: 'planned',
  },
  {
    name: 'listTasksByAssigneeAndDueDate',
    module: 'tasks',
    operation: 'Query',
    index: 'gsi1',
    key: 'gsi1pk=T#<t>#OWNER#<user>#TASK gsi1sk=<due>',
    status: 'planned',
  },
  {
    name: 'calendarByUserAndDay',
    module: 'tasks',
    operation: 'Query',
    index: 'gsi1',
    key: 'gsi1pk=T#<t>#OWNER#<user>#CAL gsi1sk=<day>',
    status: 'planned',
  },
  {
    name: 'listCampaignMembers',
    module: 'campaigns',
    operation: 'Query',
    index: 'table',
    key: 'pk=T#<t>#CAMPAIGN#<id> sk^=MEMBER#',
    status: 'planned',
  },
  {
    name: 'listInvoicesByStatusAndDueDate (overdue sweep)',
    module: 'invoices',
    operation: 'Query',
    index: 'gsi2',
    key: 'gsi2pk=T#<t>#INVOICE#STATUS#<s> gsi2sk=<due>',
    status: 'planned',
  },
  {
    name: 'listPaymentsByInvoice',
    module: 'invoices',
    operation: 'Query',
    index: 'gsi3',
    key: 'gsi3pk=T#<t>#INVOICE#<id>#PAYMENT',
    status: 'planned',
  },
  {
    name: 'listDebtorsByDunningStep',
    module: 'debtors',
    operation: 'Query',
    index: 'gsi2',
    key: 'gsi2pk=T#<t>#DEBTOR#STEP#<step>',
    status: 'planned',
  },
  {
    name: 'listCommissionLinesByRecipientAndPeriod',
    module: 'commissions',
    operation: 'Query',
    index: 'gsi1',
    key: 'gsi1pk=T#<t>#OWNER#<recipient>#CLINE gsi1sk=<period>#<id>',
    status: 'planned',
  },
  {
    name: 'listCommissionLinesByPolicy',
    module: 'commissions',
    operation: 'Query',
    index: 'gsi3',
    key: 'gsi3pk=T#<t>#POLICY#<id>#CLINE',
    status: 'planned',
  },
  {
    name: 'listCommissionLinesByPeriod (approval)',
    module: 'commissions',
    operation: 'Query',
    index: 'gsi2',
    key: 'gsi2pk=T#<t>#CLINE#PERIOD#<yyyy-mm>',
    status: 'planned',
  },
  {
    name: 'getAccrual (recipient, period)',
    module: 'commissions',
    operation: 'GetItem',
    index: 'table',
    key: 'pk=T#<t>#ACCRUAL#<recipient> sk=<yyyy-mm>',
    status: 'planned',
  },
  {
    name: 'listReportJobsByRequester',
    module: 'reports',
    operation: 'Query',
    index: 'gsi1',
    key: 'gsi1pk=T#<t>#OWNER#<user>#REPORT',
    status: 'planned',
  },
  {
    name: 'listWebhookDeliveriesByInsurerAndDate',
    module: 'webhooks',
    operation: 'Query',
    index: 'gsi3',
    key: 'gsi3pk=T#<t>#INSURER#<id>#DELIVERY gsi3sk=<received>',
    status: 'planned',
  },
  {
    name: 'listAuditByEntity',
    module: 'audit',
    operation: 'Query',
    index: 'gsi5',
    key: 'gsi5pk=T#<t>#AUDIT#<entity> gsi5sk=<at>',
    status: 'planned',
  },
];
