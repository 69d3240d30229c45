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
  InsurerCommissionStatement: 'InsurerCommissionStatement',
  InsurerPremiumPayment: 'InsurerPremiumPayment',
  CommissionScheme: 'CommissionScheme',
  CommissionSchemeChange: 'CommissionSchemeChange',
  CommissionLine: 'CommissionLine',
  CommissionAccrual: 'CommissionAccrual',
  CommissionPeriod: 'CommissionPeriod',
  CommissionDispute: 'CommissionDispute',
  CommissionRuleTotal: 'CommissionRuleTotal',
  CommissionStatementMapping: 'CommissionStatementMapping',
  CommissionReconciliationRow: 'CommissionReconciliationRow',
  FailedChange: 'FailedChange',
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

/** The system partition for failed changes whose record names no tenant (README, "Failed changes"). */
export const SYSTEM_PARTITION = 'G#SYSTEM';
const failurePrefix = (tenantId: string | null) =>
  tenantId === null ? SYSTEM_PARTITION : tenantPrefix(tenantId);

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

/** Fields of an invoice that place it in the indexes (debtor lists only while it is overdue). */
export interface InvoiceIndexFields {
  id: string;
  status: string;
  dueDate: string;
  branchId: string;
  advisorId: string | null;
  productLineId: string | null;
  insurerId: string | null;
}

/** Fields of a payment that place it in the period lists. */
export interface PaymentIndexFields {
  id: string;
  paidDate: string;
  period: string;
  late: boolean;
  advisorId: string | null;
  productLineId: string | null;
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
    gsi3pk: keys.webhookDeliveriesByInsurer(tenantId, insurerId),
    gsi3sk: `${seg(receivedAt)}#${seg(webhookId)}`,
  }),
  webhookDeliveriesByInsurer: (tenantId: string, insurerId: string) =>
    `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}#DELIVERY`,
  /** An insurer's event by the insurer's own event id: claimed before the event's write, so it applies once. */
  webhookEvent: (tenantId: string, insurerId: string, eventId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}#EVENT#${seg(eventId)}`,
    sk: 'EVENT',
  }),
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
  failedChangesByStatus: (tenantId: string | null, status: string) =>
    `${failurePrefix(tenantId)}#FAILED#${seg(status)}`,
  sharedCacheEntry: (cacheKey: string): ItemKey => ({ pk: `G#CACHE#${seg(cacheKey)}`, sk: 'CACHE' }),

  /** An invoice sits in its client's collection, so the card's one Query returns it. */
  invoice: (tenantId: string, clientId: string, invoiceId: string): ItemKey => ({
    pk: keys.clientCollection(tenantId, clientId),
    sk: `A#INVOICE#${seg(invoiceId)}`,
  }),
  invoicePrefix: 'A#INVOICE#',
  /** Overpayments kept as the client's credit, on the card as well. */
  clientCredit: (tenantId: string, clientId: string, paymentId: string): ItemKey => ({
    pk: keys.clientCollection(tenantId, clientId),
    sk: `A#CREDIT#${seg(paymentId)}`,
  }),
  creditPrefix: 'A#CREDIT#',
  /** An invoice's own collection: its payments and its dunning steps. */
  invoiceCollection: (tenantId: string, invoiceId: string): string =>
    `${tenantPrefix(tenantId)}#INVOICE#${seg(invoiceId)}`,
  payment: (tenantId: string, invoiceId: string, paymentId: string): ItemKey => ({
    pk: keys.invoiceCollection(tenantId, invoiceId),
    sk: `PAYMENT#${seg(paymentId)}`,
  }),
  paymentPrefix: 'PAYMENT#',
  dunningStep: (tenantId: string, invoiceId: string, stepId: string): ItemKey => ({
    pk: keys.invoiceCollection(tenantId, invoiceId),
    sk: `DUNNING#${seg(stepId)}`,
  }),
  dunningStepPrefix: 'DUNNING#',
  /** The tenant's invoice number sequence per year: incremented in the same transaction as the issue. */
  invoiceSequence: (tenantId: string, year: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#SEQ#INVOICE`,
    sk: seg(year),
  }),
  dunningPolicy: (tenantId: string): ItemKey => ({ pk: `${tenantPrefix(tenantId)}#DUNNING`, sk: 'POLICY' }),
  unmatchedPayments: (tenantId: string): string => `${tenantPrefix(tenantId)}#PAYMENT#UNMATCHED`,
  unmatchedPayment: (tenantId: string, id: string): ItemKey => ({
    pk: keys.unmatchedPayments(tenantId),
    sk: seg(id),
  }),
  collectorTasks: (tenantId: string): string => `${tenantPrefix(tenantId)}#COLLECTION`,
  collectorTask: (tenantId: string, invoiceId: string, stepId: string): ItemKey => ({
    pk: keys.collectorTasks(tenantId),
    sk: `${seg(invoiceId)}#${seg(stepId)}`,
  }),

  /**
   * Index keys of an invoice: by id, by status sorted by due date (the overdue sweep, payments due),
   * and while overdue by advisor, branch, product line and insurer sorted by due date, so each
   * debtor list and age bucket (a due-date range) is one Query.
   */
  invoiceIndexes: (tenantId: string, i: InvoiceIndexFields): Record<string, string> => {
    const t = tenantPrefix(tenantId);
    const byDue = `${seg(i.dueDate)}#${seg(i.id)}`;
    const idx: Record<string, string> = {
      gsi2pk: `${t}#INVOICE#STATUS#${seg(i.status)}`,
      gsi2sk: byDue,
      gsi5pk: `${t}#INVOICE#${seg(i.id)}`,
      gsi5sk: 'INVOICE',
    };
    if (i.status === 'OVERDUE') {
      idx.gsi3pk = `${t}#BRANCH#${seg(i.branchId)}#DEBT`;
      idx.gsi3sk = byDue;
      if (i.advisorId) {
        idx.gsi1pk = `${t}#OWNER#${seg(i.advisorId)}#DEBT`;
        idx.gsi1sk = byDue;
      }
      if (i.productLineId) {
        idx.gsi4pk = `${t}#PRODUCT#${seg(i.productLineId)}#DEBT`;
        idx.gsi4sk = byDue;
      }
      if (i.insurerId) {
        idx.gsi6pk = `${t}#INSURER#${seg(i.insurerId)}#DEBT`;
        idx.gsi6sk = byDue;
      }
    }
    return idx;
  },
  invoiceById: (tenantId: string, invoiceId: string) => `${tenantPrefix(tenantId)}#INVOICE#${seg(invoiceId)}`,
  invoicesByStatus: (tenantId: string, status: string) =>
    `${tenantPrefix(tenantId)}#INVOICE#STATUS#${seg(status)}`,
  debtorsByAdvisor: (tenantId: string, advisorId: string) =>
    `${tenantPrefix(tenantId)}#OWNER#${seg(advisorId)}#DEBT`,
  debtorsByBranch: (tenantId: string, branchId: string) =>
    `${tenantPrefix(tenantId)}#BRANCH#${seg(branchId)}#DEBT`,
  debtorsByProductLine: (tenantId: string, productLineId: string) =>
    `${tenantPrefix(tenantId)}#PRODUCT#${seg(productLineId)}#DEBT`,
  debtorsByInsurer: (tenantId: string, insurerId: string) =>
    `${tenantPrefix(tenantId)}#INSURER#${seg(insurerId)}#DEBT`,

  /** Index keys of a payment: by period, late ones by period, by advisor and by product line (sorted by paid date). */
  paymentIndexes: (tenantId: string, p: PaymentIndexFields): Record<string, string> => {
    const t = tenantPrefix(tenantId);
    const byDate = `${seg(p.paidDate)}#${seg(p.id)}`;
    const idx: Record<string, string> = {
      gsi2pk: `${t}#PAYMENT#PERIOD#${seg(p.period)}`,
      gsi2sk: byDate,
    };
    if (p.late) {
      idx.gsi6pk = `${t}#PAYMENT#LATE#${seg(p.period)}`;
      idx.gsi6sk = byDate;
    }
    if (p.advisorId) {
      idx.gsi1pk = `${t}#OWNER#${seg(p.advisorId)}#PAYMENT`;
      idx.gsi1sk = byDate;
    }
    if (p.productLineId) {
      idx.gsi4pk = `${t}#PRODUCT#${seg(p.productLineId)}#PAYMENT`;
      idx.gsi4sk = byDate;
    }
    return idx;
  },
  paymentsByPeriod: (tenantId: string, period: string) =>
    `${tenantPrefix(tenantId)}#PAYMENT#PERIOD#${seg(period)}`,
  latePaymentsByPeriod: (tenantId: string, period: string) =>
    `${tenantPrefix(tenantId)}#PAYMENT#LATE#${seg(period)}`,
  paymentsByAdvisor: (tenantId: string, advisorId: string) =>
    `${tenantPrefix(tenantId)}#OWNER#${seg(advisorId)}#PAYMENT`,
  paymentsByProductLine: (tenantId: string, productLineId: string) =>
    `${tenantPrefix(tenantId)}#PRODUCT#${seg(productLineId)}#PAYMENT`,

  /** A tenant's commission schemes (all versions in one item): one Query lists them, one GetItem reads one. */
  commissionSchemes: (tenantId: string): string => `${tenantPrefix(tenantId)}#CSCHEME`,
  commissionScheme: (tenantId: string, schemeId: string): ItemKey => ({
    pk: keys.commissionSchemes(tenantId),
    sk: seg(schemeId),
  }),
  /** Every change of a scheme with author and time, oldest first. */
  commissionSchemeChanges: (tenantId: string, schemeId: string): string =>
    `${tenantPrefix(tenantId)}#CSCHEME#${seg(schemeId)}#CHANGES`,
  commissionSchemeChange: (tenantId: string, schemeId: string, changeId: string): ItemKey => ({
    pk: keys.commissionSchemeChanges(tenantId, schemeId),
    sk: seg(changeId),
  }),
  /** A ledger line's own partition: the line (written once, on an absent key) and its disputes. */
  commissionLineCollection: (tenantId: string, lineId: string): string =>
    `${tenantPrefix(tenantId)}#CLINE#${seg(lineId)}`,
  commissionLine: (tenantId: string, lineId: string): ItemKey => ({
    pk: keys.commissionLineCollection(tenantId, lineId),
    sk: 'LINE',
  }),
  commissionDispute: (tenantId: string, lineId: string, disputeId: string): ItemKey => ({
    pk: keys.commissionLineCollection(tenantId, lineId),
    sk: `DISPUTE#${seg(disputeId)}`,
  }),
  /** Index keys of a line: by recipient and period, by period (approval), by policy. `recipient` is `<KIND>:<id>`. */
  commissionLineIndexes: (
    tenantId: string,
    l: { id: string; recipient: string; period: string; policyId: string },
  ): Record<string, string> => {
    const t = tenantPrefix(tenantId);
    return {
      gsi1pk: `${t}#OWNER#${seg(l.recipient)}#CLINE`,
      gsi1sk: `${seg(l.period)}#${seg(l.id)}`,
      gsi2pk: `${t}#CLINE#PERIOD#${seg(l.period)}`,
      gsi2sk: `${seg(l.recipient)}#${seg(l.id)}`,
      gsi3pk: `${t}#POLICY#${seg(l.policyId)}#CLINE`,
      gsi3sk: `${seg(l.period)}#${seg(l.id)}`,
    };
  },
  commissionLinesByRecipient: (tenantId: string, recipient: string) =>
    `${tenantPrefix(tenantId)}#OWNER#${seg(recipient)}#CLINE`,
  commissionLinesByPeriod: (tenantId: string, period: string) =>
    `${tenantPrefix(tenantId)}#CLINE#PERIOD#${seg(period)}`,
  commissionLinesByPolicy: (tenantId: string, policyId: string) =>
    `${tenantPrefix(tenantId)}#POLICY#${seg(policyId)}#CLINE`,
  /** Open disputes of a tenant, oldest first (index key removed when resolved). */
  openCommissionDisputes: (tenantId: string) => `${tenantPrefix(tenantId)}#CDISPUTE#OPEN`,
  /** A recipient's running totals for one month and currency: "what have I earned" is one read. */
  commissionAccruals: (tenantId: string, recipient: string): string =>
    `${tenantPrefix(tenantId)}#ACCRUAL#${seg(recipient)}`,
  commissionAccrual: (tenantId: string, recipient: string, period: string, currency: string): ItemKey => ({
    pk: keys.commissionAccruals(tenantId, recipient),
    sk: `${seg(period)}#${seg(currency)}`,
  }),
  /** A recipient's volume and earnings per PERIOD_TOTAL rule and month (tier tables on the period total). */
  commissionRuleTotals: (tenantId: string, recipient: string): string =>
    `${tenantPrefix(tenantId)}#ACCRUAL#${seg(recipient)}#RULES`,
  commissionRuleTotal: (
    tenantId: string,
    recipient: string,
    period: string,
    schemeId: string,
    ruleId: string,
  ): ItemKey => ({
    pk: keys.commissionRuleTotals(tenantId, recipient),
    sk: `${seg(period)}#${seg(schemeId)}#${seg(ruleId)}`,
  }),
  commissionAccrualsByPeriod: (tenantId: string, period: string) =>
    `${tenantPrefix(tenantId)}#ACCRUAL#PERIOD#${seg(period)}`,
  /** Per-insurer column mapping of commission statements. */
  commissionStatementMappings: (tenantId: string): string => `${tenantPrefix(tenantId)}#CSTMT#MAPPING`,
  commissionStatementMapping: (tenantId: string, insurerId: string): ItemKey => ({
    pk: keys.commissionStatementMappings(tenantId),
    sk: seg(insurerId),
  }),
  /** The latest reconciliation of an insurer's statement for a month: one item per policy number (base64url). */
  commissionReconciliation: (tenantId: string, insurerId: string, period: string): string =>
    `${tenantPrefix(tenantId)}#CRECON#${seg(insurerId)}#${seg(period)}`,
  commissionReconciliationRow: (
    tenantId: string,
    insurerId: string,
    period: string,
    numberKey: string,
  ): ItemKey => ({
    pk: keys.commissionReconciliation(tenantId, insurerId, period),
    sk: seg(numberKey),
  }),
  /** Commission periods that left OPEN (a month without an item is open). */
  commissionPeriods: (tenantId: string): string => `${tenantPrefix(tenantId)}#CPERIOD`,
  commissionPeriod: (tenantId: string, period: string): ItemKey => ({
    pk: keys.commissionPeriods(tenantId),
    sk: seg(period),
  }),

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
    'getUnique (national id, tax id, e-mail, policy number, external id, invoice payment reference, applied bank row or insurer payment)',
    'clients',
    'GetItem',
    'table',
    'pk=T#<t>#UNIQUE#<field> sk=<value>',
    'built',
  ),
  pattern(
    'clientCard (client, contacts, policies, invoices, credits; later open tasks)',
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
  pattern('listTenants (tenant-wide schedules)', 'org', 'Query', 'table', 'pk=TENANTS', 'built'),
  pattern(
    'getSharedCacheEntry (persisted queries by hash, TTL)',
    'graphql',
    'GetItem',
    'table',
    'pk=G#CACHE#apq:<sha256> sk=CACHE',
    'built',
  ),
  pattern(
    'listInvoicesByStatusAndDueDate (overdue sweep, payments due per period)',
    'invoices',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#INVOICE#STATUS#<s> gsi2sk=<due>#<id>',
    'built',
  ),
  pattern('getInvoiceById', 'invoices', 'Query', 'gsi5', 'gsi5pk=T#<t>#INVOICE#<id>', 'built'),
  pattern(
    'clientInvoices (on the card)',
    'invoices',
    'Query',
    'table',
    'pk=T#<t>#CLIENT#<id> sk^=A#INVOICE#',
    'built',
  ),
  pattern(
    'getInvoiceSequence (numbering)',
    'invoices',
    'GetItem',
    'table',
    'pk=T#<t>#SEQ#INVOICE sk=<yyyy>',
    'built',
  ),
  pattern(
    'listPaymentsByInvoice',
    'invoices',
    'Query',
    'table',
    'pk=T#<t>#INVOICE#<id> sk^=PAYMENT#',
    'built',
  ),
  pattern(
    'listDunningStepsByInvoice',
    'debtors',
    'Query',
    'table',
    'pk=T#<t>#INVOICE#<id> sk^=DUNNING#',
    'built',
  ),
  pattern('getDunningPolicy', 'debtors', 'GetItem', 'table', 'pk=T#<t>#DUNNING sk=POLICY', 'built'),
  pattern(
    'listUnmatchedPayments (resolution queue)',
    'invoices',
    'Query',
    'table',
    'pk=T#<t>#PAYMENT#UNMATCHED',
    'built',
  ),
  pattern('listCollectorTasks', 'debtors', 'Query', 'table', 'pk=T#<t>#COLLECTION', 'built'),
  pattern(
    'listDebtorsByAdvisor (age bucket = due-date range)',
    'debtors',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#OWNER#<user>#DEBT gsi1sk=<due>#<id>',
    'built',
  ),
  pattern(
    'listDebtorsByBranch',
    'debtors',
    'Query',
    'gsi3',
    'gsi3pk=T#<t>#BRANCH#<id>#DEBT gsi3sk=<due>#<id>',
    'built',
  ),
  pattern(
    'listDebtorsByProductLine',
    'debtors',
    'Query',
    'gsi4',
    'gsi4pk=T#<t>#PRODUCT#<id>#DEBT gsi4sk=<due>#<id>',
    'built',
  ),
  pattern(
    'listDebtorsByInsurer',
    'debtors',
    'Query',
    'gsi6',
    'gsi6pk=T#<t>#INSURER#<id>#DEBT gsi6sk=<due>#<id>',
    'built',
  ),
  pattern(
    'listPaymentsByPeriod (made)',
    'invoices',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#PAYMENT#PERIOD#<yyyy-mm> gsi2sk=<paid>#<id>',
    'built',
  ),
  pattern(
    'listLatePaymentsByPeriod',
    'invoices',
    'Query',
    'gsi6',
    'gsi6pk=T#<t>#PAYMENT#LATE#<yyyy-mm> gsi6sk=<paid>#<id>',
    'built',
  ),
  pattern(
    'listPaymentsByAdvisor (per period)',
    'invoices',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#OWNER#<user>#PAYMENT gsi1sk=<paid>#<id>',
    'built',
  ),
  pattern(
    'listPaymentsByProductLine (per period)',
    'invoices',
    'Query',
    'gsi4',
    'gsi4pk=T#<t>#PRODUCT#<id>#PAYMENT gsi4sk=<paid>#<id>',
    'built',
  ),
  pattern(
    'listCommissionLinesByRecipientAndPeriod',
    'commissions',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#OWNER#<recipient>#CLINE gsi1sk=<period>#<id>',
    'built',
  ),
  pattern(
    'listCommissionLinesByPolicy',
    'commissions',
    'Query',
    'gsi3',
    'gsi3pk=T#<t>#POLICY#<id>#CLINE gsi3sk=<period>#<id>',
    'built',
  ),
  pattern(
    'listCommissionLinesByPeriod (approval)',
    'commissions',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#CLINE#PERIOD#<yyyy-mm> gsi2sk=<recipient>#<id>',
    'built',
  ),
  pattern(
    'getAccrual (recipient, period; one item per currency)',
    'commissions',
    'Query',
    'table',
    'pk=T#<t>#ACCRUAL#<recipient> sk^=<yyyy-mm>#',
    'built',
  ),
  pattern(
    'listAccrualsByPeriod (approval, payment)',
    'commissions',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#ACCRUAL#PERIOD#<yyyy-mm> gsi2sk=<recipient>#<currency>',
    'built',
  ),
  pattern(
    'getCommissionLine with its disputes',
    'commissions',
    'Query',
    'table',
    'pk=T#<t>#CLINE#<id>',
    'built',
  ),
  pattern(
    'listOpenCommissionDisputes',
    'commissions',
    'Query',
    'gsi4',
    'gsi4pk=T#<t>#CDISPUTE#OPEN gsi4sk=<at>#<id>',
    'built',
  ),
  pattern(
    'listRuleTotals (recipient, period: PERIOD_TOTAL tiers)',
    'commissions',
    'Query',
    'table',
    'pk=T#<t>#ACCRUAL#<recipient>#RULES sk^=<yyyy-mm>#',
    'built',
  ),
  pattern('listCommissionSchemes', 'commissions', 'Query', 'table', 'pk=T#<t>#CSCHEME', 'built'),
  pattern('getCommissionScheme', 'commissions', 'GetItem', 'table', 'pk=T#<t>#CSCHEME sk=<id>', 'built'),
  pattern(
    'listCommissionSchemeChanges',
    'commissions',
    'Query',
    'table',
    'pk=T#<t>#CSCHEME#<id>#CHANGES',
    'built',
  ),
  pattern('listCommissionPeriods', 'commissions', 'Query', 'table', 'pk=T#<t>#CPERIOD', 'built'),
  pattern(
    'getCommissionStatementMapping',
    'commissions',
    'GetItem',
    'table',
    'pk=T#<t>#CSTMT#MAPPING sk=<insurer>',
    'built',
  ),
  pattern(
    'listReconciliation (insurer, period; exceptions)',
    'commissions',
    'Query',
    'table',
    'pk=T#<t>#CRECON#<insurer>#<yyyy-mm>',
    'built',
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
    'gsi3pk=T#<t>#INSURER#<id>#DELIVERY gsi3sk=<received>#<webhookId>',
    'built',
  ),
  pattern(
    'getWebhookDelivery (dedupe by webhook id, TTL; archive log)',
    'webhooks',
    'GetItem',
    'table',
    'pk=T#<t>#INSURER#<id>#DELIVERY#<webhookId> sk=DEDUPE or LOG',
    'built',
  ),
  pattern(
    'getWebhookMapping',
    'webhooks',
    'GetItem',
    'table',
    'pk=T#<t>#INSURER#<id> sk=WEBHOOK_MAPPING',
    'built',
  ),
  pattern(
    "getWebhookEvent (by the insurer's event id)",
    'webhooks',
    'GetItem',
    'table',
    'pk=T#<t>#INSURER#<id>#EVENT#<eventId> sk=EVENT',
    'built',
  ),
  pattern(
    'listInsurerCommissionStatements (by period, for reconciliation)',
    'webhooks',
    'Query',
    'table',
    'pk=T#<t>#INSURER#<id>#STATEMENT sk^=<yyyy-mm>',
    'built',
  ),
  pattern(
    'listInsurerPremiumPaymentsByPolicy',
    'webhooks',
    'Query',
    'table',
    'pk=T#<t>#POLICY#<id>#PREMIUM_PAID',
    'built',
  ),
  pattern(
    'listFailedChanges (newest first; system partition G#SYSTEM for records without a tenant)',
    'failures',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#FAILED gsi1sk=<firstFailedAt>#<id>',
    'built',
  ),
  pattern(
    'listFailedChangesByStatus (OPEN, REPLAYED, RESOLVED)',
    'failures',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#FAILED#<status> gsi2sk=<firstFailedAt>#<id>',
    'built',
  ),
  pattern(
    'getFailedChange (one per consumer and change record)',
    'failures',
    'GetItem',
    'table',
    'pk=T#<t>#FAILED#<id> sk=FAILED_CHANGE',
    'built',
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
