import * as z from 'zod';
import { EmailSchema, IdSchema, optionalText, text } from '../../shared/input.js';

/** Consent channels a form may ask for (the clients module's channels). */
export const LEAD_CONSENT_CHANNELS = ['MARKETING_EMAIL', 'SMS', 'PHONE'] as const;
export type LeadConsentChannel = (typeof LEAD_CONSENT_CHANNELS)[number];
/** Every consent purpose of the clients module: a partner records what the person gave it, processing of data included. */
export const CONSENT_PURPOSES = ['MARKETING_EMAIL', 'SMS', 'PHONE', 'DATA_PROCESSING'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** Accepted leads per form per minute, and per source address per hour (across the tenant's forms). */
export const LEAD_LIMITS = {
  perFormPerMinute: 30,
  formWindowSeconds: 60,
  perAddressPerHour: 5,
  addressWindowSeconds: 3600,
} as const;

/** Leads a partner (each sub-agent on its own) may submit per hour, across all its portal users. */
export const PARTNER_LEAD_LIMITS = { perPartnerPerHour: 60, windowSeconds: 3600 } as const;

/** The longest consent wording kept with a partner's lead (it goes on the consent record with its source). */
export const CONSENT_TEXT_MAX = 120;

/** The longest partner's note on a lead (it goes on the first-contact task). */
export const PARTNER_NOTE_MAX = 1000;

/** The name of the honeypot field: hidden from people, so only a bot fills it in. */
export const HONEYPOT_FIELD = 'website';

/** A public lead form of a landing page or partner site. */
export interface LeadForm {
  id: string;
  tenantId: string;
  name: string;
  branchId: string;
  leadSourceId: string;
  /** Browser origins allowed to post (CORS), e.g. `https://landing.example.com`. */
  allowedOrigins: string[];
  /** The consents the form asks for: only these are recorded. */
  consentsAsked: LeadConsentChannel[];
  /** Leads accepted so far: the round-robin position among the branch's advisors. */
  leadsAccepted: number;
  /**
   * Whether partners' portal leads (`submitPartnerLead`) are filed through this form: its branch's
   * advisors take them in the same turn and its lead source is recorded. Absent on older forms.
   */
  takesPartnerLeads?: boolean;
  createdBy: string;
  createdAt: string;
  version: number;
}

const OriginSchema = z
  .string()
  .trim()
  .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i, 'must be an origin such as https://landing.example.com')
  .transform((o) => o.toLowerCase());

export const CreateLeadFormSchema = z.object({
  name: text(120),
  branchId: IdSchema,
  leadSourceId: IdSchema,
  allowedOrigins: z.array(OriginSchema).max(20).default([]),
  consentsAsked: z.array(z.enum(LEAD_CONSENT_CHANNELS)).max(3).default([]),
  takesPartnerLeads: z.boolean().nullish(),
});
export type CreateLeadFormInput = z.output<typeof CreateLeadFormSchema>;

const idNumber = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s/.-]/g, '').toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9]{4,20}$/, 'must be 4–20 letters or digits'));

/**
 * What a landing page posts. A person's name, and at least an e-mail or a phone to contact them by.
 * `consents` names channels the visitor ticked; the honeypot must stay empty.
 */
export const LeadSubmissionSchema = z
  .object({
    firstName: text(100),
    lastName: text(100),
    email: EmailSchema.nullish(),
    phone: z
      .string()
      .trim()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +420601234567')
      .nullish(),
    nationalId: idNumber.nullish(),
    taxId: idNumber.nullish(),
    message: optionalText(2000),
    consents: z.array(z.enum(LEAD_CONSENT_CHANNELS)).max(3).default([]),
    [HONEYPOT_FIELD]: z.string().max(500).nullish(),
  })
  .superRefine((lead, ctx) => {
    if (!lead.email && !lead.phone)
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'an e-mail or a phone is required' });
  });
export type LeadSubmission = z.output<typeof LeadSubmissionSchema>;

/** A public request as the intake sees it: transport details already unwrapped by the handler. */
export interface LeadRequest {
  method: string;
  formId: string;
  origin: string | null;
  sourceAddress: string;
  body: string;
}

/** An HTTP answer, host-neutral. */
export interface LeadResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A consent the person gave the partner: the purpose, the wording agreed to and when. */
const PartnerConsentSchema = z.object({
  channel: z.enum(CONSENT_PURPOSES),
  given: z.literal(true, 'only consents given are submitted: withdrawals go to the brokerage'),
  text: text(CONSENT_TEXT_MAX),
  givenAt: z.iso.datetime({ offset: true, message: 'must be an ISO date-time' }),
});

/** A product line code as the catalog writes it, e.g. MTPL. */
const ProductCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z][A-Z0-9_]{1,19}$/, 'must be a product line code such as MTPL');

/**
 * What a partner submits: a person (first and last name) or a company (its name), an e-mail or a
 * phone to reach them by, the product lines they are interested in, a note, the consents they gave
 * (each purpose once) and the partner's own reference (idempotency).
 */
export const SubmitPartnerLeadSchema = z
  .object({
    kind: z.enum(['PERSON', 'COMPANY']),
    firstName: optionalText(100),
    lastName: optionalText(100),
    companyName: optionalText(200),
    email: EmailSchema.nullish(),
    phone: z
      .string()
      .trim()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +420601234567')
      .nullish(),
    productInterest: z.array(ProductCodeSchema).max(10).default([]),
    note: optionalText(PARTNER_NOTE_MAX),
    consents: z.array(PartnerConsentSchema).max(CONSENT_PURPOSES.length).default([]),
    externalReference: IdSchema.nullish(),
  })
  .superRefine((lead, ctx) => {
    if (lead.kind === 'PERSON') {
      if (!lead.firstName)
        ctx.addIssue({ code: 'custom', path: ['firstName'], message: 'is required for a person' });
      if (!lead.lastName)
        ctx.addIssue({ code: 'custom', path: ['lastName'], message: 'is required for a person' });
    }
    if (lead.kind === 'COMPANY' && !lead.companyName)
      ctx.addIssue({ code: 'custom', path: ['companyName'], message: 'is required for a company' });
    if (!lead.email && !lead.phone)
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'an e-mail or a phone is required' });
    lead.consents.forEach((c, i) => {
      if (lead.consents.findIndex((o) => o.channel === c.channel) !== i)
        ctx.addIssue({ code: 'custom', path: ['consents', i, 'channel'], message: 'is given twice' });
    });
  });
export type PartnerLeadSubmission = z.output<typeof SubmitPartnerLeadSchema>;

/**
 * How a partner's lead was filed, as the partner may know it: REFERRED (a client referred by this
 * partner, listed in `referredClients`) or NOT_ATTRIBUTED (the brokerage already knew the person:
 * passed to an advisor, but not the partner's referral, and nothing more is said).
 */
export type PartnerLeadStatus = 'REFERRED' | 'NOT_ATTRIBUTED';

/** The partner's receipt of a lead, kept under its external reference so a repeat answers it again. */
export interface PartnerLeadReceipt {
  id: string;
  partnerId: string;
  externalReference: string | null;
  /** The client, when it is the partner's referral; null otherwise (nothing of another client is told). */
  referredClientId: string | null;
  status: PartnerLeadStatus;
  submittedAt: string;
  submittedBy: string;
}
