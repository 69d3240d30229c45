import * as z from 'zod';
import { IdSchema, IsoDateSchema, MoneyInputSchema, text } from '../../shared/input.js';
import type { Money } from '../../shared/money.js';
import { SplitArrangementSchema, type SplitShare } from '../commissions/index.js';
import type { RateGroupPromotion } from '../org/index.js';

export const POLICY_STATUSES = ['OFFER', 'ACTIVE', 'RENEWED', 'LAPSED', 'CANCELLED', 'REACTIVATED'] as const;
export type PolicyStatus = (typeof POLICY_STATUSES)[number];
/** Statuses in which a policy is in force. */
export const IN_FORCE: readonly PolicyStatus[] = ['ACTIVE', 'REACTIVATED'];

export const BUSINESS_TYPES = ['NEW', 'RENEWAL'] as const;
export type BusinessType = (typeof BUSINESS_TYPES)[number];

export const FREQUENCIES = { ANNUAL: 1, SEMI_ANNUAL: 2, QUARTERLY: 4, MONTHLY: 12 } as const;
export type Frequency = keyof typeof FREQUENCIES;

export const OBJECT_KINDS = ['VEHICLE', 'PROPERTY', 'TRAVELLER', 'PERSON', 'OTHER'] as const;
export type InsuredObjectKind = (typeof OBJECT_KINDS)[number];

/** An insured object: a vehicle, a property, a traveller… with the attributes its kind needs. */
export interface InsuredObject {
  kind: InsuredObjectKind;
  description: string | null;
  attributes: Record<string, string>;
}

export interface Instalment {
  dueDate: string;
  amount: Money;
}

/** One level of the sales hierarchy frozen on the policy's written date (level 0 is the seller). */
export interface HierarchyLevel {
  level: number;
  userId: string;
  name: string;
  active: boolean;
  rateGroupId: string | null;
  /**
   * Set when the rate group in force on the written date came from an automatic promotion: what
   * earned it and from when, frozen so commission explanations can cite it.
   */
  rateGroupPromotion?: (RateGroupPromotion & { from: string }) | null;
}

export interface Cancellation {
  date: string;
  reason: string;
}

/** One step of a policy's status history: who moved it, when, effective from which date, and why. */
export interface PolicyStatusChange {
  from: PolicyStatus | null;
  to: PolicyStatus;
  date: string;
  reason: string | null;
  by: string;
  at: string;
}

/** Allowed status moves. RENEWED is reached only by renewing (a new term is written). */
export const POLICY_TRANSITIONS: Record<PolicyStatus, readonly PolicyStatus[]> = {
  OFFER: ['ACTIVE', 'LAPSED'],
  ACTIVE: ['CANCELLED', 'LAPSED', 'RENEWED'],
  REACTIVATED: ['CANCELLED', 'LAPSED', 'RENEWED'],
  CANCELLED: ['REACTIVATED'],
  LAPSED: ['REACTIVATED'],
  RENEWED: [],
};

export interface Policy {
  id: string;
  clientId: string;
  holderName: string;
  insurerId: string;
  productLineId: string;
  productLineCode: string;
  policyNumber: string;
  insuredObjects: InsuredObject[];
  /** Annual premium. */
  premium: Money;
  /** The premium commission is based on (life and health business), when it differs from the premium. */
  targetPremium?: Money | null;
  frequency: Frequency;
  instalments: Instalment[];
  /** The date the deal was concluded: it picks the commission scheme version and the frozen hierarchy. */
  writtenDate: string;
  termStart: string;
  termEnd: string;
  status: PolicyStatus;
  cancellation: Cancellation | null;
  businessType: BusinessType;
  previousPolicyId: string | null;
  renewedByPolicyId: string | null;
  /** 1 for new business, 2 for the first renewal… */
  renewalYear: number;
  sellerId: string;
  originatorId: string;
  /**
   * Who shares the advisor commission of this deal (closers summing to 100 %, overlays on top);
   * null or absent: the seller closes alone.
   */
  splits?: SplitShare[] | null;
  /** Who looks after the policy now (the client's owner); changes with hand-over, unlike the seller. */
  servicingAdvisorId: string | null;
  referringPartnerId: string | null;
  branchId: string;
  branchKind: 'OWN' | 'FRANCHISE';
  regionId: string | null;
  hierarchy: HierarchyLevel[];
  /** Set when the policy came from an insurer's system (webhook or import). */
  externalId: string | null;
  source: 'MANUAL' | 'IMPORT' | 'WEBHOOK';
  statusHistory: PolicyStatusChange[];
  endorsements: Endorsement[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A mid-term premium change, kept as history in the client's timeline and on the policy. */
export interface Endorsement {
  id: string;
  policyId: string;
  effectiveDate: string;
  previousPremium: Money;
  newPremium: Money;
  /** Change of the annual premium. */
  delta: Money;
  /** What the change costs for the rest of the term: the delta pro rata by days, spread over unpaid instalments. */
  chargedPremium: Money;
  reason: string;
  by: string;
  at: string;
}

/** Normalised for uniqueness and matching: trimmed, upper case, spaces removed. */
export function normalisePolicyNumber(value: string): string {
  return value.trim().toUpperCase().replace(/\s+/g, '');
}

// ---- input schemas ------------------------------------------------------------------------

const id = IdSchema;
const expectedVersion = z.number().int().min(1);

const attributes = z.record(z.string().trim().min(1).max(40), z.string().trim().max(200));

export const InsuredObjectSchema = z
  .object({
    kind: z.enum(OBJECT_KINDS),
    description: z.string().trim().max(500).nullish(),
    attributes: attributes.default({}),
  })
  .superRefine((o, ctx) => {
    const need: Record<InsuredObjectKind, string[]> = {
      VEHICLE: ['registrationPlate', 'vin'],
      PROPERTY: ['address'],
      TRAVELLER: ['name', 'birthDate'],
      PERSON: ['name', 'birthDate'],
      OTHER: [],
    };
    for (const a of need[o.kind]) {
      if (!o.attributes[a])
        ctx.addIssue({ code: 'custom', path: ['attributes', a], message: `is required for ${o.kind}` });
    }
    if (o.kind === 'OTHER' && !o.description) {
      ctx.addIssue({ code: 'custom', path: ['description'], message: 'is required for OTHER' });
    }
  });

/** Insured-object kinds a product line needs (by its code); lines not listed accept any. */
export const OBJECTS_BY_PRODUCT: Record<string, InsuredObjectKind> = {
  MTPL: 'VEHICLE',
  CASCO: 'VEHICLE',
  PROPERTY: 'PROPERTY',
  TRAVEL: 'TRAVELLER',
  LIFE: 'PERSON',
  HEALTH: 'PERSON',
};

const positivePremium = MoneyInputSchema.refine(
  (m) => !m.amount.startsWith('-') && !/^0+(\.0+)?$/.test(m.amount),
  {
    message: 'must be more than zero',
    path: ['amount'],
  },
);

export const WritePolicySchema = z
  .object({
    clientId: id,
    insurerId: id,
    productLineId: id,
    policyNumber: text(60),
    insuredObjects: z.array(InsuredObjectSchema).max(50).default([]),
    premium: positivePremium,
    targetPremium: positivePremium.nullish(),
    frequency: z.enum(['ANNUAL', 'SEMI_ANNUAL', 'QUARTERLY', 'MONTHLY']).default('ANNUAL'),
    writtenDate: IsoDateSchema,
    termStart: IsoDateSchema,
    termEnd: IsoDateSchema,
    status: z.enum(['OFFER', 'ACTIVE']).default('ACTIVE'),
    sellerId: id.nullish(),
    originatorId: id.nullish(),
    splits: SplitArrangementSchema.nullish(),
    referringPartnerId: id.nullish(),
    externalId: z.string().trim().max(100).nullish(),
  })
  .superRefine((p, ctx) => {
    if (p.termEnd <= p.termStart)
      ctx.addIssue({ code: 'custom', path: ['termEnd'], message: 'must be after termStart' });
    if (p.targetPremium && p.targetPremium.currency.toUpperCase() !== p.premium.currency.toUpperCase())
      ctx.addIssue({
        code: 'custom',
        path: ['targetPremium', 'currency'],
        message: 'must be the premium’s currency',
      });
  });
export type WritePolicyInput = z.output<typeof WritePolicySchema>;

export const EndorsePolicySchema = z.object({
  id,
  expectedVersion,
  newPremium: positivePremium,
  effectiveDate: IsoDateSchema,
  reason: text(500),
});

export const RenewPolicySchema = z
  .object({
    id,
    expectedVersion,
    policyNumber: text(60).nullish(),
    premium: positivePremium,
    writtenDate: IsoDateSchema,
    termStart: IsoDateSchema,
    termEnd: IsoDateSchema,
    sellerId: id.nullish(),
  })
  .superRefine((p, ctx) => {
    if (p.termEnd <= p.termStart)
      ctx.addIssue({ code: 'custom', path: ['termEnd'], message: 'must be after termStart' });
  });

export const CancelPolicySchema = z.object({ id, expectedVersion, date: IsoDateSchema, reason: text(500) });
export const ReactivatePolicySchema = z.object({
  id,
  expectedVersion,
  date: IsoDateSchema,
  reason: text(500),
});
export const LapsePolicySchema = z.object({ id, expectedVersion, date: IsoDateSchema, reason: text(500) });

export const PolicyListFilterSchema = z
  .object({
    insurerId: id.nullish(),
    productLineId: id.nullish(),
    status: z.enum(POLICY_STATUSES).nullish(),
    servicingAdvisorId: id.nullish(),
    /** Deprecated name of `servicingAdvisorId`; still honoured. */
    advisorId: id.nullish(),
    branchId: id.nullish(),
    termEndFrom: IsoDateSchema.nullish(),
    termEndTo: IsoDateSchema.nullish(),
    newestFirst: z.boolean().nullish(),
  })
  .refine((f) => !f.servicingAdvisorId || !f.advisorId || f.servicingAdvisorId === f.advisorId, {
    path: ['servicingAdvisorId'],
    message: 'differs from advisorId (its deprecated name): give one',
  })
  .transform(({ servicingAdvisorId, advisorId, ...rest }) => ({
    ...rest,
    advisorId: servicingAdvisorId ?? advisorId,
  }));
export type PolicyListFilter = z.output<typeof PolicyListFilterSchema>;
