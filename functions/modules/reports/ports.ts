import type { Principal } from '../../shared/auth/principal.js';
import type { ScheduledRecipientUser } from '../../shared/auth/report-recipients.js';
import type { Page } from '../../shared/db.js';
import type { Mailer } from '../../shared/mailer.js';
import type { Campaign, CampaignFunnel } from '../campaigns/index.js';
import type { Client, ReferredClient, ReferredPolicy } from '../clients/index.js';
import type { LineView } from '../commissions/index.js';
import type { Invoice, InvoiceStatus, Payment } from '../invoices/index.js';
import type { Policy } from '../policies/index.js';

type PageRequest = { limit: number; cursor: string | null };

/**
 * The API's lists a report is built from: the same services, filters and scope checks as the
 * GraphQL queries, called with the requester's principal (never another module's repository).
 */
export interface ReportLists {
  clients(p: Principal, filter: unknown, page: PageRequest): Promise<Page<Client>>;
  policies(p: Principal, filter: unknown, page: PageRequest): Promise<Page<Policy>>;
  invoicesDue(p: Principal, status: InvoiceStatus, period: string, page: PageRequest): Promise<Page<Invoice>>;
  debtors(p: Principal, filter: unknown, page: PageRequest): Promise<Page<Invoice>>;
  payments(p: Principal, filter: unknown, page: PageRequest): Promise<Page<Payment>>;
  commissionLines(p: Principal, filter: unknown, page: PageRequest): Promise<Page<LineView>>;
  /** A partner's referred clients as the partner sees them (`referredClients`): no personal data. */
  referredClients(p: Principal, partnerId: string, page: PageRequest): Promise<Page<ReferredClient>>;
  /** One referred client's policies and offers as its partner sees them: status, product line, dates. */
  referredClientPolicies(p: Principal, partnerId: string, clientId: string): Promise<ReferredPolicy[]>;
  /**
   * A campaign's funnel as the `campaignFunnel` query counts it (its readers only; another tenant's
   * campaign is NOT_FOUND), with the campaign's name and period.
   */
  campaignFunnel(p: Principal, campaignId: string): Promise<ReportCampaignFunnel>;
}

/** A campaign funnel report's data: the campaign it counts and the funnel. */
export interface ReportCampaignFunnel {
  campaign: Pick<Campaign, 'id' | 'name' | 'periodFrom' | 'periodTo'>;
  funnel: CampaignFunnel;
}

/** Names of a tenant's people and org units, so a report never shows an id where a name exists. */
export interface NameDirectory {
  user(id: string | null | undefined): string;
  branch(id: string | null | undefined): string;
  insurer(id: string | null | undefined): string;
  productLine(id: string | null | undefined): string;
  partner(id: string | null | undefined): string;
  region(id: string | null | undefined): string;
}

/** What a report reads of the org: the tenant's name and locale, and names by id. */
export interface ReportDirectory {
  tenant(tenantId: string): Promise<{ name: string; locale: string; timeZone: string }>;
  names(tenantId: string): Promise<NameDirectory>;
}

/** A user scheduled reports may go to. */
export interface ScheduledReportUser extends ScheduledRecipientUser {
  name: string;
  email: string;
  active: boolean;
}

/** What the scheduled reports read beyond the lists: tenants, their users, approved commission months. */
export interface ReportSchedule {
  listTenantIds(): Promise<string[]>;
  users(tenantId: string): Promise<ScheduledReportUser[]>;
  /** Months approved at or after `since` (ISO instant), with the ledger recipients that have lines in each. */
  approvedPeriods(
    tenantId: string,
    since: string,
  ): Promise<
    Array<{ period: string; recipients: Array<{ kind: 'USER' | 'PARTNER' | 'BROKERAGE'; id: string }> }>
  >;
}

/** How scheduled reports are mailed. */
export interface ReportMailChannel {
  mailer: Mailer;
  mailFrom: string;
}
