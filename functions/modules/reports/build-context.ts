import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import type { NameDirectory, ReportLists } from './ports.js';
import type { ReportDocument, ReportTable } from './report-document.js';
import type { Translate } from './report-messages.js';
import type { ReportJob } from './reports.model.js';

type PageRequest = { limit: number; cursor: string | null };

/** What a report builder gets: the requester's rights, the lists, names, the language, progress. */
export interface BuildContext {
  p: Principal;
  job: ReportJob;
  lists: ReportLists;
  names: NameDirectory;
  tenantName: string;
  t: Translate;
  /** The months the job covers (`period`, or `from` to `to`); null when it names none. */
  periods: string[] | null;
  /** Formats a date (`YYYY-MM-DD`) in the document's locale, for subtitles. */
  date(iso: string): string;
  /** Reads every page of a list, reporting progress after each page. */
  collect<T>(fetch: (page: PageRequest) => Promise<Page<T>>): Promise<T[]>;
  /** The document with the job's title and subtitle lines (period), around the given tables. */
  document(tables: ReportTable[], extra?: Partial<ReportDocument>): ReportDocument;
}
