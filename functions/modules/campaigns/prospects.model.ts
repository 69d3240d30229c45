import * as z from 'zod';
import { base64File, IdSchema } from '../../shared/input.js';

/**
 * Prospect fields a column may fill (nested address fields use dots; `tags` splits on `;`). A new
 * prospect becomes a POTENTIAL client through the clients module, which validates each field.
 */
export const PROSPECT_FIELDS = [
  'kind',
  'firstName',
  'lastName',
  'companyName',
  'birthDate',
  'nationalId',
  'taxId',
  'email',
  'phone',
  'address.street',
  'address.city',
  'address.postalCode',
  'address.country',
  'segment',
  'tags',
] as const;
export type ProspectField = (typeof PROSPECT_FIELDS)[number];

/**
 * Rows one prospect list may have: imported within the request, a few rows at a time (measured:
 * README "Campaigns", prospect lists).
 */
export const MAX_PROSPECT_ROWS = 500;

const column = z.string().trim().min(1, 'is required').max(100);

export const ImportCampaignProspectsInputSchema = z
  .object({
    campaignId: IdSchema,
    format: z.enum(['CSV', 'XLSX']),
    /** The file, base64-encoded (≈ 3 MB of text at most: 500 rows fit easily). */
    contentBase64: base64File(4_000_000),
    /** Omitted: every column named like a prospect field (case-insensitive) fills that field. */
    mapping: z
      .array(z.object({ column, field: z.enum(PROSPECT_FIELDS, 'is not a prospect field') }))
      .min(1, 'needs at least one column')
      .max(PROSPECT_FIELDS.length)
      .nullish(),
    leadSourceId: IdSchema,
    ownerAdvisorId: IdSchema.nullish(),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    input.mapping?.forEach((m, i) => {
      if (seen.has(m.field))
        ctx.addIssue({ code: 'custom', path: ['mapping', i, 'field'], message: 'is mapped twice' });
      seen.add(m.field);
    });
  });
export type ImportCampaignProspectsInput = z.output<typeof ImportCampaignProspectsInputSchema>;

/** One problem with one field of a rejected line: the field's path, its column, and what is wrong. */
export interface ProspectFieldError {
  /** The field's path (`email`, `address.city`); null for a problem of the whole line. */
  path: string | null;
  column: string | null;
  message: string;
}

/** A line of the file that added no member (the header is line 1). */
export interface RejectedProspect {
  line: number;
  errors: ProspectFieldError[];
}

/** What a prospect import did with the file's lines. */
export interface ProspectImportReport {
  total: number;
  /** Lines that named an existing client (national id, tax id, e-mail, or this file's line imported before). */
  matched: number;
  /** Lines that became new potential clients. */
  created: number;
  rejected: number;
  rejectedLines: RejectedProspect[];
}
