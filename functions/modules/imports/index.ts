import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { ImportsRepository } from './imports.repository.js';
import { type BookImporter, type ImportRunOptions, ImportsService } from './imports.service.js';

/**
 * The imports module's public entry: its composition and what other modules, entry points and tests
 * may use. Everything else in this folder is internal.
 */
export type { ImportJob, ImportJobRow } from './imports.model.js';
export type { BookImporter, ImportRunOptions } from './imports.service.js';

/** The imports module's services. */
export interface ImportsModule {
  /** Long imports as jobs: started through GraphQL, run by the imports function. */
  jobs: ImportsService;
}

/** Builds the imports module over the data layer, with the importers it runs rows through. */
export function createImportsModule(deps: {
  db: Db;
  clock: Clock;
  bookFiles: BookImporter;
  invoices: ConstructorParameters<typeof ImportsService>[2];
  runs?: Partial<ImportRunOptions>;
}): ImportsModule {
  return {
    jobs: new ImportsService(
      new ImportsRepository(deps.db),
      deps.bookFiles,
      deps.invoices,
      deps.clock,
      deps.runs,
    ),
  };
}
