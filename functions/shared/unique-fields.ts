/**
 * Every field whose values a tenant keeps unique with claim items (`keys.unique`). One list, so the
 * claims' partitions are known without reading the table: the shard migration moves each field's
 * claims (docs/scale.md, section 7), and a claim on a field missing here does not compile.
 */
export const UNIQUE_FIELDS = [
  // Clients (client-records.service.ts) and their matching (leads, campaigns, imports).
  'NATIONAL_ID',
  'TAX_ID',
  'CLIENT_EMAIL',
  'CLIENT_EXTERNAL_ID',
  // Policies: the insurer's policy number and the sender's external id.
  'POLICY_NUMBER',
  'POLICY_EXTERNAL_ID',
  // Invoices and payments.
  'INVOICE_REF',
  'INSTALMENT_INVOICE',
  'EXTERNAL_PAYMENT',
  // The organisation's catalog and people.
  'USER_EMAIL',
  'RATE_GROUP_NAME',
  'PRODUCT_LINE_CODE',
  'INSURER_NAME',
  'LEAD_SOURCE_NAME',
] as const;

export type UniqueField = (typeof UNIQUE_FIELDS)[number];

/** Shards of a field's claims: values are spread by hash, so a burst of new values (an import, a webhook burst) spreads evenly. */
export const UNIQUE_CLAIM_SHARDS = 16;
