import * as z from 'zod';
import type { Principal } from '../../shared/auth/principal.js';
import { IdSchema, PeriodSchema } from '../../shared/input.js';

/** Report types this module builds. */
export const REPORT_TYPES = [
  'COMMISSION_LINES',
  'COMMISSION_STATEMENT',
  'CLIENTS',
  'POLICIES',
  'INVOICES',
  'PAYMENTS',
  'DEBTORS',
  'RECEIVABLE',
  'EFFICIENCY',
  'PROFITABILITY',
  'PARTNER_STATEMENT',
  'CAMPAIGN_FUNNEL',
] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

export const REPORT_FORMATS = ['PDF', 'XLSX', 'CSV'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_JOB_STATUSES = ['QUEUED', 'RUNNING', 'READY', 'FAILED'] as const;
export type ReportJobStatus = (typeof REPORT_JOB_STATUSES)[number];

/** Languages every document is written in; a tenant locale outside them falls back to English. */
export const REPORT_LANGUAGES = ['en', 'pl', 'lt', 'it', 'ru', 'cs'] as const;
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

/** A download link lives 15 minutes unless asked otherwise, and at most 7 days (S3's presign limit). */
export const DEFAULT_LINK_SECONDS = 15 * 60;
export const MAX_LINK_SECONDS = 7 * 24 * 3600;
/** Days a built report stays in the bucket: the bucket's lifecycle rule (infra/cloud/storage.ts) deletes it then. */
export const REPORT_RETENTION_DAYS = 30;

/** The longest `from`–`to` range a report covers, in months. */
export const MAX_RANGE_MONTHS = 24;

/** The months `from` to `to` (`YYYY-MM`, both included); empty when `to` is before `from`. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [year, month] = from.split('-').map(Number) as [number, number];
  for (let p = from; p <= to && months.length <= MAX_RANGE_MONTHS; ) {
    months.push(p);
    month = month === 12 ? 1 : month + 1;
    if (month === 1) year++;
    p = `${year}-${String(month).padStart(2, '0')}`;
  }
  return months;
}

/** Types whose rows belong to months: `period` (or `from` and `to`) is required for them. */
export const PERIOD_TYPES: ReadonlySet<ReportType> = new Set([
  'COMMISSION_STATEMENT',
  'INVOICES',
  'PAYMENTS',
  'RECEIVABLE',
  'EFFICIENCY',
  'PROFITABILITY',
]);

const RecipientSchema = z.object({
  kind: z.enum(['USER', 'PARTNER', 'BROKERAGE']),
  id: IdSchema.nullish(),
});

/** The list filters of the API, each passed on as the list's own filter (validated there). */
const ReportFilterSchema = z.object({
  clients: z.record(z.string(), z.unknown()).nullish(),
  policies: z.record(z.string(), z.unknown()).nullish(),
  debtors: z.record(z.string(), z.unknown()).nullish(),
  payments: z
    .object({
      advisorId: IdSchema.nullish(),
      productLineId: IdSchema.nullish(),
      lateOnly: z.boolean().nullish(),
    })
    .nullish(),
  invoiceStatus: z
    .enum(['ISSUED', 'PARTIALLY_PAID', 'PAID', 'OVERDUE', 'WRITTEN_OFF', 'CANCELLED'])
    .nullish(),
  recipient: RecipientSchema.nullish(),
  ledger: z.enum(['RECEIVABLE', 'ADVISOR', 'PARTNER']).nullish(),
  campaignId: IdSchema.nullish(),
});
export type ReportFilter = z.output<typeof ReportFilterSchema>;

export const RequestReportSchema = z
  .object({
    type: z.enum(REPORT_TYPES),
    format: z.enum(REPORT_FORMATS),
    period: PeriodSchema.nullish(),
    from: PeriodSchema.nullish(),
    to: PeriodSchema.nullish(),
    filter: ReportFilterSchema.nullish(),
    locale: z.enum(REPORT_LANGUAGES).nullish(),
    linkSeconds: z
      .number()
      .int()
      .min(60, 'must be at least 60')
      .max(MAX_LINK_SECONDS, `must be at most ${MAX_LINK_SECONDS} (7 days)`)
      .nullish(),
  })
  .superRefine((input, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (
      input.type === 'PARTNER_STATEMENT' &&
      input.filter?.recipient &&
      input.filter.recipient.kind !== 'PARTNER'
    )
      ctx.addIssue({ code: 'custom', path: ['filter', 'recipient', 'kind'], message: 'must be PARTNER' });
    if (input.type === 'CAMPAIGN_FUNNEL') {
      // The funnel covers the campaign's own period: a month given beside it would print a window it ignores.
      if (!input.filter?.campaignId)
        ctx.addIssue({
          code: 'custom',
          path: ['filter', 'campaignId'],
          message: 'is required for CAMPAIGN_FUNNEL',
        });
      const month = input.period ? 'period' : input.from ? 'from' : input.to ? 'to' : null;
      if (month) issue(month, 'CAMPAIGN_FUNNEL covers the campaign’s own period: give no months');
      return;
    }
    if (input.period && (input.from || input.to))
      issue('period', 'give either period or from and to, not both');
    else if (input.from && !input.to) issue('to', 'is required with from');
    else if (input.to && !input.from) issue('from', 'is required with to');
    else if (input.from && input.to) {
      const months = monthsBetween(input.from, input.to).length;
      if (months === 0) issue('to', 'must not be before from');
      else if (months > MAX_RANGE_MONTHS)
        issue('to', `must be at most ${MAX_RANGE_MONTHS} months after from`);
    } else if (PERIOD_TYPES.has(input.type) && !input.period)
      issue('period', `is required for ${input.type} (or from and to)`);
  });
export type RequestReportInput = z.output<typeof RequestReportSchema>;

/** A report built off the request path: its progress, then its file behind a fresh signed link. */
export interface ReportJob {
  id: string;
  /** The report type (`type` in GraphQL; the item attribute `type` is the entity type). */
  reportType: ReportType;
  format: ReportFormat;
  status: ReportJobStatus;
  /** Percent: 5 when a run starts, climbing per page of rows, 85 while rendering, 100 when READY. */
  progress: number;
  /** Rows collected so far (the file's data rows once READY). */
  rows: number;
  period: string | null;
  /** First and last month of a range, the alternative to `period` (null on a one-month job). */
  from?: string | null;
  to?: string | null;
  filter: ReportFilter;
  locale: ReportLanguage;
  linkSeconds: number;
  createdBy: string;
  /** The requester's rights at request time: the report lists exactly what the API would show them. */
  principal: Principal;
  /** SCHEDULE: a scheduled report (statements, monthly reports), built and mailed by its schedule. */
  origin?: 'REQUEST' | 'SCHEDULE';
  objectKey: string | null;
  fileName: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  error: string | null;
  version: number;
}
