import * as z from 'zod';
import { IdSchema, text } from '../../shared/input.js';

/** How long the signed links of a data subject export work. */
export const SUBJECT_EXPORT_LINK_SECONDS = 15 * 60;

export const ExportDataSubjectSchema = z.object({ clientId: IdSchema });

export const EraseDataSubjectSchema = z.object({
  clientId: IdSchema,
  /** Why (the request's reference, e.g. `GDPR request 2026/118`); kept on the record and its audit entry. */
  reason: text(500),
});

/** Where a subject access export went: the JSON and the readable PDF, each behind a signed link. */
export interface DataSubjectExport {
  clientId: string;
  jsonUrl: string;
  pdfUrl: string;
  expiresAt: string;
  /** Items exported per section, e.g. `{ policies: 2, timeline: 7 }`. */
  sections: Array<{ name: string; items: number }>;
}

/** The outcome of an erasure (the same shape when it is asked again). */
export interface DataSubjectErasure {
  clientId: string;
  pseudonym: string;
  erasedAt: string;
  /** True when the client had been erased before this request (the sweep ran again, changing nothing new). */
  alreadyErased: boolean;
  /** Stored items rewritten or removed by this request. */
  itemsChanged: number;
}

/** Everything held on a person, by section, as the export writes it. */
export interface SubjectDocument {
  clientId: string;
  exportedAt: string;
  sections: Record<string, unknown[]>;
}

/** Statuses the retention schedule erases after a tenant's period: clients the brokerage does not serve. */
export const RETAINED_STATUSES = ['POTENTIAL', 'LOST'] as const;

/** A tenant's retention settings: days since a client's last change after which it is erased; null keeps forever. */
export interface RetentionSettings {
  erasePotentialAfterDays: number | null;
  eraseLostAfterDays: number | null;
  /** 0 while the tenant has stored none (the defaults: keep forever). */
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

const days = z
  .number()
  .int()
  .min(30, 'must be at least 30 days')
  .max(36500, 'must be at most 36500 days')
  .nullable();

export const SetRetentionSettingsSchema = z.object({
  expectedVersion: z.number().int().min(0),
  erasePotentialAfterDays: days,
  eraseLostAfterDays: days,
});

/** What one run of the retention schedule did, summed over tenants. */
export interface RetentionRunResult {
  tenants: number;
  erased: number;
  failed: number;
}
