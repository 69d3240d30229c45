import * as z from 'zod';
import { IdSchema, IsoDateSchema, optionalText, text } from '../../shared/input.js';
import type { CampaignClient } from './ports.js';

export const CAMPAIGN_STATUSES = ['DRAFT', 'STARTED'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** The languages a campaign e-mail template and the unsubscribe page come in. */
export const CAMPAIGN_LANGUAGES = ['en', 'pl', 'lt', 'it', 'ru', 'cs'] as const;
export type CampaignLanguage = (typeof CAMPAIGN_LANGUAGES)[number];

/** Who a campaign targets: every criterion given must hold; an omitted one does not narrow. */
export interface CampaignSegment {
  clientKind: 'PERSON' | 'COMPANY' | null;
  segment: 'INDIVIDUAL' | 'BUSINESS' | 'VIP' | null;
  status: 'POTENTIAL' | 'ACTIVE' | 'LOST' | null;
  /** Product lines a member holds an ACTIVE policy of (all of them). */
  productLinesHeld: string[];
  /** Product lines a member holds no ACTIVE policy of. */
  productLinesNotHeld: string[];
  branchId: string | null;
  ownerId: string | null;
  /** An ACTIVE policy of the member's ends within [renewalFrom, renewalTo]. */
  renewalFrom: string | null;
  renewalTo: string | null;
  /** Tags a member carries (all of them). */
  tags: string[];
  /** True: only members whose latest marketing e-mail consent is granted. */
  marketingConsent: boolean | null;
  /** Only clients a learned cross-sell rule recommends this product line to (resolved at start). */
  crossSellCandidateFor?: string | null;
  /** With `crossSellCandidateFor`: the rule's confidence at least this (a decimal string, 0–1). */
  crossSellMinConfidence?: string | null;
}

/** Where a campaign's members come from: its segment (resolved at start) or an imported prospect list. */
export type CampaignTargetSource = 'SEGMENT' | 'PROSPECT_LIST';

/** A campaign: what is offered to whom, when, and its frozen member snapshot once started. */
export interface Campaign {
  id: string;
  name: string;
  periodFrom: string;
  periodTo: string;
  productLineIds: string[];
  ownerId: string;
  segment: CampaignSegment;
  /** PROSPECT_LIST once a prospect list was imported into the DRAFT: start then keeps those members. */
  targetSource: CampaignTargetSource;
  status: CampaignStatus;
  memberCount: number;
  startedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** One client of a campaign's snapshot, as it stood when the campaign started. */
export interface CampaignMember {
  campaignId: string;
  clientId: string;
  name: string;
  firstName: string | null;
  email: string | null;
  ownerAdvisorId: string | null;
  branchId: string;
  /** The marketing consent at the snapshot; e-mails re-check the client's current consent. */
  marketingConsent: boolean;
  /** The task distribution gave the member, once distributed. */
  taskId: string | null;
  assigneeId: string | null;
}

/** A client as a member of a campaign, undistributed: the snapshot of the fields e-mails and tasks use. */
export function memberOf(campaignId: string, c: CampaignClient): CampaignMember {
  return {
    campaignId,
    clientId: c.id,
    name: c.name,
    firstName: c.firstName,
    email: c.email,
    ownerAdvisorId: c.ownerAdvisorId,
    branchId: c.branchId,
    marketingConsent: c.marketingConsent,
    taskId: null,
    assigneeId: null,
  };
}

/** A tenant's e-mail template for one language: ICU MessageFormat with merge fields. */
export interface CampaignTemplate {
  key: string;
  language: CampaignLanguage;
  subject: string;
  html: string;
  text: string;
  updatedAt: string;
  updatedBy: string;
}

/**
 * That one template's e-mail went to one member: written before the send, so a repeat skips it; a
 * FAILED one (the provider refused) is claimed again and retried by the next run.
 */
export interface CampaignEmail {
  campaignId: string;
  templateKey: string;
  clientId: string;
  to: string;
  status: 'SENDING' | 'SENT' | 'FAILED';
  at: string;
  messageId: string | null;
  /** Sends tried so far, this one included (records from before retries lack it: 1). */
  attempts?: number;
  /** The provider's refusal of the last failed attempt. */
  error?: string | null;
}

const ids = z.array(IdSchema).max(20, 'at most 20').default([]);

const SegmentInputSchema = z.object({
  clientKind: z.enum(['PERSON', 'COMPANY']).nullish(),
  segment: z.enum(['INDIVIDUAL', 'BUSINESS', 'VIP']).nullish(),
  status: z.enum(['POTENTIAL', 'ACTIVE', 'LOST']).nullish(),
  productLinesHeld: ids.nullish(),
  productLinesNotHeld: ids.nullish(),
  branchId: IdSchema.nullish(),
  ownerId: IdSchema.nullish(),
  renewalFrom: IsoDateSchema.nullish(),
  renewalTo: IsoDateSchema.nullish(),
  tags: z.array(text(50)).max(20, 'at most 20').nullish(),
  marketingConsent: z.boolean().nullish(),
  crossSellCandidateFor: IdSchema.nullish(),
  crossSellMinConfidence: z
    .string()
    .trim()
    .regex(/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/, 'must be a decimal from 0 to 1 with at most 4 places')
    .nullish(),
});

export const CreateCampaignInputSchema = z
  .object({
    name: text(200),
    periodFrom: IsoDateSchema,
    periodTo: IsoDateSchema,
    productLineIds: z.array(IdSchema).min(1, 'at least one').max(20, 'at most 20'),
    ownerId: IdSchema.nullish(),
    segment: SegmentInputSchema.default({}),
  })
  .refine((i) => i.periodTo >= i.periodFrom, { path: ['periodTo'], message: 'must not be before periodFrom' })
  .refine((i) => !i.segment.crossSellMinConfidence || i.segment.crossSellCandidateFor, {
    path: ['segment', 'crossSellMinConfidence'],
    message: 'needs crossSellCandidateFor',
  })
  .refine(
    (i) => !i.segment.renewalFrom || !i.segment.renewalTo || i.segment.renewalTo >= i.segment.renewalFrom,
    {
      path: ['segment', 'renewalTo'],
      message: 'must not be before renewalFrom',
    },
  );

/** The segment as stored: every criterion present, null or empty where it does not narrow. */
export function segmentOf(input: z.output<typeof SegmentInputSchema>): CampaignSegment {
  return {
    clientKind: input.clientKind ?? null,
    segment: input.segment ?? null,
    status: input.status ?? null,
    productLinesHeld: input.productLinesHeld ?? [],
    productLinesNotHeld: input.productLinesNotHeld ?? [],
    branchId: input.branchId ?? null,
    ownerId: input.ownerId ?? null,
    renewalFrom: input.renewalFrom ?? null,
    renewalTo: input.renewalTo ?? null,
    tags: input.tags ?? [],
    marketingConsent: input.marketingConsent ?? null,
    crossSellCandidateFor: input.crossSellCandidateFor ?? null,
    crossSellMinConfidence: input.crossSellMinConfidence ?? null,
  };
}

export const StartCampaignInputSchema = z.object({ id: IdSchema, expectedVersion: z.number().int().min(1) });

export const DistributeCampaignInputSchema = z.object({
  campaignId: IdSchema,
  advisorIds: z.array(IdSchema).min(1, 'at least one').max(100, 'at most 100'),
  mode: z.enum(['ROUND_ROBIN', 'OPEN_TASK_LOAD']).default('ROUND_ROBIN'),
  keepOwners: z.boolean().default(true),
  typeCode: z.enum(['CALL', 'MEETING', 'OFFER', 'CUSTOM']).default('CALL'),
  title: optionalText(200),
});
export type DistributeCampaignInput = z.output<typeof DistributeCampaignInputSchema>;

const TEMPLATE_KEY = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,50}$/, 'must be 1–50 letters, digits, _ or -');

export const SetCampaignEmailTemplateInputSchema = z.object({
  key: TEMPLATE_KEY,
  language: z.enum(CAMPAIGN_LANGUAGES),
  subject: text(300),
  html: text(50_000),
  text: text(20_000),
});

export const SendCampaignEmailsInputSchema = z.object({ campaignId: IdSchema, templateKey: TEMPLATE_KEY });
