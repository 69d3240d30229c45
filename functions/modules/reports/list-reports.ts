import type { Client } from '../clients/index.js';
import type { Invoice, Payment } from '../invoices/index.js';
import type { Policy } from '../policies/index.js';
import type { BuildContext } from './build-context.js';
import type { Cell, Column, ReportDocument, ReportTable } from './report-document.js';
import { documentOf, type ListReport, rowPages } from './report-listing.js';
import { enumText } from './report-messages.js';
import { moneyTotals } from './report-totals.js';

/** The open and paid statuses an INVOICES report lists when no status is asked for. */
const INVOICE_REPORT_STATUSES = ['ISSUED', 'PARTIALLY_PAID', 'OVERDUE', 'PAID'] as const;

function table(
  columns: Column[],
  rows: ReportTable['rows'],
  totals: ReportTable['totals'] = [],
): ReportTable {
  return { title: null, columns, rows, totals };
}

/** The client list of the API (`clients`), its filter and scope, with advisors and branches by name. */
export function clientsList(ctx: BuildContext): ListReport {
  const { t, names } = ctx;
  return {
    columns: [
      { key: 'name', label: t('name'), type: 'text', width: 2 },
      { key: 'kind', label: t('kind'), type: 'text' },
      { key: 'status', label: t('status'), type: 'text' },
      { key: 'segment', label: t('segment'), type: 'text' },
      { key: 'email', label: t('email'), type: 'text', width: 2 },
      { key: 'phone', label: t('phone'), type: 'text' },
      { key: 'advisor', label: t('advisor'), type: 'text', width: 1.5 },
      { key: 'branch', label: t('branch'), type: 'text', width: 1.5 },
      { key: 'createdAt', label: t('createdAt'), type: 'date' },
    ],
    reads: [
      rowPages<Client>(
        (page) => ctx.lists.clients(ctx.p, ctx.job.filter.clients ?? {}, page),
        (c) => ({
          name: c.name,
          kind: enumText(t, 'clientKind', c.kind),
          status: enumText(t, 'clientStatus', c.status),
          segment: enumText(t, 'segment', c.segment),
          email: c.email ?? null,
          phone: c.phone ?? null,
          advisor: names.user(c.ownerAdvisorId),
          branch: names.branch(c.branchId),
          createdAt: c.createdAt.slice(0, 10),
        }),
      ),
    ],
    totalKey: null,
  };
}

export const clientsReport = (ctx: BuildContext): Promise<ReportDocument> =>
  documentOf(ctx, clientsList(ctx));

/** The policy list of the API (`policies`), with insurers, product lines and people by name. */
export function policiesList(ctx: BuildContext): ListReport {
  const { t, names } = ctx;
  return {
    columns: [
      { key: 'policyNumber', label: t('policyNumber'), type: 'text', width: 1.3 },
      { key: 'client', label: t('client'), type: 'text', width: 1.8 },
      { key: 'insurer', label: t('insurer'), type: 'text', width: 1.5 },
      { key: 'productLine', label: t('productLine'), type: 'text', width: 1.3 },
      { key: 'status', label: t('status'), type: 'text' },
      { key: 'premium', label: t('premium'), type: 'money', width: 1.3 },
      { key: 'writtenDate', label: t('writtenDate'), type: 'date' },
      { key: 'termEnd', label: t('termEnd'), type: 'date' },
      { key: 'businessType', label: t('businessType'), type: 'text' },
      { key: 'advisor', label: t('advisor'), type: 'text', width: 1.5 },
      { key: 'branch', label: t('branch'), type: 'text', width: 1.3 },
    ],
    reads: [
      rowPages<Policy>(
        (page) => ctx.lists.policies(ctx.p, ctx.job.filter.policies ?? {}, page),
        (x) => ({
          policyNumber: x.policyNumber,
          client: x.holderName,
          insurer: names.insurer(x.insurerId),
          productLine: names.productLine(x.productLineId),
          status: enumText(t, 'policyStatus', x.status),
          premium: x.premium,
          writtenDate: x.writtenDate,
          termEnd: x.termEnd,
          businessType: enumText(t, 'businessType', x.businessType),
          advisor: names.user(x.servicingAdvisorId),
          branch: names.branch(x.branchId),
        }),
      ),
    ],
    totalKey: 'premium',
  };
}

export const policiesReport = (ctx: BuildContext): Promise<ReportDocument> =>
  documentOf(ctx, policiesList(ctx));

const invoiceColumns = (ctx: BuildContext): Column[] => [
  { key: 'number', label: ctx.t('invoiceNumber'), type: 'text', width: 1.3 },
  { key: 'client', label: ctx.t('client'), type: 'text', width: 2 },
  { key: 'status', label: ctx.t('status'), type: 'text', width: 1.2 },
  { key: 'dueDate', label: ctx.t('dueDate'), type: 'date' },
  { key: 'total', label: ctx.t('invoiceTotal'), type: 'money', width: 1.2 },
  { key: 'paid', label: ctx.t('paid'), type: 'money', width: 1.2 },
  { key: 'outstanding', label: ctx.t('outstanding'), type: 'money', width: 1.2 },
  { key: 'daysOverdue', label: ctx.t('daysOverdue'), type: 'integer' },
  { key: 'advisor', label: ctx.t('advisor'), type: 'text', width: 1.5 },
  { key: 'insurer', label: ctx.t('insurer'), type: 'text', width: 1.5 },
];

function invoiceRow(ctx: BuildContext, i: Invoice): Record<string, Cell> {
  return {
    number: i.number,
    client: i.clientName,
    status: enumText(ctx.t, 'invoiceStatus', i.status),
    dueDate: i.dueDate,
    total: i.total,
    paid: i.paid,
    outstanding: i.outstanding,
    daysOverdue: i.daysOverdue,
    advisor: ctx.names.user(i.advisorId),
    insurer: ctx.names.insurer(i.insurerId),
  };
}

/**
 * Invoices due in the job's months (`invoicesDue`), of one status or of every open and paid status.
 * Collected whole, not streamed: its rows are sorted by due date and number across the statuses,
 * each read on its own index partition.
 */
export async function invoicesReport(ctx: BuildContext): Promise<ReportDocument> {
  const statuses = ctx.job.filter.invoiceStatus ? [ctx.job.filter.invoiceStatus] : INVOICE_REPORT_STATUSES;
  const invoices: Invoice[] = [];
  for (const period of ctx.periods ?? [])
    for (const status of statuses)
      invoices.push(
        ...(await ctx.collect<Invoice>((page) => ctx.lists.invoicesDue(ctx.p, status, period, page))),
      );
  invoices.sort(
    (a, b) => a.dueDate.localeCompare(b.dueDate) || (a.number ?? '').localeCompare(b.number ?? ''),
  );
  return ctx.document([
    table(
      invoiceColumns(ctx),
      invoices.map((i) => invoiceRow(ctx, i)),
      moneyTotals(
        'outstanding',
        invoices.map((i) => i.outstanding),
        ctx.t('total'),
      ),
    ),
  ]);
}

/** The debtors list of the API (`debtors`), its filters and scope. */
export function debtorsList(ctx: BuildContext): ListReport {
  return {
    columns: invoiceColumns(ctx),
    reads: [
      rowPages<Invoice>(
        (page) => ctx.lists.debtors(ctx.p, ctx.job.filter.debtors ?? {}, page),
        (i) => invoiceRow(ctx, i),
      ),
    ],
    totalKey: 'outstanding',
  };
}

export const debtorsReport = (ctx: BuildContext): Promise<ReportDocument> =>
  documentOf(ctx, debtorsList(ctx));

/** Payments made in the job's months (`payments`), with its narrowing filters. */
export function paymentsList(ctx: BuildContext): ListReport {
  const { t, names } = ctx;
  return {
    columns: [
      { key: 'paidDate', label: t('paidDate'), type: 'date' },
      { key: 'invoiceNumber', label: t('invoiceNumber'), type: 'text', width: 1.3 },
      { key: 'amount', label: t('amount'), type: 'money', width: 1.2 },
      { key: 'late', label: t('late'), type: 'text', width: 0.7 },
      { key: 'source', label: t('source'), type: 'text' },
      { key: 'reference', label: t('reference'), type: 'text', width: 1.5 },
      { key: 'advisor', label: t('advisor'), type: 'text', width: 1.5 },
      { key: 'productLine', label: t('productLine'), type: 'text', width: 1.3 },
    ],
    reads: (ctx.periods ?? []).map((period) =>
      rowPages<Payment>(
        (page) => ctx.lists.payments(ctx.p, { ...(ctx.job.filter.payments ?? {}), period }, page),
        (x) => ({
          paidDate: x.paidDate,
          invoiceNumber: x.invoiceNumber,
          amount: x.amount,
          late: x.late ? t('yes') : t('no'),
          source: enumText(t, 'paymentSource', x.source),
          reference: x.reference,
          advisor: names.user(x.advisorId),
          productLine: names.productLine(x.productLineId),
        }),
      ),
    ),
    totalKey: 'amount',
  };
}

export const paymentsReport = (ctx: BuildContext): Promise<ReportDocument> =>
  documentOf(ctx, paymentsList(ctx));
