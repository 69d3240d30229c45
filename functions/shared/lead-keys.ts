import { type ItemKey, seg, tenantPrefix } from './key-segments.js';

/**
 * Key builders of the leads and cross-sell modules (lead forms, their rate windows, partners' lead
 * receipts, learned association rules), spread into `keys` by table-design.ts: the code asks `keys`, never this file.
 */
export const leadKeys = {
  /** A tenant's lead forms: one small partition, listed newest first (form ids are ULIDs). */
  leadForms: (tenantId: string) => `${tenantPrefix(tenantId)}#LEADFORM`,
  leadForm: (tenantId: string, formId: string): ItemKey => ({
    pk: leadKeys.leadForms(tenantId),
    sk: `FORM#${seg(formId)}`,
  }),
  leadFormPrefix: 'FORM#',
  /** The public form id → its tenant: the one GetItem a public POST makes before it knows the tenant. */
  leadFormRoute: (formId: string): ItemKey => ({ pk: `ROUTE#LEADFORM#${seg(formId)}`, sk: 'ROUTE' }),
  /** One fixed rate window of a form (its start, epoch seconds), expired by TTL. */
  leadFormRateWindow: (tenantId: string, formId: string, windowStart: number): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#LEADFORM#${seg(formId)}#RATE`,
    sk: String(windowStart),
  }),
  /** One fixed rate window of a source address (hashed) across the tenant's forms, expired by TTL. */
  leadAddressRateWindow: (tenantId: string, addressHash: string, windowStart: number): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#LEADADDR#${seg(addressHash)}#RATE`,
    sk: String(windowStart),
  }),
  /** One fixed rate window of a partner's portal leads (a sub-agent counts on its own), expired by TTL. */
  partnerLeadRateWindow: (tenantId: string, partnerId: string, windowStart: number): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#PARTNERLEAD#${seg(partnerId)}#RATE`,
    sk: String(windowStart),
  }),
  /**
   * A partner's lead receipt under the partner's own reference: the idempotency record that makes a
   * repeat answer the first receipt. Kept (no TTL): it holds ids and times only, never a person's data.
   */
  partnerLeadReceipt: (tenantId: string, partnerId: string, externalReference: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#PARTNERLEAD#${seg(partnerId)}`,
    sk: `REF#${seg(externalReference)}`,
  }),
  /** The tenant's learned cross-sell rules: one item per antecedent set, replaced by each learning run. */
  crossSellRules: (tenantId: string) => `${tenantPrefix(tenantId)}#XSELL`,
  crossSellRuleSet: (tenantId: string): ItemKey => ({ pk: leadKeys.crossSellRules(tenantId), sk: 'RULES' }),
} as const;
