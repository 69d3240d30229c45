import { efficiencyReport, profitabilityReport } from './analytics-reports.js';
import type { BuildContext } from './build-context.js';
import { campaignFunnelReport } from './campaign-funnel-report.js';
import {
  commissionLinesList,
  commissionLinesReport,
  commissionStatementReport,
  receivableReport,
} from './commission-reports.js';
import {
  clientsList,
  clientsReport,
  debtorsList,
  debtorsReport,
  invoicesReport,
  paymentsList,
  paymentsReport,
  policiesList,
  policiesReport,
} from './list-reports.js';
import { partnerStatementReport } from './partner-statement.js';
import type { ReportDocument } from './report-document.js';
import type { ListReport } from './report-listing.js';
import type { ReportType } from './reports.model.js';

/** Each report type's builder: the list it reads and the tables it makes of it. */
export const BUILDERS: Record<ReportType, (ctx: BuildContext) => Promise<ReportDocument>> = {
  COMMISSION_LINES: commissionLinesReport,
  COMMISSION_STATEMENT: commissionStatementReport,
  RECEIVABLE: receivableReport,
  CLIENTS: clientsReport,
  POLICIES: policiesReport,
  INVOICES: invoicesReport,
  PAYMENTS: paymentsReport,
  DEBTORS: debtorsReport,
  EFFICIENCY: efficiencyReport,
  PROFITABILITY: profitabilityReport,
  PARTNER_STATEMENT: partnerStatementReport,
  CAMPAIGN_FUNNEL: campaignFunnelReport,
};

/**
 * The report types that are one list and nothing else: as XLSX or CSV they are streamed, page by
 * page into the file and the file into the bucket, so their length is not bounded by memory. PDF
 * keeps the in-memory builder above (a PDF of 100,000 lines is not for people).
 */
export const LIST_REPORTS: Partial<Record<ReportType, (ctx: BuildContext) => ListReport>> = {
  COMMISSION_LINES: commissionLinesList,
  CLIENTS: clientsList,
  POLICIES: policiesList,
  PAYMENTS: paymentsList,
  DEBTORS: debtorsList,
};
