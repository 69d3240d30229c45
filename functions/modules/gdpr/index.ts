import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { DataSubjectRepository } from './data-subject.repository.js';
import { DataSubjectService } from './data-subject.service.js';
import type {
  SubjectArchives,
  SubjectBook,
  SubjectDocuments,
  SubjectFiles,
  SubjectStoredFiles,
} from './ports.js';
import { RetentionRepository } from './retention.repository.js';
import { RetentionService, type TenantList } from './retention.service.js';

/**
 * The GDPR module's public entry: data subject requests (access export, erasure). Consents are the
 * clients module's (`recordConsent`, purposes MARKETING_EMAIL, SMS, PHONE, DATA_PROCESSING).
 */
export type {
  DataSubjectErasure,
  DataSubjectExport,
  RetentionRunResult,
  RetentionSettings,
} from './gdpr.model.js';
export type {
  SubjectArchiveLink,
  SubjectArchives,
  SubjectBook,
  SubjectDocuments,
  SubjectFiles,
  SubjectStoredFiles,
} from './ports.js';
export { RETENTION_ACTOR, type TenantList } from './retention.service.js';
export { identifyingStrings, pseudonymOf, stillNames } from './scrub.js';

/** The GDPR module's services. */
export interface GdprModule {
  /** Subject access exports and erasure. */
  subjects: DataSubjectService;
  /** Retention settings per tenant and the daily schedule that applies them. */
  retention: RetentionService;
}

export function createGdprModule(deps: {
  db: Db;
  clock: Clock;
  book: SubjectBook;
  files: SubjectFiles | null;
  tenants: TenantList;
  /** Absent: the readable export is in English with the brokerage unnamed (tests of erasure only). */
  documents?: SubjectDocuments;
  /** The insurer webhook archive (null where a process has no archive bucket: archives are left). */
  archives?: SubjectArchives | null;
  /** Invoice PDFs and dunning letters (null where a process has no reports bucket). */
  storedFiles?: SubjectStoredFiles | null;
}): GdprModule {
  const subjects = new DataSubjectService(
    new DataSubjectRepository(deps.db),
    deps.book,
    deps.clock,
    deps.files,
    deps.documents ?? null,
    { archives: deps.archives ?? null, storedFiles: deps.storedFiles ?? null },
  );
  return {
    subjects,
    retention: new RetentionService(new RetentionRepository(deps.db), subjects, deps.tenants, deps.clock),
  };
}
