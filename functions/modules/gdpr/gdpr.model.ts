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
