import * as z from 'zod';
import { base64File } from '../../shared/input.js';
import { ClientListFilterSchema } from '../clients/index.js';
import { PolicyListFilterSchema } from '../policies/index.js';

export const BOOK_FILE_KINDS = ['CLIENTS', 'POLICIES'] as const;
export type BookFileKind = (typeof BOOK_FILE_KINDS)[number];
export const FILE_FORMATS = ['CSV', 'XLSX'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** Client fields a column may fill. Nested fields use dots; `tags` splits on `;`. */
export const CLIENT_IMPORT_FIELDS = [
  'externalId',
  'kind',
  'firstName',
  'lastName',
  'birthDate',
  'nationalId',
  'companyName',
  'taxId',
  'email',
  'phone',
  'address.street',
  'address.city',
  'address.postalCode',
  'address.country',
  'segment',
  'acquisitionType',
  'leadSourceId',
  'referringPartnerId',
  'ownerAdvisorId',
  'ownerAdvisorEmail',
  'status',
  'tags',
] as const;

/**
 * Policy fields a column may fill. The client is found by its external id or national id, the
 * insurer by id or name, the product line by id or code, the seller by id or e-mail; the insured
 * object is built from the `vehicle.*`, `property.*` or `person.*` columns by the product line.
 */
export const POLICY_IMPORT_FIELDS = [
  'externalId',
  'clientExternalId',
  'clientNationalId',
  'insurerId',
  'insurerName',
  'productLineId',
  'productLineCode',
  'policyNumber',
  'premium.amount',
  'premium.currency',
  'frequency',
  'writtenDate',
  'termStart',
  'termEnd',
  'status',
  'sellerId',
  'sellerEmail',
  'vehicle.registrationPlate',
  'vehicle.vin',
  'property.address',
  'person.name',
  'person.birthDate',
  'object.description',
] as const;

/** Most rows one book file may have: a job (`startBookImport`) takes this many, `importBook` fewer. */
export const MAX_IMPORT_ROWS = 2000;
/**
 * Rows `importBook` takes within one request; a longer file is a job (`startBookImport`). Measured:
 * see README "Imports"; the bound keeps the worst case well inside the API's 29 s.
 */
export const MAX_SYNC_IMPORT_ROWS = 100;
/** Most rows one export writes; larger books are exported by filter (branch, status…). */
export const MAX_EXPORT_ROWS = 20_000;
/** How long an export's signed link works. */
export const EXPORT_LINK_SECONDS = 15 * 60;

const column = z.string().trim().min(1, 'is required').max(100);

export const ImportBookSchema = z
  .object({
    kind: z.enum(BOOK_FILE_KINDS),
    format: z.enum(FILE_FORMATS),
    /** The file, base64-encoded (≈ 10 MB of text at most). */
    contentBase64: base64File(14_000_000),
    mapping: z
      .array(z.object({ column, field: z.string().trim().min(1) }))
      .min(1, 'needs at least one column'),
  })
  .superRefine((input, ctx) => {
    const allowed: readonly string[] = input.kind === 'CLIENTS' ? CLIENT_IMPORT_FIELDS : POLICY_IMPORT_FIELDS;
    const seen = new Set<string>();
    input.mapping.forEach((m, i) => {
      if (!allowed.includes(m.field)) {
        ctx.addIssue({
          code: 'custom',
          path: ['mapping', i, 'field'],
          message: `is not a ${input.kind.toLowerCase()} import field`,
        });
      }
      if (seen.has(m.field))
        ctx.addIssue({ code: 'custom', path: ['mapping', i, 'field'], message: 'is mapped twice' });
      seen.add(m.field);
    });
    if (!seen.has('externalId')) {
      ctx.addIssue({
        code: 'custom',
        path: ['mapping'],
        message:
          'must map a column to externalId, so that importing the same file again creates no duplicates',
      });
    }
  });
export type ImportBookInput = z.output<typeof ImportBookSchema>;

export const ExportBookSchema = z.object({
  kind: z.enum(BOOK_FILE_KINDS),
  format: z.enum(FILE_FORMATS),
  clientFilter: ClientListFilterSchema.nullish(),
  policyFilter: PolicyListFilterSchema.nullish(),
});

/** Why one row was not imported: the column and field at fault, and what is wrong. */
export interface RowError {
  column: string | null;
  field: string | null;
  message: string;
}

export interface RejectedRow {
  /** Row number in the file, the header being row 1. */
  row: number;
  externalId: string | null;
  errors: RowError[];
}

export interface ImportReport {
  total: number;
  created: number;
  /** Rows whose external id was imported before: skipped, nothing written. */
  duplicates: number;
  rejected: RejectedRow[];
  /** Ids created, in row order. */
  createdIds: string[];
}

export interface ExportResult {
  url: string;
  expiresAt: string;
  fileName: string;
  rowCount: number;
  /** True when the list was longer than one export takes. */
  truncated: boolean;
}
