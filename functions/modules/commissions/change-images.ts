import * as z from 'zod';
import type { PaymentRecord, PolicyRecord } from './commission-lookups.js';

/**
 * Stream and bus images of the items the ledger consumer reads, parsed at the edge rather than cast:
 * an image that lacks what settlement needs (a schema drift, a hand-edited item) fails here with the
 * field at fault, goes through the consumer's retries and lands in the failure store, instead of
 * booking lines computed from `undefined`. Other attributes of the item pass through untouched.
 */

const text = z.string().min(1);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a YYYY-MM-DD date');
const MoneyImage = z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/), currency: z.string().length(3) });

const HierarchyLevelImage = z.looseObject({
  level: z.number().int().min(0),
  userId: text,
  active: z.boolean(),
  rateGroupId: text.nullable(),
});

const SplitShareImage = z.looseObject({
  userId: text,
  share: z.string(),
  overlay: z.boolean().default(false),
});

export const PolicyImageSchema = z.looseObject({
  id: text,
  clientId: text,
  insurerId: text,
  productLineId: text,
  productLineCode: text,
  policyNumber: text,
  premium: MoneyImage,
  targetPremium: MoneyImage.nullish(),
  writtenDate: isoDate,
  termStart: isoDate,
  termEnd: isoDate,
  status: z.enum(['OFFER', 'ACTIVE', 'RENEWED', 'LAPSED', 'CANCELLED', 'REACTIVATED']),
  cancellation: z.looseObject({ date: isoDate }).nullable(),
  businessType: z.enum(['NEW', 'RENEWAL']),
  renewalYear: z.number().int().min(1),
  sellerId: text,
  originatorId: text.nullable(),
  splits: z.array(SplitShareImage).nullish(),
  servicingAdvisorId: text.nullable(),
  referringPartnerId: text.nullable(),
  branchId: text.nullable(),
  branchKind: z.enum(['OWN', 'FRANCHISE']),
  regionId: text.nullable(),
  hierarchy: z.array(HierarchyLevelImage),
  statusHistory: z.array(z.looseObject({ date: isoDate })),
  endorsements: z.array(z.looseObject({ effectiveDate: isoDate })),
  version: z.number().int().min(1),
  updatedAt: text,
});

export const PaymentImageSchema = z.looseObject({
  id: text,
  policyId: text.nullable(),
  applied: MoneyImage,
  paidDate: isoDate,
});

/** Raised for an image the consumer cannot read; its message names the fields at fault. */
export class ChangeImageError extends Error {
  constructor(entity: string, issues: z.core.$ZodIssue[]) {
    const fields = issues.map((i) => `${i.path.join('.') || '(image)'}: ${i.message}`).join('; ');
    super(`${entity} image cannot be read: ${fields}`);
    this.name = 'ChangeImageError';
  }
}

function parseImage<T>(schema: z.ZodType<T>, entity: string, image: unknown): T {
  const parsed = schema.safeParse(image);
  if (!parsed.success) throw new ChangeImageError(entity, parsed.error.issues);
  return parsed.data;
}

export const policyImage = (image: unknown): PolicyRecord =>
  parseImage(PolicyImageSchema, 'Policy', image) satisfies PolicyRecord;

export const paymentImage = (image: unknown): PaymentRecord =>
  parseImage(PaymentImageSchema, 'Payment', image) satisfies PaymentRecord;
