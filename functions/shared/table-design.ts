/**
 * The single-table design: attribute names, the secondary indexes of the whole product, and every
 * key the code writes. `infra/` imports {@link TABLE} to create the table (cloud and local), so the
 * table can never drift from the code. Every key starts with the tenant (`T#<tenantId>#…`); the one
 * exception is the insurer webhook route, which maps an insurer id in a webhook URL to its tenant
 * (docs/decisions/0002-insurer-route-key.md).
 *
 * Indexes are generic and overloaded (gsi1…gsi6, each `gsiNpk`/`gsiNsk`, all attributes projected);
 * ACCESS_PATTERNS (access-patterns.ts) says which pattern uses which index. They are planned for the whole
 * product now (tasks, invoices, commissions, reports come later) so the table is never redesigned.
 */
import { accessKeys } from './access-keys.js';
import { auditKeys } from './audit-keys.js';
import { bookKeys } from './book-keys.js';
import { campaignKeys } from './campaign-keys.js';
import { jobKeys } from './job-keys.js';
import { clientCollection, type ItemKey, seg, tenantPrefix } from './key-segments.js';
import { leadKeys } from './lead-keys.js';
import { moneyKeys } from './money-keys.js';
import { settlementKeys } from './settlement-keys.js';
import { type ShardedPartition, sharded, shardedKey } from './sharded-keys.js';
import { taskKeys } from './task-keys.js';

export { auditSortKey } from './audit-keys.js';
export {
  CLIENT_BRANCH_SHARDS,
  type ClientIndexFields,
  POLICY_BRANCH_SHARDS,
  POLICY_INSURER_SHARDS,
  POLICY_PRODUCT_SHARDS,
  POLICY_STATUS_SHARDS,
  type PolicyIndexFields,
} from './book-keys.js';
export { campaignSortPrefixes } from './campaign-keys.js';
export type { ItemKey } from './key-segments.js';
export type { InvoiceIndexFields, PaymentIndexFields } from './money-keys.js';
export { COMMISSION_LINE_PERIOD_SHARDS, UNMATCHED_PAYMENT_SHARDS } from './money-keys.js';
export type { ShardedPartition } from './sharded-keys.js';
export { TASK_BRANCH_SHARDS, type TaskIndexFields, taskDueRange } from './task-keys.js';

/** An insurer's delivery list before sharding (`T#<t>#INSURER#<i>#DELIVERY`): the base of its shards. */
const webhookDeliveriesOf = (tenantId: string, insurerId: string) =>
  `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}#DELIVERY`;

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

/** Attributes that place an item in the table rather than describe its record (items.ts strips them). */
export const STORAGE_ATTRIBUTES: ReadonlySet<string> = new Set<string>([
  TABLE.partitionKey,
  TABLE.sortKey,
  TABLE.entityType,
  TABLE.ttl,
  'tenantId',
  ...Object.values(TABLE.indexes).flatMap((i) => [i.partitionKey, i.sortKey]),
]);

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
  SharedCacheEntry: 'SharedCacheEntry',
  ProductLine: 'ProductLine',
  Unique: 'Unique',
  Client: 'Client',
  Contact: 'Contact',
  Policy: 'Policy',
  TimelineEntry: 'TimelineEntry',
  TenantRegistration: 'TenantRegistration',
  Invoice: 'Invoice',
  InvoiceSequence: 'InvoiceSequence',
  InvoiceRegisterEntry: 'InvoiceRegisterEntry',
  Payment: 'Payment',
  ClientCredit: 'ClientCredit',
  UnmatchedPayment: 'UnmatchedPayment',
  DunningPolicy: 'DunningPolicy',
  DunningStep: 'DunningStep',
  CollectorTask: 'CollectorTask',
  WebhookMapping: 'WebhookMapping',
  WebhookDedupe: 'WebhookDedupe',
  WebhookDelivery: 'WebhookDelivery',
  WebhookEvent: 'WebhookEvent',
  WebhookArchiveLink: 'WebhookArchiveLink',
  InsurerCommissionStatement: 'InsurerCommissionStatement',
  InsurerPremiumPayment: 'InsurerPremiumPayment',
  CommissionScheme: 'CommissionScheme',
  CommissionSchemeChange: 'CommissionSchemeChange',
  CommissionLine: 'CommissionLine',
  CommissionAccrual: 'CommissionAccrual',
  CommissionAccrualPeriod: 'CommissionAccrualPeriod',
  CommissionPeriod: 'CommissionPeriod',
  CommissionDispute: 'CommissionDispute',
  CommissionRuleTotal: 'CommissionRuleTotal',
  CommissionProduction: 'CommissionProduction',
  CommissionProductionEvent: 'CommissionProductionEvent',
  CommissionStatementMapping: 'CommissionStatementMapping',
  CommissionReconciliationRow: 'CommissionReconciliationRow',
  FailedChange: 'FailedChange',
  LiveEvent: 'LiveEvent',
  ImportJob: 'ImportJob',
  ImportJobChunk: 'ImportJobChunk',
  ImportJobRow: 'ImportJobRow',
  Task: 'Task',
  OpenTask: 'OpenTask',
  TaskType: 'TaskType',
  ProcessTemplate: 'ProcessTemplate',
  TaskSettings: 'TaskSettings',
  Reminder: 'Reminder',
  CalendarFeed: 'CalendarFeed',
  TaskAlert: 'TaskAlert',
  ReportJob: 'ReportJob',
  ReportDispatch: 'ReportDispatch',
  ApiKey: 'ApiKey',
  ApiKeyRateWindow: 'ApiKeyRateWindow',
  WebhookEndpoint: 'WebhookEndpoint',
  WebhookEndpointDelivery: 'WebhookEndpointDelivery',
  BankAccount: 'BankAccount',
  CommissionPayout: 'CommissionPayout',
  CommissionPayoutPayment: 'CommissionPayoutPayment',
  CommissionPayoutLine: 'CommissionPayoutLine',
  CommissionPayoutCarry: 'CommissionPayoutCarry',
  ChartOfAccounts: 'ChartOfAccounts',
  CommissionPayoutPaid: 'CommissionPayoutPaid',
  InsurerSettlement: 'InsurerSettlement',
  InsurerSettledPeriod: 'InsurerSettledPeriod',
  AuditEntry: 'AuditEntry',
  RolePermissions: 'RolePermissions',
  RetentionSettings: 'RetentionSettings',
  LeadForm: 'LeadForm',
  LeadFormRoute: 'LeadFormRoute',
  LeadRateWindow: 'LeadRateWindow',
  PartnerLeadReceipt: 'PartnerLeadReceipt',
  CrossSellRules: 'CrossSellRules',
  Campaign: 'Campaign',
  CampaignMember: 'CampaignMember',
  CampaignEmail: 'CampaignEmail',
  CampaignTemplate: 'CampaignTemplate',
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

/** The system partition for failed changes whose record names no tenant (README, "Failed changes"). */
export const SYSTEM_PARTITION = 'G#SYSTEM';
const failurePrefix = (tenantId: string | null) =>
  tenantId === null ? SYSTEM_PARTITION : tenantPrefix(tenantId);

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

  /** An insurer's webhook field mapping, next to its secret (one GetItem per delivery). */
  webhookMapping: (tenantId: string, insurerId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}`,
    sk: 'WEBHOOK_MAPPING',
  }),
  /**
   * A delivery by its webhook id: `DEDUPE` remembers the first answer (expires by TTL after the
   * senders' retry window), `LOG` is the permanent record of the archived body, listed by insurer
   * and date on gsi3.
   */
  webhookDedupe: (tenantId: string, insurerId: string, webhookId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}#DELIVERY#${seg(webhookId)}`,
    sk: 'DEDUPE',
  }),
  webhookDelivery: (tenantId: string, insurerId: string, webhookId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}#DELIVERY#${seg(webhookId)}`,
    sk: 'LOG',
  }),
  webhookDeliveryIndexes: (
    tenantId: string,
    insurerId: string,
    receivedAt: string,
    webhookId: string,
  ): Record<string, string> => ({
    gsi3pk: shardedKey(webhookDeliveriesOf(tenantId, insurerId), webhookId),
    gsi3sk: `${seg(receivedAt)}#${seg(webhookId)}`,
  }),
  /**
   * An insurer's delivery log, newest first: a burst's 12 deliveries a second, each written at its
   * claim and its completion, are 64 % of a key's half-limit at 10×, so the list is spread over 16
   * shards (n from the webhook id) and read merged (docs/scale.md, section 4).
   */
  webhookDeliveriesByInsurer: (tenantId: string, insurerId: string): ShardedPartition =>
    sharded(webhookDeliveriesOf(tenantId, insurerId)),
  /** An insurer's event by the insurer's own event id: claimed before the event's write, so it applies once. */
  webhookEvent: (tenantId: string, insurerId: string, eventId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}#EVENT#${seg(eventId)}`,
    sk: 'EVENT',
  }),
  /**
   * A client's link to an archived insurer delivery whose events concern them, in the client's
   * collection (outside the card's `A#` and the timeline's `H#`), so a data subject's export and
   * erasure find the S3 objects that name the person with the collection's one Query. One per
   * delivery and client: a repeat or replay of the delivery writes the same item again.
   */
  webhookArchiveLink: (
    tenantId: string,
    clientId: string,
    insurerId: string,
    webhookId: string,
  ): ItemKey => ({
    pk: keys.clientCollection(tenantId, clientId),
    sk: `R#WEBHOOK#${seg(insurerId)}#${seg(webhookId)}`,
  }),
  webhookArchiveLinkPrefix: 'R#WEBHOOK#',
  /** Commission statements an insurer sent, by period, for reconciliation. */
  insurerCommissionStatements: (tenantId: string, insurerId: string) =>
    `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}#STATEMENT`,
  insurerCommissionStatement: (
    tenantId: string,
    insurerId: string,
    period: string,
    eventId: string,
  ): ItemKey => ({
    pk: keys.insurerCommissionStatements(tenantId, insurerId),
    sk: `${seg(period)}#${seg(eventId)}`,
  }),
  /** Premium payments an insurer reported for a policy, by paid date. */
  insurerPremiumPayments: (tenantId: string, policyId: string) =>
    `${tenantPrefix(tenantId)}#POLICY#${seg(policyId)}#PREMIUM_PAID`,
  insurerPremiumPayment: (
    tenantId: string,
    policyId: string,
    paidDate: string,
    eventId: string,
  ): ItemKey => ({
    pk: keys.insurerPremiumPayments(tenantId, policyId),
    sk: `${seg(paidDate)}#${seg(eventId)}`,
  }),

  /**
   * A client's item collection. Card items (`A#…`: the client, contacts, policies, and later open
   * tasks and invoices) come back in one Query; timeline entries (`H#<ulid>`) sort by time across
   * kinds, so the timeline is one Query, newest first.
   */
  clientCollection,
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
  /** A client's policies within its collection (sk^=A#POLICY#). */
  policyPrefix: 'A#POLICY#',
  timelinePrefix: 'H#',

  ...bookKeys,

  /**
   * The registry of tenants (one small partition outside every tenant), written at provisioning so
   * tenant-wide schedules (the overdue sweep) can list tenants with a Query instead of a Scan.
   */
  tenantRegistryPartition: 'TENANTS',
  tenantRegistration: (tenantId: string): ItemKey => ({ pk: 'TENANTS', sk: seg(tenantId) }),

  /**
   * An entry of the API's shared cache (automatic persisted queries: a query document by its
   * SHA-256), one partition per entry under `G#`, the global prefix: not tenant data (a query text
   * names no tenant's records), and never `T#…`, so it cannot collide with any tenant's keys.
   * Expires through the table's TTL.
   */
  // ---- failed changes (a consumer gave up on a change record) ---------------------------------
  /**
   * A change a consumer could not process, one item per (consumer, record). `tenantId` null means
   * the record names no tenant: it goes to the system partition `G#SYSTEM`, read by operators only.
   */
  failedChange: (tenantId: string | null, id: string): ItemKey => ({
    pk: `${failurePrefix(tenantId)}#FAILED#${seg(id)}`,
    sk: 'FAILED_CHANGE',
  }),
  failedChangeIndexes: (
    tenantId: string | null,
    f: { id: string; status: string; firstFailedAt: string },
  ): Record<string, string> => ({
    gsi1pk: keys.failedChanges(tenantId),
    gsi1sk: `${f.firstFailedAt}#${f.id}`,
    gsi2pk: keys.failedChangesByStatus(tenantId, f.status),
    gsi2sk: `${f.firstFailedAt}#${f.id}`,
  }),
  failedChanges: (tenantId: string | null) => `${failurePrefix(tenantId)}#FAILED`,

  // ---- live updates (docs/decisions/0007-live-updates.md) ---------------------------------------
  /** A recipient's live-updates inbox: the changes their open streams read, kept an hour (TTL). */
  liveInbox: (tenantId: string, recipient: string) => `${tenantPrefix(tenantId)}#LIVE#${seg(recipient)}`,
  /**
   * One change in an inbox. The sort key is the change's stream sequence number, zero-padded to
   * {@link LIVE_SEQUENCE_DIGITS} digits so string order is numeric order and a replayed change
   * rewrites the same item.
   */
  liveEvent: (tenantId: string, recipient: string, sequenceNumber: string): ItemKey => ({
    pk: keys.liveInbox(tenantId, recipient),
    sk: liveSequenceKey(sequenceNumber),
  }),
  failedChangesByStatus: (tenantId: string | null, status: string) =>
    `${failurePrefix(tenantId)}#FAILED#${seg(status)}`,
  sharedCacheEntry: (cacheKey: string): ItemKey => ({ pk: `G#CACHE#${seg(cacheKey)}`, sk: 'CACHE' }),

  ...moneyKeys,
  ...jobKeys,
  ...taskKeys,
  ...accessKeys,
  ...leadKeys,
  ...settlementKeys,
  ...auditKeys,
  ...campaignKeys,
} as const;

/**
 * Sort-key prefixes the commission ledger queries by (`begins_with`): one month of a recipient's or a
 * policy's lines, accruals and rule totals; one recipient's lines in a month's by-period index.
 */
export const commissionSortPrefixes = {
  month: (period: string): string => `${seg(period)}#`,
  recipient: (recipient: string): string => `${seg(recipient)}#`,
} as const;

/** DynamoDB stream sequence numbers have 21 to 40 digits. */
export const LIVE_SEQUENCE_DIGITS = 40;

/**
 * A stream sequence number (decimal digits) as an inbox sort key: left-padded to a fixed width, so
 * string order is numeric order.
 */
export function liveSequenceKey(sequenceNumber: string): string {
  if (sequenceNumber.length > LIVE_SEQUENCE_DIGITS) {
    throw new RangeError(`Not a stream sequence number: ${JSON.stringify(sequenceNumber)}`);
  }
  return seg(sequenceNumber).padStart(LIVE_SEQUENCE_DIGITS, '0');
}
