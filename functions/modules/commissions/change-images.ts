import * as z from 'zod';
import { imageDate, imageMoney, imageText, parseImage } from '../../shared/change-image.js';
import type { PaymentRecord, PolicyRecord } from './commission-lookups.js';

/**
 * Stream and bus images of the items the ledger consumer reads, parsed at the edge rather than cast:
 * an image that lacks what settlement needs (a schema drift, a hand-edited item) fails here with the
 * field at fault, goes through the consumer's retries and lands in the failure store, instead of
 * booking lines computed from `undefined`. Other attributes of the item pass through untouched.
 */

const HierarchyLevelImage = z.looseObject({
  level: z.number().int().min(0),
  userId: imageText,
  name: z.string().optional(),
  active: z.boolean(),
  rateGroupId: imageText.nullable(),
  rateGroupPromotion: z
    .looseObject({
      rateGroupName: z.string(),
      from: imageDate,
      period: z.string(),
      written: z.string(),
      threshold: z.string(),
      currency: z.string(),
    })
    .nullish(),
});

const SplitShareImage = z.looseObject({
  userId: imageText,
  share: z.string(),
  overlay: z.boolean().default(false),
});

export const PolicyImageSchema = z.looseObject({
  id: imageText,
  clientId: imageText,
  insurerId: imageText,
  productLineId: imageText,
  productLineCode: imageText,
  policyNumber: imageText,
  premium: imageMoney,
  targetPremium: imageMoney.nullish(),
  writtenDate: imageDate,
  termStart: imageDate,
  termEnd: imageDate,
  status: z.enum(['OFFER', 'ACTIVE', 'RENEWED', 'LAPSED', 'CANCELLED', 'REACTIVATED']),
  cancellation: z.looseObject({ date: imageDate }).nullable(),
  businessType: z.enum(['NEW', 'RENEWAL']),
  renewalYear: z.number().int().min(1),
  sellerId: imageText,
  originatorId: imageText.nullable(),
  splits: z.array(SplitShareImage).nullish(),
  servicingAdvisorId: imageText.nullable(),
  referringPartnerId: imageText.nullable(),
  branchId: imageText.nullable(),
  branchKind: z.enum(['OWN', 'FRANCHISE']),
  regionId: imageText.nullable(),
  hierarchy: z.array(HierarchyLevelImage),
  statusHistory: z.array(z.looseObject({ date: imageDate })),
  endorsements: z.array(z.looseObject({ effectiveDate: imageDate })),
  version: z.number().int().min(1),
  updatedAt: imageText,
});

export const PaymentImageSchema = z.looseObject({
  id: imageText,
  policyId: imageText.nullable(),
  applied: imageMoney,
  paidDate: imageDate,
});

export const policyImage = (image: unknown): PolicyRecord =>
  parseImage(PolicyImageSchema, 'Policy', image) satisfies PolicyRecord;

export const paymentImage = (image: unknown): PaymentRecord =>
  parseImage(PaymentImageSchema, 'Payment', image) satisfies PaymentRecord;
