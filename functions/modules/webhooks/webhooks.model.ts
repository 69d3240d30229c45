import * as z from 'zod';
import {
  AmountSchema,
  EmailSchema,
  ID_PATTERN,
  IsoDateSchema,
  MoneyInputSchema,
  optionalText,
  text,
} from '../../shared/input.js';
import { normaliseId } from '../clients/index.js';
import { InsuredObjectSchema } from '../policies/index.js';

/** The event types an insurer may send. */
export const EVENT_TYPES = [
  'policy.issued',
  'policy.renewed',
  'policy.endorsed',
  'policy.cancelled',
  'policy.reactivated',
  'premium.paid',
  'commission.statement',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** At most this many events in one delivery. */
export const MAX_EVENTS_PER_DELIVERY = 500;

/** Ids that become part of a table key (webhook ids, insurer event ids) may only use these characters. */
export const SAFE_ID = ID_PATTERN;
const safeId = z.string().regex(SAFE_ID, 'must be 1–100 letters, digits or _ . : @ + -');

/** One event as the insurer sends it: its own id, the type, and a payload in the insurer's layout. */
export const RawEventSchema = z.object({
  id: safeId,
  type: z.enum(EVENT_TYPES),
  data: z.record(z.string(), z.unknown()),
});
export type RawEvent = z.output<typeof RawEventSchema>;

/** A delivery: one event, or `{ "events": [...] }` with 1–500 of them. Events are checked one by one. */
export const DeliveryBodySchema = z.union([
  z.object({ events: z.array(z.unknown()).min(1, 'needs at least one event').max(MAX_EVENTS_PER_DELIVERY) }),
  z.object({ id: z.unknown(), type: z.unknown(), data: z.unknown() }),
]);

// ---- our model: what an event says after the insurer's mapping is applied ------------------------

const personalId = z
  .string()
  .trim()
  .transform(normaliseId)
  .pipe(z.string().regex(/^[A-Z0-9]{4,20}$/, 'must be 4–20 letters or digits'));

/** The policyholder as the insurer knows them; matched to our clients by national id, tax id, then e-mail. */
export const HolderSchema = z
  .object({
    kind: z.enum(['PERSON', 'COMPANY']).default('PERSON'),
    firstName: optionalText(100),
    lastName: optionalText(100),
    companyName: optionalText(200),
    nationalId: personalId.nullish(),
    taxId: personalId.nullish(),
    email: EmailSchema.nullish(),
    phone: optionalText(20),
  })
  .superRefine((h, ctx) => {
    if (!h.nationalId && !h.taxId && !h.email)
      ctx.addIssue({
        code: 'custom',
        path: ['nationalId'],
        message: 'a national id, tax id or e-mail is required',
      });
  });
export type Holder = z.output<typeof HolderSchema>;

const reason = (fallback: string) => z.string().trim().max(500).default(fallback);

export const PolicyIssuedSchema = z.object({
  /** The insurer's own id of the policy: a re-sent issue creates nothing new. */
  externalId: text(100),
  policyNumber: text(60),
  productLineCode: text(40),
  premium: MoneyInputSchema,
  frequency: z.enum(['ANNUAL', 'SEMI_ANNUAL', 'QUARTERLY', 'MONTHLY']).default('ANNUAL'),
  writtenDate: IsoDateSchema,
  termStart: IsoDateSchema,
  termEnd: IsoDateSchema,
  status: z.enum(['OFFER', 'ACTIVE']).default('ACTIVE'),
  insuredObjects: z.array(InsuredObjectSchema).max(50).default([]),
  sellerEmail: EmailSchema.nullish(),
  holder: HolderSchema,
});

export const PolicyRenewedSchema = z.object({
  policyNumber: text(60),
  newPolicyNumber: text(60).nullish(),
  premium: MoneyInputSchema,
  writtenDate: IsoDateSchema,
  termStart: IsoDateSchema,
  termEnd: IsoDateSchema,
});

export const PolicyEndorsedSchema = z.object({
  policyNumber: text(60),
  newPremium: MoneyInputSchema,
  effectiveDate: IsoDateSchema,
  reason: reason('Endorsed by the insurer'),
});

export const PolicyStatusEventSchema = z.object({
  policyNumber: text(60),
  date: IsoDateSchema,
  reason: reason('Reported by the insurer'),
});

export const PremiumPaidSchema = z.object({
  policyNumber: text(60),
  amount: MoneyInputSchema,
  paidDate: IsoDateSchema,
  reference: optionalText(140),
});

export const CommissionStatementSchema = z.object({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM'),
  currency: z.string().trim().toUpperCase().length(3, 'must be a three-letter currency code'),
  lines: z
    .array(
      z.object({
        policyNumber: text(60),
        amount: AmountSchema,
        kind: optionalText(40),
      }),
    )
    .min(1, 'needs at least one line')
    .max(5000),
});

/** The schema each event type is validated against, after mapping. */
export const EVENT_SCHEMAS: Record<EventType, z.ZodType> = {
  'policy.issued': PolicyIssuedSchema,
  'policy.renewed': PolicyRenewedSchema,
  'policy.endorsed': PolicyEndorsedSchema,
  'policy.cancelled': PolicyStatusEventSchema,
  'policy.reactivated': PolicyStatusEventSchema,
  'premium.paid': PremiumPaidSchema,
  'commission.statement': CommissionStatementSchema,
};

// ---- mapping: the insurer's layout → our model, kept as data -------------------------------------

/** A dotted path into a JSON payload: `contract.number`, `objects.0.vin`. */
const PathSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'must be a dotted path such as contract.number');

export const MappingRuleSchema = z.object({
  /** Which event type the rule applies to; null for every type. */
  eventType: z.enum(EVENT_TYPES).nullish(),
  /** Where the value goes in our model (e.g. `policyNumber`, `holder.nationalId`). */
  target: PathSchema,
  /** Where the value is in the insurer's payload (e.g. `contract.no`). */
  source: PathSchema,
  /** Optional translation of values (e.g. the insurer's product code `MOT` → our `MTPL`). */
  values: z
    .array(z.object({ from: z.string().max(100), to: z.string().max(100) }))
    .max(200)
    .default([]),
});
export type MappingRule = z.output<typeof MappingRuleSchema>;

export const SetWebhookMappingSchema = z.object({
  insurerId: z.string().trim().min(1).max(64),
  /** 0 when the insurer has no mapping yet; otherwise the version read (optimistic locking). */
  expectedVersion: z.number().int().min(0),
  /** Owner of clients first seen in this insurer's events, when the event names no seller. */
  defaultAdvisorId: z.string().trim().min(1).max(64).nullish(),
  rules: z.array(MappingRuleSchema).max(200),
});

/** An insurer's field mapping, stored in the table and edited by an admin. */
export interface WebhookMapping {
  insurerId: string;
  rules: MappingRule[];
  defaultAdvisorId: string | null;
  version: number;
  updatedAt: string;
  updatedBy: string;
}

/** The mapping of an insurer that has none: version 0, payloads in our layout. */
export function emptyMapping(insurerId: string): WebhookMapping {
  return { insurerId, rules: [], defaultAdvisorId: null, version: 0, updatedAt: '', updatedBy: '' };
}

// ---- outcomes ----------------------------------------------------------------------------------

export interface EventFieldError {
  path: string;
  message: string;
  /** The insurer's own field, when the mapping moved it to `path`. */
  source?: string;
}

/** What happened to one event of a delivery. */
export interface EventOutcome {
  index: number;
  eventId: string | null;
  type: string | null;
  status: 'accepted' | 'duplicate' | 'rejected';
  /** The policy the event wrote or addressed, when there is one. */
  policyId?: string | null;
  /** What was done (e.g. "stored for reconciliation"). */
  note?: string;
  errors?: EventFieldError[];
}

/** The answer to a processed delivery (also what a repeat of it gets). */
export interface DeliveryReport {
  webhookId: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  events: EventOutcome[];
}

/** A delivery in the admin's list: where its raw body is archived and how it went. */
export interface WebhookDelivery {
  insurerId: string;
  webhookId: string;
  receivedAt: string;
  archiveKey: string;
  bodyBytes: number;
  statusCode: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  reprocessedAt: string | null;
  version: number;
}
