import { efficiencyReport, profitabilityReport } from './analytics-reports.js';
import type { BuildContext } from './build-context.js';
import { campaignFunnelReport } from './campaign-funnel-report.js';
import { commissionLinesReport, commissionStatementReport, receivableReport } from './commission-reports.js';
import {
  clientsReport,
  debtorsReport,
  invoicesReport,
  paymentsReport,
  policiesReport,
} from './list-reports.js';
import { partnerStatementReport } from './partner-statement.js';
import type { ReportDocument } from './report-document.js';
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
