import {
  assertMayRequestReport,
  authorize,
  canReadReportJob,
  partnerStatementSubject,
} from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TableChangeDetail } from '../../shared/change-event.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { NotFoundError, RuleViolationError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { parseInput } from '../../shared/validation.js';
import type { ReportDirectory } from './ports.js';
import type { ReportBucket, ReportRunResult } from './report-runner.js';
import {
  DEFAULT_LINK_SECONDS,
  REPORT_LANGUAGES,
  REPORT_RETENTION_DAYS,
  type ReportJob,
  type ReportLanguage,
  RequestReportSchema,
} from './reports.model.js';
import type { ReportsRepository } from './reports.repository.js';

/** A signed link to a READY job's file, or nulls once the file is past retention. */
export interface ReportLink {
  url: string | null;
  expiresAt: string | null;
}

/**
 * Report jobs on the request path: requesting one (checked and stored; its INSERT starts the
 * reports function), reading one's own jobs back, and a fresh signed link on each read of a READY job.
 */
export class ReportsService {
  private readonly links = new WeakMap<ReportJob, Promise<ReportLink>>();

  constructor(
    private readonly repo: ReportsRepository,
    private readonly directory: Pick<ReportDirectory, 'tenant'>,
    private readonly target: ReportBucket | null,
    private readonly clock: Clock,
    private readonly runner: () => Promise<{ run(tenantId: string, id: string): Promise<ReportRunResult> }>,
  ) {}

  /** Stores a QUEUED job for the requester, after checking they may read the list it is built from. */
  async requestReport(principal: Principal | null, rawInput: unknown): Promise<ReportJob> {
    const input = parseInput(RequestReportSchema, rawInput);
    const p = assertMayRequestReport(principal, input.type);
    if (input.type === 'PARTNER_STATEMENT') partnerStatementSubject(p, input.filter?.recipient?.id);
    if (!this.target)
      throw new RuleViolationError('Reports need a reports bucket, and this deployment has none');
    const now = this.clock.now().toISOString();
    const job: ReportJob = {
      id: newId(),
      reportType: input.type,
      format: input.format,
      status: 'QUEUED',
      progress: 0,
      rows: 0,
      period: input.period ?? null,
      from: input.from ?? null,
      to: input.to ?? null,
      filter: input.filter ?? {},
      locale: input.locale ?? languageOf((await this.directory.tenant(p.tenantId)).locale),
      linkSeconds: input.linkSeconds ?? DEFAULT_LINK_SECONDS,
      createdBy: p.userId,
      principal: p,
      objectKey: null,
      fileName: null,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
      error: null,
      version: 1,
    };
    await this.repo.createReportJob(p.tenantId, job);
    return job;
  }

  /** One of the caller's jobs; anyone else's, or another tenant's, is NOT_FOUND. */
  async getJob(principal: Principal | null, id: string): Promise<ReportJob> {
    const p = authorize(principal, 'reports:request');
    const job = await this.repo.getReportJob(p.tenantId, id);
    if (!job || !canReadReportJob(p, job)) throw new NotFoundError('ReportJob', id);
    return job;
  }

  /** The caller's jobs, newest first. */
  async listJobs(
    principal: Principal | null,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<ReportJob>> {
    const p = authorize(principal, 'reports:request');
    return this.repo.listReportJobsByRequester(p.tenantId, p.userId, page);
  }

  /**
   * A fresh signed link for a READY job read through {@link getJob} or {@link listJobs}: valid for the
   * job's `linkSeconds`, never past the day the bucket deletes the file. One link per read of a job.
   */
  link(job: ReportJob): Promise<ReportLink> {
    let link = this.links.get(job);
    if (!link) {
      link = this.sign(job);
      this.links.set(job, link);
    }
    return link;
  }

  private async sign(job: ReportJob): Promise<ReportLink> {
    if (job.status !== 'READY' || !job.objectKey || !job.finishedAt || !this.target)
      return { url: null, expiresAt: null };
    const now = this.clock.now().getTime();
    const deleted = Date.parse(job.finishedAt) + REPORT_RETENTION_DAYS * 86_400_000;
    const seconds = Math.min(job.linkSeconds, Math.floor((deleted - now) / 1000));
    if (seconds <= 0) return { url: null, expiresAt: null };
    const url = await this.target.store.signedGetUrl(
      this.target.bucket,
      job.objectKey,
      seconds,
      job.fileName ?? undefined,
    );
    return { url, expiresAt: new Date(now + seconds * 1000).toISOString() };
  }

  /**
   * The change-bus entry of the reports function: a job's INSERT builds it. A scheduled report's job
   * is built by the schedule that mails it, in the same run, so its INSERT is left alone.
   */
  async onChange(change: TableChangeDetail): Promise<ReportRunResult | null> {
    const id = change.newImage?.id;
    if (!change.tenantId || typeof id !== 'string' || change.newImage?.origin === 'SCHEDULE') return null;
    return (await this.runner()).run(change.tenantId, id);
  }
}

/** The document language of a tenant locale (`cs-CZ` → cs); English for a language without a catalog. */
export function languageOf(locale: string): ReportLanguage {
  const language = locale.slice(0, 2).toLowerCase();
  return (REPORT_LANGUAGES as readonly string[]).includes(language) ? (language as ReportLanguage) : 'en';
}
