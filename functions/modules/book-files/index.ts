import type { Clock } from '../../shared/clock.js';
import { BookExportService, type ReportTarget } from './book-export.service.js';
import { BookImportService } from './book-import.service.js';
import type { BookClients, BookOrgDirectory, BookPolicies } from './ports.js';

/**
 * The book-files module's public entry: its composition and what other modules, entry points and
 * tests may use. Everything else in this folder is internal.
 */
export type { ReportTarget } from './book-export.service.js';
export { MAX_IMPORT_ROWS, MAX_SYNC_IMPORT_ROWS } from './book-files.model.js';
export {
  type BookRow,
  type BookRowResult,
  IMPORT_CONCURRENCY,
  type ImportRefs,
} from './book-import.service.js';
export type { BookClients, BookOrgDirectory, BookPolicies } from './ports.js';

/** The book-file services: import and export. */
export interface BookFilesModule {
  /** Clients and policies from CSV or XLSX, row by row through the API's own writes. */
  imports: BookImportService;
  /** Client and policy lists to CSV or XLSX behind an expiring link. */
  exports: BookExportService;
}

/** Builds the book-files module over the clients, policies and org modules' narrow lookups. */
export function createBookFilesModule(deps: {
  clients: BookClients;
  policies: BookPolicies;
  org: BookOrgDirectory;
  clock: Clock;
  reports: ReportTarget | null;
}): BookFilesModule {
  const { clients, policies, org, clock, reports } = deps;
  return {
    imports: new BookImportService(clients, policies, org),
    exports: new BookExportService(clients, policies, org, clock, reports),
  };
}
