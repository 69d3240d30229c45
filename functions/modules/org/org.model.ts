import * as z from 'zod';
import { isStaff, sitsInBranch } from '../../shared/auth/policy.js';
import { ROLES, type Role, SCOPES, type Scope } from '../../shared/auth/principal.js';
import { EmailSchema, IdSchema, IsoDateSchema } from '../../shared/input.js';
import { CurrencySchema } from '../../shared/money.js';

/** Fields every org record carries. */
export interface Versioned {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** The brokerage as a supplier on its invoices: who issues them and where they are paid. */
export interface SupplierDetails {
  registeredName: string;
  address: { street: string; city: string; postalCode: string; country: string };
  companyId: string | null;
  vatId: string | null;
  bankAccount: { iban: string; bic: string | null; bankName: string | null };
  /** Printed on an invoice whose fees are exempt from VAT (e.g. the exemption's legal basis). */
  taxNote: string | null;
}

export interface TenantSettings {
  id: string;
  name: string;
  baseCurrency: string;
  locale: string;
  timeZone: string;
  /** Absent until an admin sets it: invoices then carry only the brokerage's name. */
  supplier?: SupplierDetails | null;
  version: number;
  updatedAt: string;
}

export interface Region extends Versioned {
  name: string;
  active: boolean;
}

export type BranchKind = 'OWN' | 'FRANCHISE';

export interface Branch extends Versioned {
  name: string;
  kind: BranchKind;
  regionId: string;
  active: boolean;
}

export interface User extends Versioned {
  name: string;
  email: string;
  phone: string | null;
  role: Role;
  scope: Scope;
  branchId: string | null;
  managerId: string | null;
  partnerId: string | null;
  /** Partner users only: this user manages the partner's portal users and sub-agents. */
  partnerAdmin?: boolean;
  active: boolean;
  /** The user's moves, kept with each move so a hierarchy read needs no Query (upline.ts); absent before the migration. */
  placementHistory?: PlacementChange[];
  /** The user's rate-group memberships, kept with each (upline.ts); absent before the migration. */
  rateGroupHistory?: RateGroupSpell[];
  /** Which managers to prefetch for a date (upline.ts): a hint a read verifies, never trusted alone. */
  uplineHint?: UplineSegment[];
}

export interface UserMove {
  userId: string;
  effectiveDate: string;
  fromBranchId: string | null;
  toBranchId: string | null;
  fromManagerId: string | null;
  toManagerId: string | null;
  reason: string | null;
  movedBy: string;
  at: string;
}

/** What a placement on a date needs of a move. */
export type PlacementMove = Pick<
  UserMove,
  'effectiveDate' | 'fromBranchId' | 'toBranchId' | 'fromManagerId' | 'toManagerId'
>;

/** A move as kept on the user item (upline.ts): the move item's id and what a placement needs. */
export interface PlacementChange extends PlacementMove {
  id: string;
}

/** A rate-group membership as kept on the user item (upline.ts). */
export type RateGroupSpell = Pick<RateGroupMembership, 'rateGroupId' | 'from' | 'promotion'> & { id: string };

/** From `from` (inclusive; '' = since always) the user's managers, nearest first (upline.ts). */
export interface UplineSegment {
  from: string;
  managerIds: string[];
}

export interface RateGroup extends Versioned {
  name: string;
  description: string | null;
  active: boolean;
}

export interface RateGroupMembership {
  userId: string;
  rateGroupId: string;
  from: string;
  setBy: string;
  at: string;
  /** Set when the commission consumer promoted the user automatically: what earned it. */
  promotion?: RateGroupPromotion | null;
}

/** Why an automatic promotion happened: the scheme's rule and the month's personal production. */
export interface RateGroupPromotion {
  schemeId: string;
  ruleId: string;
  /** The group's name when promoted. */
  rateGroupName: string;
  /** The month (`YYYY-MM`) whose production passed the threshold. */
  period: string;
  written: string;
  threshold: string;
  currency: string;
}

export type PartnerKind = 'EXTERNAL' | 'INTERNAL';

export interface Partner extends Versioned {
  name: string;
  kind: PartnerKind;
  userId: string | null;
  companyId: string | null;
  email: string | null;
  active: boolean;
  /** For a sub-agent: the partner whose network it belongs to (its admin manages it). */
  parentPartnerId?: string | null;
}

export interface LeadSource extends Versioned {
  name: string;
  active: boolean;
}

export interface Insurer extends Versioned {
  name: string;
  companyId: string | null;
  active: boolean;
}

/** Webhook signing secrets of an insurer; kept apart from {@link Insurer} and never returned by a query. */
export interface InsurerSecrets {
  insurerId: string;
  current: string;
  previous: string | null;
  previousValidUntil: string | null;
}

export interface ProductLine extends Versioned {
  code: string;
  name: string;
  active: boolean;
}

// ---- input schemas -------------------------------------------------------------------------

const name = z.string().trim().min(1, 'is required').max(200, 'is too long');
const id = IdSchema;
const optionalText = (max: number) => z.string().trim().max(max).nullish();
const expectedVersion = z.number().int().min(1);

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function isLocale(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

export const TenantSettingsInputSchema = z.object({
  name,
  baseCurrency: CurrencySchema,
  locale: z.string().refine(isLocale, 'must be a BCP-47 locale such as cs-CZ'),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Prague'),
});

/** ISO 13616: country, check digits, then the account; valid when the rearranged number mod 97 is 1. */
export function isIban(value: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(value)) return false;
  const digits = (value.slice(4) + value.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return rest === 1;
}

const compact = (v: string) => v.replace(/\s+/g, '').toUpperCase();

export const SupplierDetailsSchema = z.object({
  registeredName: name,
  address: z.object({
    street: z.string().trim().min(1, 'is required').max(200),
    city: z.string().trim().min(1, 'is required').max(100),
    postalCode: z.string().trim().min(1, 'is required').max(20),
    country: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 two-letter country code'),
  }),
  companyId: optionalText(40).transform((v) => v ?? null),
  vatId: optionalText(40).transform((v) => v ?? null),
  bankAccount: z.object({
    iban: z.string().transform(compact).refine(isIban, 'must be a valid IBAN'),
    bic: z
      .string()
      .transform(compact)
      .refine((v) => /^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(v), 'must be a BIC of 8 or 11 characters')
      .nullish()
      .transform((v) => v ?? null),
    bankName: optionalText(100).transform((v) => v ?? null),
  }),
  taxNote: optionalText(300).transform((v) => v ?? null),
});

export const UpdateTenantSettingsSchema = TenantSettingsInputSchema.partial().extend({
  expectedVersion,
  supplier: SupplierDetailsSchema.nullish(),
});

export const CreateRegionSchema = z.object({ name });
export const UpdateRegionSchema = z.object({
  id,
  expectedVersion,
  name: name.optional(),
  active: z.boolean().optional(),
});

const BranchKindSchema = z.enum(['OWN', 'FRANCHISE']);
export const CreateBranchSchema = z.object({ name, kind: BranchKindSchema, regionId: id });
export const UpdateBranchSchema = z.object({
  id,
  expectedVersion,
  name: name.optional(),
  kind: BranchKindSchema.optional(),
  regionId: id.optional(),
  active: z.boolean().optional(),
});

const email = EmailSchema;
const phone = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +420601234567');

export const CreateUserSchema = z
  .object({
    name,
    email,
    phone: phone.nullish(),
    role: z.enum(ROLES),
    scope: z.enum(SCOPES),
    branchId: id.nullish(),
    managerId: id.nullish(),
    partnerId: id.nullish(),
  })
  .superRefine((u, ctx) => {
    if (!isStaff(u.role) && !u.partnerId) {
      ctx.addIssue({ code: 'custom', path: ['partnerId'], message: 'is required for partner users' });
    }
    if (sitsInBranch(u.role) && !u.branchId) {
      ctx.addIssue({ code: 'custom', path: ['branchId'], message: `is required for ${u.role} users` });
    }
    if (!isStaff(u.role) && u.scope !== 'own') {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: 'must be OWN for partner users' });
    }
  });

export const UpdateUserSchema = z.object({
  id,
  expectedVersion,
  name: name.optional(),
  email: email.optional(),
  phone: phone.nullish(),
  role: z.enum(ROLES).optional(),
  scope: z.enum(SCOPES).optional(),
  active: z.boolean().optional(),
});

export const MoveUserSchema = z.object({
  id,
  expectedVersion,
  branchId: id.nullish(),
  managerId: id.nullish(),
  effectiveDate: IsoDateSchema,
  reason: optionalText(500),
});

export const SetUserRateGroupSchema = z.object({ userId: id, rateGroupId: id, from: IsoDateSchema });

export const CreateRateGroupSchema = z.object({ name, description: optionalText(1000) });
export const UpdateRateGroupSchema = z.object({
  id,
  expectedVersion,
  name: name.optional(),
  description: optionalText(1000),
  active: z.boolean().optional(),
});

export const CreatePartnerSchema = z
  .object({
    name,
    kind: z.enum(['EXTERNAL', 'INTERNAL']),
    userId: id.nullish(),
    companyId: optionalText(40),
    email: email.nullish(),
  })
  .superRefine((p, ctx) => {
    if (p.kind === 'INTERNAL' && !p.userId) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'is required for an internal partner' });
    }
  });
export const UpdatePartnerSchema = z.object({
  id,
  expectedVersion,
  name: name.optional(),
  companyId: optionalText(40),
  email: email.nullish(),
  active: z.boolean().optional(),
});

export const CreateLeadSourceSchema = z.object({ name });
export const UpdateLeadSourceSchema = z.object({
  id,
  expectedVersion,
  name: name.optional(),
  active: z.boolean().optional(),
});

export const CreateInsurerSchema = z.object({ name, companyId: optionalText(40) });
export const UpdateInsurerSchema = z.object({
  id,
  expectedVersion,
  name: name.optional(),
  companyId: optionalText(40),
  active: z.boolean().optional(),
});

export const CreateProductLineSchema = z.object({
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z][A-Z0-9_]{1,19}$/, 'must be 2–20 letters, digits or _ starting with a letter'),
  name,
});
export const UpdateProductLineSchema = z.object({
  id,
  expectedVersion,
  name: name.optional(),
  active: z.boolean().optional(),
});
