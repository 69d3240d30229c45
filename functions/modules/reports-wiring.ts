import { partnerViewOf } from '../shared/auth/policy.js';
import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { OrgKind } from '../shared/table-design.js';
import { bookRepositories, composeBook } from './book-wiring.js';
import type { CampaignsModule } from './campaigns/index.js';
import { composeCampaignFunnel } from './campaigns-wiring.js';
import type { ClientsModule } from './clients/index.js';
import type { CommissionsModule } from './commissions/index.js';
import type { InvoicesModule } from './invoices/index.js';
import { composeCommissions, composeInvoices } from './money-wiring.js';
import type { Branch, OrgRepository, User } from './org/index.js';
import type { PoliciesModule } from './policies/index.js';
import {
  createReportsModule,
  createScheduledReports,
  type NameDirectory,
  type ReportBucket,
  type ReportDirectory,
  type ReportLists,
  type ReportMailChannel,
  type ReportSchedule,
  type ReportsModule,
  type ScheduledReports,
} from './reports/index.js';
import { createTaskLookup } from './tasks/index.js';

/** The API's lists a report reads, each the service behind its GraphQL query. */
export function reportLists(m: {
  clients: ClientsModule;
  policies: PoliciesModule;
  invoices: InvoicesModule;
  commissions: CommissionsModule;
  campaigns: Pick<CampaignsModule, 'funnel'>;
}): ReportLists {
  return {
    clients: (p, filter, page) => m.clients.reads.listClients(p, filter, page),
    policies: (p, filter, page) => m.policies.reads.listPolicies(p, filter, page),
    invoicesDue: (p, status, period, page) => m.invoices.receivables.invoicesDue(p, status, period, page),
    debtors: (p, filter, page) => m.invoices.receivables.debtors(p, filter, page),
    payments: (p, filter, page) => m.invoices.receivables.payments(p, filter, page),
    commissionLines: (p, filter, page) => m.commissions.ledger.lines(p, filter, page),
    // A partner statement reads the referral lists in the partner's own view (checked by partnerViewOf).
    referredClients: (p, partnerId, page) =>
      m.clients.reads.referredClients(partnerViewOf(p, partnerId), page),
    referredClientPolicies: (p, partnerId, clientId) =>
      m.clients.reads.referredClientPolicies(partnerViewOf(p, partnerId), clientId),
    campaignFunnel: (p, campaignId) => m.campaigns.funnel.campaignFunnel(p, campaignId),
  };
}

/** The tenant's settings and the names of its people, branches, insurers, product lines and partners. */
export function reportDirectory(org: OrgRepository): ReportDirectory {
  return {
    tenant: async (tenantId) => {
      const s = await org.getTenantSettings(tenantId);
      return { name: s?.name ?? tenantId, locale: s?.locale ?? 'en', timeZone: s?.timeZone ?? 'UTC' };
    },
    names: async (tenantId): Promise<NameDirectory> => {
      const kinds = [
        OrgKind.User,
        OrgKind.Branch,
        OrgKind.Insurer,
        OrgKind.ProductLine,
        OrgKind.Partner,
        OrgKind.Region,
      ] as const;
      const [users, branches, insurers, productLines, partners, regions] = await Promise.all(
        kinds.map(async (kind) => {
          const all = await org.listAllOrgEntities<{ id: string; name: string }>(tenantId, kind);
          return new Map(all.map((e) => [e.id, e.name] as const));
        }),
      );
      const of = (map: Map<string, string> | undefined) => (id: string | null | undefined) =>
        id ? (map?.get(id) ?? id) : '';
      return {
        user: of(users),
        branch: of(branches),
        insurer: of(insurers),
        productLine: of(productLines),
        partner: of(partners),
        region: of(regions),
      };
    },
  };
}

/**
 * The reports function's composition: only the modules whose lists reports read (clients, policies,
 * invoices, commissions, the campaign funnel), the org repository for names, and the reports module.
 */
export function composeReports(
  db: Db,
  clock: Clock,
  bucket: ReportBucket | null,
  pageRows?: number,
): ReportsModule {
  return createReportsModule(reportsDeps(db, clock, bucket, pageRows).deps);
}

function reportsDeps(db: Db, clock: Clock, bucket: ReportBucket | null, pageRows?: number) {
  const repositories = bookRepositories(db);
  const book = composeBook(repositories, repositories.org, clock);
  const invoices = composeInvoices(db, clock, repositories, null);
  const commissions = composeCommissions(db, clock, repositories, book.policies);
  const funnel = composeCampaignFunnel(db, clock, repositories, createTaskLookup(db));
  const deps = {
    db,
    clock,
    lists: reportLists({ ...book, invoices, commissions, campaigns: { funnel } }),
    directory: reportDirectory(repositories.org),
    bucket,
    pageRows,
  };
  return { deps, org: repositories.org, commissions };
}

/** Tenants, their users (with the region of their branch) and approved months, for scheduled reports. */
export function reportSchedule(
  org: OrgRepository,
  periods: Pick<CommissionsModule['periods'], 'approvedSince'>,
): ReportSchedule {
  return {
    listTenantIds: () => org.listTenantIds(),
    users: async (tenantId) => {
      const [users, branches] = await Promise.all([
        org.listAllOrgEntities<User>(tenantId, OrgKind.User),
        org.listAllOrgEntities<Branch>(tenantId, OrgKind.Branch),
      ]);
      const regionOf = new Map(branches.map((x) => [x.id, x.regionId ?? null] as const));
      return users.map((u) => ({ ...u, regionId: u.branchId ? (regionOf.get(u.branchId) ?? null) : null }));
    },
    approvedPeriods: (tenantId, since) => periods.approvedSince(tenantId, since),
  };
}

/**
 * The statements schedule's composition: the reports function's modules plus the tenants, users and
 * approved months scheduled reports go by, and the mail channel.
 */
export function composeScheduledReports(
  db: Db,
  clock: Clock,
  bucket: ReportBucket | null,
  mail: ReportMailChannel,
): ScheduledReports {
  const { deps, org, commissions } = reportsDeps(db, clock, bucket);
  return createScheduledReports({ ...deps, schedule: reportSchedule(org, commissions.periods), mail });
}
