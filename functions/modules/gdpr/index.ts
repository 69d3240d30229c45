import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { DataSubjectRepository } from './data-subject.repository.js';
import { DataSubjectService } from './data-subject.service.js';
import type { SubjectBook, SubjectFiles } from './ports.js';

/**
 * The GDPR module's public entry: data subject requests (access export, erasure). Consents are the
 * clients module's (`recordConsent`, purposes MARKETING_EMAIL, SMS, PHONE, DATA_PROCESSING).
 */
export type { DataSubjectErasure, DataSubjectExport } from './gdpr.model.js';
export type { SubjectBook, SubjectFiles } from './ports.js';
export { identifyingStrings, pseudonymOf, stillNames } from './scrub.js';

/** The GDPR module's services. */
export interface GdprModule {
  /** Subject access exports and erasure. */
  subjects: DataSubjectService;
}

export function createGdprModule(deps: {
  db: Db;
  clock: Clock;
  book: SubjectBook;
  files: SubjectFiles | null;
}): GdprModule {
  return {
    subjects: new DataSubjectService(new DataSubjectRepository(deps.db), deps.book, deps.clock, deps.files),
  };
}
