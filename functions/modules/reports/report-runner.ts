import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { isDomainError } from '../../shared/errors.js';
import { logger } from '../../shared/logger.js';
import type { ObjectStore } from '../../shared/object-store.js';
import type { BuildContext } from './build-context.js';
import type { ReportDirectory, ReportLists } from './ports.js';
import { BUILDERS, LIST_REPORTS } from './report-builders.js';
import type { ReportDocument } from './report-document.js';
import { ReportFormatter } from './report-format.js';
import { eachPage, type PageRequest } from './report-listing.js';
import { type MessageKey, translator } from './report-messages.js';
import { streamListReport } from './report-streaming.js';
import { monthsBetween, type ReportJob } from './reports.model.js';
import type { ReportsRepository } from './reports.repository.js';

/** What one run did, for the handler's log and for tests. */
export interface ReportRunResult {
  jobId: string;
  status: ReportJob['status'] | null;
  rows: number;
  /** False when the job was finished already or another run moved it first. */
  ran: boolean;
}

/** Where built files go. */
export interface ReportBucket {
  store: ObjectStore;
  bucket: string;
}

const CONTENT_TYPES = {
  CSV: 'text/csv; charset=utf-8',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  PDF: 'application/pdf',
} as const;

/** Rows per page read from a list collected whole: the API's maximum page. */
const PAGE_ROWS = 100;
/**
 * Rows per page read from a streamed list. The API's page of 100 bounds what one HTTP answer
 * carries; a streamed report holds one page at a time whatever its size, and reading 1,000 (or
 * DynamoDB's 1 MB, whichever is less) per Query makes a tenth of the round trips and progress writes.
 */
const STREAM_PAGE_ROWS = 1000;

/**
 * Builds one report job: reads its list with the requester's rights page by page (progress after
 * each page), renders the file, stores it under a key derived from the job (a rerun overwrites the
 * same object) and marks the job READY. Every step is a versioned write: a redelivered event whose
 * run loses the version check stops. A domain error (the requester lost the right, a filter the list
 * refuses) FAILS the job with its message; any other error is thrown for the bus to retry.
 */
export class ReportRunner {
  constructor(
    private readonly repo: ReportsRepository,
    private readonly lists: ReportLists,
    private readonly directory: ReportDirectory,
    private readonly target: ReportBucket,
    private readonly clock: Clock,
    /** Rows per page of every read (tests shrink it to see progress move); default per path. */
    private readonly pageRows?: number,
  ) {}

  async run(tenantId: string, jobId: string): Promise<ReportRunResult> {
    const found = await this.repo.getReportJob(tenantId, jobId);
    if (!found || found.status === 'READY' || found.status === 'FAILED')
      return { jobId, status: found?.status ?? null, rows: found?.rows ?? 0, ran: false };
    let job = await this.repo.checkpoint(tenantId, found, {
      status: 'RUNNING',
      progress: 5,
      rows: 0,
      updatedAt: this.now(),
    });
    if (!job) return { jobId, status: found.status, rows: 0, ran: false };
    const move = async (changes: Partial<ReportJob>): Promise<boolean> => {
      const next = job
        ? await this.repo.checkpoint(tenantId, job, { ...changes, updatedAt: this.now() })
        : null;
      if (!next) throw new RunSuperseded();
      job = next;
      return true;
    };
    try {
      const tenant = await this.directory.tenant(tenantId);
      const names = await this.directory.names(tenantId);
      const formatter = new ReportFormatter(job.locale);
      const t = translator(job.locale);
      let rows = 0;
      let pages = 0;
      // A list's length is known only at its end: progress climbs toward 80 with each page.
      const pageRead = async (total: number) => {
        rows = total;
        pages++;
        await move({ rows, progress: Math.min(80, Math.round(80 - 70 / (1 + pages / 3))) });
      };
      const ctx: BuildContext = {
        p: job.principal,
        job,
        lists: this.lists,
        names,
        tenantName: tenant.name,
        t,
        periods: periodsOf(job),
        date: (iso) => formatter.date(iso),
        collect: async <T>(fetch: (page: PageRequest) => Promise<Page<T>>) => {
          const items: T[] = [];
          await eachPage(fetch, this.pageRows ?? PAGE_ROWS, async (page) => {
            items.push(...page);
            await pageRead(rows + page.length);
          });
          return items;
        },
        document: (tables, extra = {}) => ({
          title: t(`title.${found.reportType}` as MessageKey),
          subtitle: [
            ...(periodLabel(job) ? [t('period', { period: periodLabel(job) })] : []),
            ...(extra.subtitle ?? []),
          ],
          summary: extra.summary ?? [],
          tables,
        }),
      };
      const { format } = job;
      const key = `${tenantId}/reports/${job.createdAt.slice(0, 10)}/${job.id}.${format.toLowerCase()}`;
      const list = LIST_REPORTS[job.reportType];
      let dataRows: number;
      if (list && format !== 'PDF') {
        dataRows = await streamListReport(list(ctx), {
          format,
          title: t(`title.${found.reportType}` as MessageKey),
          totalLabel: t('total'),
          pageRows: this.pageRows ?? STREAM_PAGE_ROWS,
          store: (body) => this.target.store.putStream(this.target.bucket, key, body, CONTENT_TYPES[format]),
          onPage: pageRead,
        });
      } else {
        const doc = await BUILDERS[job.reportType](ctx);
        dataRows = doc.tables[0]?.rows.length ?? 0;
        await move({ progress: 85, rows: dataRows });
        const body = await this.render(job, doc, { tenantName: tenant.name, formatter, t });
        await this.target.store.put(this.target.bucket, key, body, CONTENT_TYPES[job.format]);
      }
      const covered = periodLabel(job).replace(' – ', '_');
      const fileName = `${job.reportType.toLowerCase().replaceAll('_', '-')}${covered ? `-${covered}` : ''}.${job.format.toLowerCase()}`;
      await move({
        status: 'READY',
        progress: 100,
        rows: dataRows,
        objectKey: key,
        fileName,
        finishedAt: this.now(),
      });
      return { jobId, status: 'READY', rows: dataRows, ran: true };
    } catch (error) {
      if (error instanceof RunSuperseded) return { jobId, status: null, rows: 0, ran: false };
      if (!isDomainError(error)) throw error;
      logger.info('report job failed', { jobId, code: error.code });
      await move({ status: 'FAILED', error: error.message, finishedAt: this.now() }).catch(() => false);
      return { jobId, status: 'FAILED', rows: 0, ran: true };
    }
  }

  private async render(
    job: ReportJob,
    doc: ReportDocument,
    ctx: { tenantName: string; formatter: ReportFormatter; t: ReturnType<typeof translator> },
  ): Promise<Uint8Array> {
    if (job.format === 'CSV') return (await import('./render-csv.js')).renderCsv(doc);
    if (job.format === 'XLSX') return (await import('./render-xlsx.js')).renderXlsx(doc, ctx.t('total'));
    const { renderPdf } = await import('./render-pdf.js');
    return renderPdf(doc, {
      ...ctx,
      generated: ctx.t('generated', { date: ctx.formatter.date(this.now()) }),
    });
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

/** The months a job covers: its `period`, or every month from `from` to `to`; null when neither. */
export function periodsOf(job: ReportJob): string[] | null {
  if (job.period) return [job.period];
  return job.from && job.to ? monthsBetween(job.from, job.to) : null;
}

/** `2026-01`, `2026-01 – 2026-03`, or empty when the job covers no month. */
function periodLabel(job: ReportJob | null): string {
  if (job?.period) return job.period;
  return job?.from && job.to ? (job.from === job.to ? job.from : `${job.from} – ${job.to}`) : '';
}

/** Another run moved the job on: this one stops without touching it. */
class RunSuperseded extends Error {}
