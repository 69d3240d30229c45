import * as z from 'zod';
import { EmailSchema, IdSchema, optionalText, text } from '../../shared/input.js';

/** Consent channels a form may ask for (the clients module's channels). */
export const LEAD_CONSENT_CHANNELS = ['MARKETING_EMAIL', 'SMS', 'PHONE'] as const;
export type LeadConsentChannel = (typeof LEAD_CONSENT_CHANNELS)[number];

/** Accepted leads per form per minute, and per source address per hour (across the tenant's forms). */
export const LEAD_LIMITS = {
  perFormPerMinute: 30,
  formWindowSeconds: 60,
  perAddressPerHour: 5,
  addressWindowSeconds: 3600,
} as const;

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
