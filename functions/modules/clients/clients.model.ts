import * as z from 'zod';
import { EmailSchema, IdSchema, IsoDateSchema, optionalText, text } from '../../shared/input.js';

export const CLIENT_KINDS = ['PERSON', 'COMPANY'] as const;
export const SEGMENTS = ['INDIVIDUAL', 'BUSINESS', 'VIP'] as const;
/** How the client came: an advisor's own work, the brokerage's promotion, or a referral. */
export const ACQUISITION_TYPES = [
  'ADVISOR',
  'OWN_PROMOTION',
  'PARTNER_REFERRAL',
  'INTERNAL_REFERRAL',
] as const;
export const CLIENT_STATUSES = ['POTENTIAL', 'ACTIVE', 'LOST'] as const;
/** Consent purposes: marketing e-mails (an unsubscribe link withdraws it), SMS, phone, processing of data. */
export const CONSENT_CHANNELS = ['MARKETING_EMAIL', 'SMS', 'PHONE', 'DATA_PROCESSING'] as const;

export type ClientKind = (typeof CLIENT_KINDS)[number];
export type Segment = (typeof SEGMENTS)[number];
export type AcquisitionType = (typeof ACQUISITION_TYPES)[number];
export type ClientStatus = (typeof CLIENT_STATUSES)[number];
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];

/** Allowed lifecycle moves; every move is kept on the timeline with who, when and why. */
export const STATUS_TRANSITIONS: Record<ClientStatus, readonly ClientStatus[]> = {
  POTENTIAL: ['ACTIVE', 'LOST'],
  ACTIVE: ['LOST'],
  LOST: ['POTENTIAL', 'ACTIVE'],
};

export interface Address {
  street: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface Consent {
  channel: ConsentChannel;
  granted: boolean;
  at: string;
  /** How it was given or withdrawn: signed form, web form, phone call… */
  how: string;
  recordedBy: string;
}

export interface Client {
  id: string;
  kind: ClientKind;
  /** Display name: "Last First" for people, the company name for companies. */
  name: string;
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  /** Personal identification number (people); unique per tenant where present. */
  nationalId: string | null;
  companyName: string | null;
  /** Company tax / registration id; unique per tenant where present. */
  taxId: string | null;
  email: string | null;
  phone: string | null;
  address: Address | null;
  /** The parent in a corporate hierarchy (group → company → department). */
  parentClientId: string | null;
  segment: Segment;
  acquisitionType: AcquisitionType;
  leadSourceId: string | null;
  referringPartnerId: string | null;
  /** Null while the client waits in the branch's shared pool. */
  ownerAdvisorId: string | null;
  branchId: string;
  regionId: string | null;
  status: ClientStatus;
  tags: string[];
  consents: Consent[];
  inPool: boolean;
  /** Id in the system the client was imported from; unique per tenant, makes re-imports idempotent. */
  externalId: string | null;
  /** Set when the client was erased (anonymised) on a data subject's request; absent otherwise. */
  erasedAt?: string | null;
  sortName: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Contact {
  id: string;
  clientId: string;
  name: string;
  role: string | null;
  email: string | null;
  phone: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const TIMELINE_KINDS = [
  'CREATED',
  'STATUS_CHANGED',
  'NOTE',
  'TRANSFERRED',
  'POOLED',
  'TAKEN_FROM_POOL',
  'CONSENT',
  'POLICY_WRITTEN',
  'POLICY_ENDORSED',
  'POLICY_RENEWED',
  'POLICY_CANCELLED',
  'POLICY_REACTIVATED',
  'POLICY_LAPSED',
  'TASK_CREATED',
  'TASK_COMPLETED',
  'TASK_REASSIGNED',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const NOTE_KINDS = ['NOTE', 'CALL', 'LETTER', 'MEETING', 'COMPLAINT', 'FEEDBACK'] as const;
export type NoteKind = (typeof NOTE_KINDS)[number];

/** One entry on a client's timeline. Ids are ULIDs, so the timeline sorts by time across kinds. */
export interface TimelineEntry {
  id: string;
  clientId: string;
  kind: TimelineKind;
  at: string;
  by: string;
  summary: string;
  noteKind: NoteKind | null;
  text: string | null;
  fromStatus: ClientStatus | null;
  toStatus: ClientStatus | null;
  reason: string | null;
  policyId: string | null;
}

// ---- normalisation ------------------------------------------------------------------------

/** Lower case, accents and punctuation removed: the sort and search form of a name. */
export function sortNameOf(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .slice(0, 80);
}

/** National and tax ids are compared without spaces, slashes, dashes or case. */
export function normaliseId(value: string): string {
  return value.replace(/[\s/.-]/g, '').toUpperCase();
}

// ---- input schemas ------------------------------------------------------------------------

const id = IdSchema;
export const PhoneSchema = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +420601234567');
const expectedVersion = z.number().int().min(1);
const nationalId = z
  .string()
  .trim()
  .transform(normaliseId)
  .pipe(z.string().regex(/^[A-Z0-9]{4,20}$/, 'must be 4–20 letters or digits'));

export const AddressSchema = z.object({
  street: text(200),
  city: text(100),
  postalCode: text(20),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166 two-letter country code'),
});

const ConsentInputSchema = z.object({
  channel: z.enum(CONSENT_CHANNELS),
  granted: z.boolean(),
  how: text(200),
});

const clientFields = {
  kind: z.enum(CLIENT_KINDS),
  firstName: optionalText(100),
  lastName: optionalText(100),
  birthDate: IsoDateSchema.nullish(),
  nationalId: nationalId.nullish(),
  companyName: optionalText(200),
  taxId: nationalId.nullish(),
  email: EmailSchema.nullish(),
  phone: PhoneSchema.nullish(),
  address: AddressSchema.nullish(),
  parentClientId: id.nullish(),
  segment: z.enum(SEGMENTS),
  acquisitionType: z.enum(ACQUISITION_TYPES),
  leadSourceId: id.nullish(),
  referringPartnerId: id.nullish(),
  ownerAdvisorId: id.nullish(),
  status: z.enum(CLIENT_STATUSES).default('POTENTIAL'),
  tags: z.array(z.string().trim().min(1).max(40)).max(30).default([]),
  consents: z.array(ConsentInputSchema).max(10).default([]),
  externalId: optionalText(100),
};

function checkKindFields(
  c: { kind?: ClientKind; firstName?: string | null; lastName?: string | null; companyName?: string | null },
  ctx: z.RefinementCtx,
) {
  if (c.kind === 'PERSON') {
    if (!c.firstName)
      ctx.addIssue({ code: 'custom', path: ['firstName'], message: 'is required for a person' });
    if (!c.lastName)
      ctx.addIssue({ code: 'custom', path: ['lastName'], message: 'is required for a person' });
  }
  if (c.kind === 'COMPANY' && !c.companyName) {
    ctx.addIssue({ code: 'custom', path: ['companyName'], message: 'is required for a company' });
  }
}

export const CreateClientSchema = z.object(clientFields).superRefine((c, ctx) => {
  checkKindFields(c, ctx);
  if (c.acquisitionType === 'PARTNER_REFERRAL' && !c.referringPartnerId) {
    ctx.addIssue({
      code: 'custom',
      path: ['referringPartnerId'],
      message: 'is required for a partner referral',
    });
  }
  if (c.status === 'LOST')
    ctx.addIssue({ code: 'custom', path: ['status'], message: 'a new client cannot be LOST' });
});
export type CreateClientInput = z.output<typeof CreateClientSchema>;

export const UpdateClientSchema = z.object({
  id,
  expectedVersion,
  firstName: optionalText(100),
  lastName: optionalText(100),
  birthDate: IsoDateSchema.nullish(),
  nationalId: nationalId.nullish(),
  companyName: optionalText(200),
  taxId: nationalId.nullish(),
  email: EmailSchema.nullish(),
  phone: PhoneSchema.nullish(),
  address: AddressSchema.nullish(),
  parentClientId: id.nullish(),
  segment: z.enum(SEGMENTS).optional(),
  leadSourceId: id.nullish(),
  tags: z.array(z.string().trim().min(1).max(40)).max(30).optional(),
});

export const ChangeClientStatusSchema = z.object({
  id,
  expectedVersion,
  status: z.enum(CLIENT_STATUSES),
  reason: text(500),
});

export const RecordConsentSchema = z.object({ clientId: id, expectedVersion, ...ConsentInputSchema.shape });

export const AddContactSchema = z.object({
  clientId: id,
  name: text(200),
  role: optionalText(100),
  email: EmailSchema.nullish(),
  phone: PhoneSchema.nullish(),
});

export const AddNoteSchema = z.object({
  clientId: id,
  kind: z.enum(NOTE_KINDS),
  text: text(5000),
});

export const TransferClientSchema = z.object({
  clientId: id,
  expectedVersion,
  toAdvisorId: id,
  reason: text(500),
});

export const TransferBookSchema = z.object({
  fromAdvisorId: id,
  toAdvisorId: id,
  reason: text(500),
});

export const PoolClientSchema = z.object({ clientId: id, expectedVersion, reason: text(500) });
export const TakeFromPoolSchema = z.object({ clientId: id, expectedVersion });

export const ClientListFilterSchema = z.object({
  status: z.enum(CLIENT_STATUSES).nullish(),
  ownerAdvisorId: id.nullish(),
  branchId: id.nullish(),
});
