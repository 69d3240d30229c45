import { buildSchema, type GraphQLField, getNamedType, isObjectType } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { typeDefs } from '../../../functions/graphql/__generated__/type-defs.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { PARTNER_ADMIN_QUERIES, PARTNER_FIELDS } from '../../support/partner-fields.js';
import { commissionLinesOf, createScopeWorld, type ScopeWorld } from './scope-world.js';

/**
 * Every Query of the built schema, asked by each role of the brokerage about targets inside the
 * caller's reach (the branch advisor's own client, policy, invoice and line): a role the table
 * allows gets an answer without an error, any other role gets FORBIDDEN. The list of queries comes
 * from the schema, so a new query without a row here fails the test. The README's "Roles and scope"
 * table states the same rules in words; scope *within* a role is the scope-matrix test's business.
 */
const app = createTestApp();
let w: ScopeWorld;

type Role = 'admin' | 'manager' | 'backoffice' | 'advisor' | 'partner';
const ROLES: readonly Role[] = ['admin', 'manager', 'backoffice', 'advisor', 'partner'];
const EVERYONE: readonly Role[] = ROLES;
const STAFF: readonly Role[] = ['admin', 'manager', 'backoffice', 'advisor'];
const OFFICE: readonly Role[] = ['admin', 'manager', 'backoffice'];
const MANAGERS: readonly Role[] = ['admin', 'manager'];
const ADMIN: readonly Role[] = ['admin'];
/** Office roles with tenant-wide scope here (the manager's is his branch). */
const OFFICE_WIDE: readonly Role[] = ['admin', 'backoffice'];

/** The targets every row may name. */
interface Targets {
  clientId: string;
  policyId: string;
  invoiceId: string;
  lineId: string;
  schemeId: string;
  importJobId: string;
  reportJobId: string;
  endpointId: string;
  campaignId: string;
}
let t: Targets;

interface Row {
  /** Roles that get an answer; every other role is refused with FORBIDDEN. */
  allowed: readonly Role[];
  /** Arguments as GraphQL text; `$` names are not used, so a row reads like the query it sends. */
  args?: (t: Targets, w: ScopeWorld) => string;
  /** How a refusal reads, where the answer must not reveal that the thing exists (default FORBIDDEN). */
  refusedAs?: 'NOT_FOUND';
}

const id = (value: string) => `"${value}"`;
const PERIOD = '"2026-03"';

const ROWS: Record<string, Row> = {
  me: { allowed: EVERYONE },
  health: { allowed: EVERYONE },
  // A partner portal shows the brokerage's name and formats in its locale.
  tenant: { allowed: EVERYONE },
  region: { allowed: STAFF, args: (_, w) => `id: ${id(w.b.regionId)}` },
  regions: { allowed: STAFF },
  branch: { allowed: STAFF, args: (_, w) => `id: ${id(w.b.ownBranchId)}` },
  branches: { allowed: STAFF },
  user: { allowed: STAFF, args: (_, w) => `id: ${id(w.b.advisorId)}` },
  users: { allowed: STAFF },
  insurer: { allowed: STAFF, args: (_, w) => `id: ${id(w.b.insurerId)}` },
  insurers: { allowed: STAFF },
  productLines: { allowed: STAFF },
  rateGroups: { allowed: STAFF },
  partner: { allowed: STAFF, args: (_, w) => `id: ${id(w.b.partnerId)}` },
  partners: { allowed: STAFF },
  leadSources: { allowed: STAFF },
  client: { allowed: STAFF, args: (t) => `id: ${id(t.clientId)}` },
  clientCard: { allowed: STAFF, args: (t) => `id: ${id(t.clientId)}` },
  crossSellCandidates: { allowed: STAFF, args: (t) => `clientId: ${id(t.clientId)}` },
  clientTimeline: { allowed: STAFF, args: (t) => `clientId: ${id(t.clientId)}` },
  clientInvoices: { allowed: STAFF, args: (t) => `clientId: ${id(t.clientId)}` },
  clients: { allowed: STAFF },
  // Advisors take clients from their branch's pool; callers without a branch name one.
  clientPool: { allowed: STAFF, args: (_, w) => `branchId: ${id(w.b.ownBranchId)}` },
  referredClients: { allowed: ['partner'] },
  policy: { allowed: STAFF, args: (t) => `id: ${id(t.policyId)}` },
  policies: { allowed: STAFF },
  invoice: { allowed: STAFF, args: (t) => `id: ${id(t.invoiceId)}` },
  invoicesDue: { allowed: STAFF, args: () => `period: ${PERIOD}, status: ISSUED` },
  debtors: { allowed: STAFF },
  debtorAging: { allowed: STAFF },
  // Everyone in the office may read the steps; only admins and managers edit them.
  dunningPolicy: { allowed: STAFF },
  payments: { allowed: STAFF, args: () => `filter: { period: ${PERIOD} }` },
  paymentStatistics: { allowed: STAFF, args: () => `groupBy: ADVISOR, period: ${PERIOD}` },
  // The queue belongs to the whole brokerage: a manager needs scope `all`, this one has `branch`.
  unmatchedPayments: { allowed: ['admin', 'backoffice'] },
  collectorTasks: { allowed: OFFICE },
  commissionLine: { allowed: STAFF, args: (t) => `id: ${id(t.lineId)}` },
  // Partners read their own lines as PartnerCommissionLine (partnerCommissionLines).
  commissionLines: { allowed: STAFF },
  commissionAccruals: { allowed: EVERYONE, args: () => `period: ${PERIOD}` },
  // A partner portal shows whether a month is approved or paid.
  commissionPeriods: { allowed: EVERYONE },
  commissionScheme: { allowed: STAFF, args: (t) => `id: ${id(t.schemeId)}` },
  commissionSchemes: { allowed: STAFF },
  commissionStatementExceptions: {
    allowed: OFFICE,
    args: (_, w) => `insurerId: ${id(w.b.insurerId)}, period: ${PERIOD}`,
  },
  openCommissionDisputes: { allowed: MANAGERS },
  schemeVersionAffectedPolicies: {
    allowed: MANAGERS,
    args: (t) => `schemeId: ${id(t.schemeId)}, version: 1`,
  },
  simulateCommissions: {
    allowed: STAFF,
    args: (_, w) =>
      `input: { insurerId: ${id(w.b.insurerId)}, productLineId: ${id(w.b.mtplId)}, premium: { amount: "1000.00", currency: "EUR" }, writtenDate: "2026-03-01", sellerId: ${id(w.b.advisorId)} }`,
  },
  webhookMapping: { allowed: ADMIN, args: (_, w) => `insurerId: ${id(w.b.insurerId)}` },
  webhookDeliveries: { allowed: ADMIN, args: (_, w) => `insurerId: ${id(w.b.insurerId)}` },
  failedChanges: { allowed: ADMIN },
  apiKeys: { allowed: ADMIN },
  auditTrail: { allowed: ADMIN },
  rolePermissions: { allowed: ADMIN },
  retentionSettings: { allowed: ADMIN },
  leadForms: { allowed: ['admin', 'manager'] },
  webhookEndpoints: { allowed: ADMIN },
  webhookEndpointDeliveries: { allowed: ADMIN, args: (t) => `endpointId: ${id(t.endpointId)}` },
  // Partner managers name the partner; a partner's admin (not this plain partner user) lists its own.
  partnerUsers: { allowed: OFFICE, args: (_, w) => `partnerId: ${id(w.b.partnerId)}` },
  // Only a partner's admin: partner-portal.int.test.ts; a plain partner user and the staff are refused.
  subAgents: { allowed: [] },
  partnerCommissionLines: { allowed: ['partner'] },
  // The admin's book import: readable by tenant-wide importers; to anyone else it does not exist.
  importJob: { allowed: OFFICE_WIDE, args: (t) => `id: ${id(t.importJobId)}`, refusedAs: 'NOT_FOUND' },
  importJobs: { allowed: OFFICE },
  // Tasks: everyone in the office within scope (advisors their own); a missing task is null.
  task: { allowed: STAFF, args: () => `id: ${id('no-such-task')}` },
  tasks: { allowed: STAFF },
  taskTypes: { allowed: STAFF },
  calendar: { allowed: STAFF, args: () => 'from: "2030-01-01T00:00:00Z", to: "2030-01-31T00:00:00Z"' },
  processTemplates: { allowed: STAFF },
  alerts: { allowed: STAFF },
  sellerPerformance: { allowed: STAFF, args: () => 'period: "2030-01", groupBy: ADVISOR' },
  // The admin's report: only its requester reads it; to anyone else it does not exist.
  reportJob: { allowed: ADMIN, args: (t) => `id: ${id(t.reportJobId)}`, refusedAs: 'NOT_FOUND' },
  reportJobs: { allowed: EVERYONE },
  // Payout batches: tenant-wide approvers only (the manager's scope is his branch).
  commissionPayouts: { allowed: ADMIN, args: () => `period: ${PERIOD}` },
  commissionPayout: { allowed: ADMIN, args: () => `id: "2026-03.ADVISOR"` },
  chartOfAccounts: { allowed: ADMIN },
  // Campaigns are the brokerage's marketing: managers and admins read them (managing needs tenant-wide scope).
  campaigns: { allowed: MANAGERS },
  campaign: { allowed: MANAGERS, args: () => `id: ${id('no-such-campaign')}` },
  campaignFunnel: { allowed: MANAGERS, args: (t) => `id: ${id(t.campaignId)}` },
};

const schema = buildSchema(typeDefs);
const queries = Object.values(schema.getQueryType()?.getFields() ?? {});

/** The smallest selection a field's type accepts: `__typename` on objects, nothing on scalars. */
function selection(field: GraphQLField<unknown, unknown>): string {
  return isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
}

function principal(role: Role): Principal {
  const as = w.b.as;
  return {
    admin: as.admin,
    manager: as.manager,
    backoffice: as.backoffice,
    advisor: as.advisor,
    partner: as.partner,
  }[role];
}

beforeAll(async () => {
  w = await createScopeWorld(app, 'Query Matrix Brokerage');
  const { policyId, advisorLineId } = await commissionLinesOf(app, w, w.near);
  const policy = await app.services.policies.reads.getPolicy(w.b.admin, policyId);
  if (!policy) throw new Error('the seeded policy is missing');
  const invoice = await app.services.invoices.invoices.createInvoice(w.b.as.advisor, {
    clientId: policy.clientId,
    currency: 'EUR',
    lines: [{ description: 'Broker fee', unitPrice: '100.00' }],
    dueDate: '2026-03-31',
  });
  const [scheme] = await app.services.commissions.schemes.list(w.b.admin);
  const report = await app.services.reports.jobs.requestReport(w.b.admin, { type: 'CLIENTS', format: 'CSV' });
  const job = await app.services.imports.jobs.startBookImport(w.b.admin, {
    kind: 'CLIENTS',
    format: 'CSV',
    contentBase64: Buffer.from(`id;first;last\nQ-1;Quido;Query`).toString('base64'),
    mapping: [
      { column: 'id', field: 'externalId' },
      { column: 'first', field: 'firstName' },
      { column: 'last', field: 'lastName' },
    ],
  });
  const hook = await app.services.outgoingWebhooks.create(w.b.admin, {
    url: 'https://example.test/hooks',
    eventTypes: ['POLICY_ISSUED'],
  });
  const campaign = await app.services.campaigns.campaigns.createCampaign(w.b.admin, {
    name: 'Matrix campaign',
    periodFrom: '2026-03-01',
    periodTo: '2026-03-31',
    productLineIds: [w.b.mtplId],
  });
  t = {
    campaignId: campaign.id,
    endpointId: hook.endpoint.id,
    clientId: policy.clientId,
    policyId,
    invoiceId: invoice.id,
    lineId: advisorLineId,
    schemeId: scheme?.id ?? '',
    importJobId: job.id,
    reportJobId: report.id,
  };
});

describe('every query × every role', () => {
  it('has a row for every Query field of the schema, and no row for a query that does not exist', () => {
    expect(Object.keys(ROWS).sort()).toEqual(queries.map((q) => q.name).sort());
  });

  it('answers a partner exactly the queries the partner schema walk covers (test/support/partner-fields.ts)', () => {
    const partnerRows = Object.keys(ROWS).filter((q) => ROWS[q]?.allowed.includes('partner'));
    expect([...partnerRows, ...PARTNER_ADMIN_QUERIES].sort()).toEqual([...PARTNER_FIELDS.Query].sort());
  });

  for (const field of queries) {
    const row = ROWS[field.name];
    if (!row) continue;
    for (const role of ROLES) {
      const allowed = row.allowed.includes(role);
      it(`${field.name}: ${role} is ${allowed ? 'answered' : 'refused'}`, async () => {
        const args = row.args ? `(${row.args(t, w)})` : '';
        const result = await app.exec(principal(role), `{ ${field.name}${args}${selection(field)} }`);
        if (allowed) expect(result.errors).toBeUndefined();
        else expect(errorCode(result)).toBe(row.refusedAs ?? 'FORBIDDEN');
      });
    }
  }
});
