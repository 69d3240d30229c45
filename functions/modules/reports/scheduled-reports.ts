import type { Principal } from '../../shared/auth/principal.js';
import {
  approvedStatementOf,
  monthlyReportOf,
  principalOfUser,
} from '../../shared/auth/report-recipients.js';
import { type Clock, isoDateInZone } from '../../shared/clock.js';
import { addMonths } from '../../shared/dates.js';
import { logger } from '../../shared/logger.js';
import type { DispatchRepository, ReportDispatch } from './dispatch.repository.js';
import type { ReportDirectory, ReportMailChannel, ReportSchedule, ScheduledReportUser } from './ports.js';
import type { MessageKey } from './report-messages.js';
import type { ReportRunResult } from './report-runner.js';
import { MAX_LINK_SECONDS, type ReportJob, type ReportLanguage, type ReportType } from './reports.model.js';
import type { ReportsRepository } from './reports.repository.js';
import { languageOf, type ReportLink } from './reports.service.js';

/** How long a run holds a recipient's record while it builds and sends; a crashed run's lapses then. */
const LEASE_MS = 10 * 60_000;
/** How far back approvals are looked for: a month approved earlier than that is mailed no more. */
const APPROVAL_WINDOW_DAYS = 35;

type Trigger = 'APPROVED' | 'MONTHLY';
/** `busy`: another run holds the e-mail right now; it may still fail, so the month is not done. */
type Outcome = 'sent' | 'already' | 'busy' | 'skipped' | 'failed';

/** What one run did, per tenant summed, for the handler's log and for tests. */
export interface ScheduledRunResult {
  tenants: number;
  sent: number;
  skipped: number;
  failed: number;
}

interface TenantRun {
  tenantId: string;
  tenantName: string;
  language: ReportLanguage;
  users: ScheduledReportUser[];
}

/**
 * Scheduled reports, mailed as signed links: each recipient with lines in a newly approved commission
 * month gets their statement (advisors COMMISSION_STATEMENT, partner users PARTNER_STATEMENT), and
 * on the first run of a month managers get last month's EFFICIENCY report and partner users their
 * PARTNER_STATEMENT. Each e-mail is recorded before it is built and sent, under an id of trigger,
 * month, type and user, so a second run (or a second schedule firing) sends nothing again; a failed
 * build or send gives the record back for the next run. The report is a job of the recipient's own
 * (built with their rights, listed in their `reportJobs`), built here rather than by the reports
 * function, so the link can go out in the same run.
 */
export class ScheduledReports {
  constructor(
    private readonly schedule: ReportSchedule,
    private readonly directory: ReportDirectory,
    private readonly jobs: ReportsRepository,
    private readonly dispatches: DispatchRepository,
    private readonly runner: () => Promise<{ run(tenantId: string, id: string): Promise<ReportRunResult> }>,
    private readonly link: (job: ReportJob) => Promise<ReportLink>,
    private readonly mail: ReportMailChannel,
    private readonly clock: Clock,
  ) {}

  /** One run as of `at`: every tenant's approved months and last month's monthly reports. */
  async run(at: Date): Promise<ScheduledRunResult> {
    const result: ScheduledRunResult = { tenants: 0, sent: 0, skipped: 0, failed: 0 };
    const count = (outcomes: Outcome[]) => {
      for (const o of outcomes) if (o !== 'already' && o !== 'busy') result[o]++;
    };
    for (const tenantId of await this.schedule.listTenantIds()) {
      result.tenants++;
      const tenant = await this.directory.tenant(tenantId);
      let run: TenantRun | null = null;
      const tenantRun = async () => {
        run ??= {
          tenantId,
          tenantName: tenant.name,
          language: languageOf(tenant.locale),
          users: (await this.schedule.users(tenantId)).filter((u) => u.active && u.email),
        };
        return run;
      };
      const since = new Date(at.getTime() - APPROVAL_WINDOW_DAYS * 86_400_000).toISOString();
      for (const approved of await this.schedule.approvedPeriods(tenantId, since))
        count(
          await this.onceForAll(tenantId, `APPROVED.${approved.period}`, async () => {
            const r = await tenantRun();
            const ids = new Set(approved.recipients.map((x) => `${x.kind}:${x.id}`));
            const users = r.users.filter(
              (u) => ids.has(`USER:${u.id}`) || (u.partnerId !== null && ids.has(`PARTNER:${u.partnerId}`)),
            );
            return this.deliverAll(r, users, 'APPROVED', approved.period, approvedStatementOf);
          }),
        );
      const lastMonth = addMonths(`${isoDateInZone(at, tenant.timeZone).slice(0, 7)}-01`, -1).slice(0, 7);
      count(
        await this.onceForAll(tenantId, `MONTHLY.${lastMonth}`, async () =>
          this.deliverAll(
            await tenantRun(),
            (await tenantRun()).users,
            'MONTHLY',
            lastMonth,
            monthlyReportOf,
          ),
        ),
      );
    }
    return result;
  }

  /**
   * Runs one batch of e-mails unless its done mark exists, and writes the mark when none failed and
   * none was held by another run (which may still fail it): a finished month costs later runs one
   * read, not one per recipient.
   */
  private async onceForAll(
    tenantId: string,
    id: string,
    batch: () => Promise<Outcome[]>,
  ): Promise<Outcome[]> {
    const done = `${id}.done`;
    if (await this.dispatches.get(tenantId, done)) return [];
    const outcomes = await batch();
    if (!outcomes.some((o) => o === 'failed' || o === 'busy'))
      await this.dispatches.record(tenantId, this.newDispatch(done, '', 'SENT'));
    return outcomes;
  }

  private async deliverAll(
    run: TenantRun,
    users: ScheduledReportUser[],
    trigger: Trigger,
    period: string,
    typeOf: (p: Principal) => ReportType | null,
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const user of users) {
      const principal = principalOfUser(run.tenantId, user);
      const type = typeOf(principal);
      if (type) outcomes.push(await this.deliver(run, { trigger, type, period, user, principal }));
    }
    return outcomes;
  }

  /** One recipient's report, built and mailed once (see the class comment). */
  private async deliver(
    run: TenantRun,
    d: {
      trigger: Trigger;
      type: ReportType;
      period: string;
      user: ScheduledReportUser;
      principal: Principal;
    },
  ): Promise<Outcome> {
    const id = `${d.trigger}.${d.period}.${d.type}.${d.user.id}`;
    const held = await this.hold(run.tenantId, id, d.user.email);
    if (held === 'SENT' || held === 'SKIPPED') return 'already';
    if (held === 'busy') return 'busy';
    try {
      const job = await this.build(run, id, d);
      if (job.status === 'FAILED') {
        logger.info('scheduled report not sent: the job failed', { id, error: job.error });
        await this.dispatches.move(run.tenantId, held, { status: 'SKIPPED', jobId: job.id });
        return 'skipped';
      }
      const { url, expiresAt } = await this.link(job);
      if (!url || !expiresAt) throw new Error(`Report ${job.id} is ${job.status}, without a link`);
      await this.mail.mailer.send(await this.message(run, d, { url, expiresAt }));
    } catch (error) {
      await this.dispatches.move(run.tenantId, held, { leaseUntil: '' });
      logger.warn('scheduled report not sent; the next run retries', { id, error: String(error) });
      return 'failed';
    }
    await this.dispatches.move(run.tenantId, held, { status: 'SENT', jobId: id, sentAt: this.now() });
    return 'sent';
  }

  /**
   * Records the dispatch PENDING under a lease, or takes over a PENDING one whose lease lapsed.
   * Answers the held record, its final status, or `busy` when another run holds it.
   */
  private async hold(
    tenantId: string,
    id: string,
    to: string,
  ): Promise<ReportDispatch | 'SENT' | 'SKIPPED' | 'busy'> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + LEASE_MS).toISOString();
    const existing = await this.dispatches.get(tenantId, id);
    if (!existing) {
      const fresh = { ...this.newDispatch(id, to, 'PENDING'), leaseUntil };
      return (await this.dispatches.record(tenantId, fresh)) ? fresh : 'busy';
    }
    if (existing.status !== 'PENDING') return existing.status;
    if (existing.leaseUntil >= now.toISOString()) return 'busy';
    const changes = { leaseUntil, attempts: existing.attempts + 1 };
    if (!(await this.dispatches.move(tenantId, existing, changes))) return 'busy';
    return { ...existing, ...changes, version: existing.version + 1 };
  }

  /** The recipient's job (created once, under the dispatch's id), built if it is not yet. */
  private async build(
    run: TenantRun,
    id: string,
    d: { type: ReportType; period: string; principal: Principal },
  ): Promise<ReportJob> {
    const now = this.now();
    if (!(await this.jobs.getReportJob(run.tenantId, id)))
      await this.jobs.createReportJob(run.tenantId, {
        id,
        reportType: d.type,
        format: 'PDF',
        status: 'QUEUED',
        progress: 0,
        rows: 0,
        period: d.period,
        from: null,
        to: null,
        filter: {},
        locale: run.language,
        linkSeconds: MAX_LINK_SECONDS,
        createdBy: d.principal.userId,
        principal: d.principal,
        origin: 'SCHEDULE',
        objectKey: null,
        fileName: null,
        createdAt: now,
        updatedAt: now,
        finishedAt: null,
        error: null,
        version: 1,
      });
    await (await this.runner()).run(run.tenantId, id);
    const job = await this.jobs.getReportJob(run.tenantId, id);
    if (!job) throw new Error(`Report job ${id} vanished`);
    return job;
  }

  /** The e-mail in the tenant's language; the catalogs are loaded with the runner, on the first send. */
  private async message(
    run: TenantRun,
    d: { trigger: Trigger; type: ReportType; period: string; user: ScheduledReportUser },
    link: { url: string; expiresAt: string },
  ) {
    const [{ translator }, { ReportFormatter }] = await Promise.all([
      import('./report-messages.js'),
      import('./report-format.js'),
    ]);
    const t = translator(run.language);
    const title = t(`title.${d.type}` as MessageKey);
    const values = { title, period: d.period, tenant: run.tenantName };
    const expires = new ReportFormatter(run.language).date(link.expiresAt.slice(0, 10));
    return {
      from: this.mail.mailFrom,
      to: d.user.email,
      subject: t('mail.subject', values),
      text: [
        t('mail.greeting', { name: d.user.name }),
        '',
        t(d.trigger === 'APPROVED' ? 'mail.approved' : 'mail.monthly', values),
        link.url,
        '',
        t('mail.expires', { expires }),
        '',
        run.tenantName,
      ].join('\n'),
    };
  }

  private newDispatch(id: string, to: string, status: ReportDispatch['status']): ReportDispatch {
    const now = this.now();
    return {
      id,
      status,
      to,
      jobId: null,
      recordedAt: now,
      sentAt: null,
      leaseUntil: '',
      attempts: 1,
      version: 1,
    };
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
