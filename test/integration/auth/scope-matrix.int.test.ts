import { buildSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { typeDefs } from '../../../functions/graphql/__generated__/type-defs.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { keys } from '../../../functions/shared/table-design.js';
import { createTestApp, errorCode, type GraphQLResult, principalFor } from '../../support/app.js';
import { mtplInput, personInput } from '../../support/brokerage.js';
import { changeOf } from '../../support/invoices.js';
import { must, policyChange } from '../commissions/commission-fixtures.js';
import {
  clientOf,
  commissionLinesOf,
  createScopeWorld,
  disputeOf,
  policyOf,
  type ScopeWorld,
  type Side,
} from './scope-world.js';

/**
 * Every Mutation of the built schema, tried by a caller whose scope reaches one target and not the
 * other: the in-scope attempt must succeed and the out-of-scope one must be refused. The list of
 * mutations comes from the schema itself, so a new mutation without a case here fails the test.
 * Mutations on data that belongs to the tenant as a whole (no branch, region or owner to reach) are
 * listed in TENANT_LEVEL with the reason; those that need tenant-wide scope are tried by a
 * tenant-wide manager (in scope) and the region manager (out of scope).
 */
const app = createTestApp();
let w: ScopeWorld;
/** A manager with tenant-wide scope. */
let allManager: Principal;

beforeAll(async () => {
  w = await createScopeWorld(app, 'Scope Matrix Brokerage');
  allManager = principalFor(w.b.tenantId, 'manager', { userId: 'all-manager', scope: 'all' });
});

/** One attempt: who calls which operation with which variables, and how a refusal looks. */
interface Attempt {
  as: Principal;
  query: string;
  variables: Record<string, unknown>;
  /** The default: the answer is FORBIDDEN. */
  refused?: (result: GraphQLResult) => void | Promise<void>;
  /** What success means beyond an answer without errors, where that alone would prove little. */
  allowed?: (result: GraphQLResult) => void | Promise<void>;
}

/** A mutation's case: an attempt on a target inside the caller's scope and one outside it. */
interface ScopedCase {
  inScope: () => Promise<Attempt>;
  outOfScope: () => Promise<Attempt>;
}

/** The same attempt on the near side (in the region manager's scope) and the far side (outside it). */
function sided(attempt: (side: Side) => Promise<Attempt>): ScopedCase {
  return { inScope: () => attempt(w.near), outOfScope: () => attempt(w.far) };
}

/** An attempt the tenant-wide manager may make and the region manager may not. */
function tenantWide(attempt: (as: Principal) => Promise<Attempt>): ScopedCase {
  return { inScope: () => attempt(allManager), outOfScope: () => attempt(w.regionManager) };
}

const rm = () => w.regionManager;
let serial = 0;
const unique = (tag: string) => `${tag}-${++serial}-${Date.now().toString(36)}`;

async function advisorIn(side: Side) {
  const tag = unique('adv');
  return app.services.org.structure.createUser(w.b.admin, {
    name: `Advisor ${tag}`,
    email: `${tag}@${w.b.tenantId}.test`,
    role: 'advisor',
    scope: 'own',
    branchId: side.branchId,
  });
}

async function policyVersion(id: string): Promise<number> {
  const data = await must<{ policy: { version: number } }>(
    app,
    w.b.admin,
    'query($id: ID!) { policy(id: $id) { version } }',
    {
      id,
    },
  );
  return data.policy.version;
}

async function draftInvoice(side: Side): Promise<{ id: string; version: number }> {
  const client = await clientOf(app, side);
  const data = await must<{ createInvoice: { id: string; version: number } }>(
    app,
    side.advisor,
    'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id version } }',
    {
      i: {
        clientId: client.id,
        currency: 'CZK',
        dueDate: '2030-01-31',
        lines: [{ description: 'Broker fee', quantity: '1', unitPrice: '300.00' }],
      },
    },
  );
  return data.createInvoice;
}

async function issuedInvoice(side: Side): Promise<{ id: string; version: number }> {
  const draft = await draftInvoice(side);
  const data = await must<{ issueInvoice: { id: string; version: number } }>(
    app,
    w.b.admin,
    'mutation($i: IssueInvoiceInput!) { issueInvoice(input: $i) { id version } }',
    { i: { id: draft.id } },
  );
  return data.issueInvoice;
}

const STATUS = (name: string) => `mutation($i: PolicyStatusInput!) { ${name}(input: $i) { id status } }`;
const CLIENT_OP = (name: string, input: string) =>
  `mutation($i: ${input}!) { ${name}(input: $i) { __typename } }`;

/** An open task of the side's advisor about one of his clients, created by the advisor. */
async function taskOf(side: Side): Promise<{ id: string; version: number }> {
  const client = await clientOf(app, side);
  const data = await must<{ createTask: { id: string; version: number } }>(
    app,
    side.advisor,
    'mutation($i: CreateTaskInput!) { createTask(input: $i) { id version } }',
    { i: { typeCode: 'CALL', title: 'Call the client', clientId: client.id } },
  );
  return data.createTask;
}

/** A started campaign of the tenant (no member: its tag is unique). */
async function startedCampaign(): Promise<{ id: string; version: number }> {
  const created = await app.services.campaigns.campaigns.createCampaign(w.b.admin, {
    name: unique('campaign'),
    periodFrom: '2026-03-01',
    periodTo: '2026-03-31',
    productLineIds: [w.b.mtplId],
    segment: { tags: [unique('nobody')] },
  });
  return app.services.campaigns.campaigns.startCampaign(w.b.admin, {
    id: created.id,
    expectedVersion: created.version,
  });
}

const CAMPAIGN_OP = (name: string, input: string) =>
  `mutation($i: ${input}!) { ${name}(input: $i) { __typename } }`;

const CASES: Record<string, ScopedCase> = {
  // ---- campaigns: the brokerage's marketing, managed with tenant-wide scope ----------------
  createCampaign: tenantWide(async (as) => ({
    as,
    query: CAMPAIGN_OP('createCampaign', 'CreateCampaignInput'),
    variables: {
      i: {
        name: unique('c'),
        periodFrom: '2026-03-01',
        periodTo: '2026-03-31',
        productLineIds: [w.b.mtplId],
      },
    },
  })),
  startCampaign: tenantWide(async (as) => {
    const created = await app.services.campaigns.campaigns.createCampaign(w.b.admin, {
      name: unique('c'),
      periodFrom: '2026-03-01',
      periodTo: '2026-03-31',
      productLineIds: [w.b.mtplId],
      segment: { tags: [unique('nobody')] },
    });
    return {
      as,
      query: 'mutation($i: StartCampaignInput!) { startCampaign(input: $i) { status } }',
      variables: { i: { id: created.id, expectedVersion: created.version } },
      allowed: (result) => {
        expect(result.data).toEqual({ startCampaign: { status: 'STARTED' } });
      },
    };
  }),
  distributeCampaign: tenantWide(async (as) => ({
    as,
    query: CAMPAIGN_OP('distributeCampaign', 'DistributeCampaignInput'),
    variables: { i: { campaignId: (await startedCampaign()).id, advisorIds: [w.near.advisorId] } },
  })),
  setCampaignEmailTemplate: tenantWide(async (as) => ({
    as,
    query: CAMPAIGN_OP('setCampaignEmailTemplate', 'SetCampaignEmailTemplateInput'),
    variables: {
      i: { key: 'matrix', language: 'EN', subject: 'Hi {firstName}', html: '<p>Hi</p>', text: 'Hi' },
    },
  })),
  sendCampaignEmails: tenantWide(async (as) => {
    await app.services.campaigns.emails.setTemplate(w.b.admin, {
      key: 'matrix-send',
      language: 'en',
      subject: 'Hi',
      html: 'Hi',
      text: 'Hi',
    });
    return {
      as,
      query: CAMPAIGN_OP('sendCampaignEmails', 'SendCampaignEmailsInput'),
      variables: { i: { campaignId: (await startedCampaign()).id, templateKey: 'matrix-send' } },
    };
  }),
  // ---- tasks -------------------------------------------------------------------------------
  createTask: sided(async (side) => ({
    as: rm(),
    query: CLIENT_OP('createTask', 'CreateTaskInput'),
    variables: {
      i: {
        typeCode: 'MEETING',
        title: 'Meet',
        clientId: (await clientOf(app, side)).id,
        assigneeId: side.advisorId,
      },
    },
  })),
  createLeadForm: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: CreateLeadFormInput!) { createLeadForm(input: $i) { id branchId } }',
    variables: { i: { name: unique('form'), branchId: side.branchId, leadSourceId: w.b.leadSourceId } },
    allowed: (result) => {
      expect(result.data).toEqual({ createLeadForm: { id: expect.any(String), branchId: side.branchId } });
    },
  })),
  completeTask: sided(async (side) => {
    const task = await taskOf(side);
    return {
      as: rm(),
      query: CLIENT_OP('completeTask', 'CompleteTaskInput'),
      variables: { i: { id: task.id, expectedVersion: task.version, outcome: 'DONE' } },
    };
  }),
  reassignTasks: sided(async (side) => {
    const task = await taskOf(side);
    const to = await advisorIn(side);
    return {
      as: rm(),
      query: 'mutation($i: ReassignTasksInput!) { reassignTasks(input: $i) { reassigned } }',
      variables: { i: { taskIds: [task.id], toUserId: to.id } },
      allowed: (result) => {
        expect(result.data).toEqual({ reassignTasks: { reassigned: 1 } });
      },
    };
  }),
  createCalendarFeed: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: CalendarFeedInput) { createCalendarFeed(input: $i) { userId } }',
    variables: { i: { userId: side.advisorId } },
    allowed: (result) => {
      expect(result.data).toEqual({ createCalendarFeed: { userId: side.advisorId } });
    },
  })),
  revokeCalendarFeed: sided(async (side) => {
    await app.services.tasks.feeds.createFeed(w.b.admin, { userId: side.advisorId });
    return {
      as: rm(),
      query: 'mutation($i: CalendarFeedInput) { revokeCalendarFeed(input: $i) { revoked } }',
      variables: { i: { userId: side.advisorId } },
      allowed: (result) => {
        expect(result.data).toEqual({ revokeCalendarFeed: { revoked: true } });
      },
    };
  }),
  // ---- clients -----------------------------------------------------------------------------
  createClient: sided(async (side) => ({
    as: rm(),
    query: CLIENT_OP('createClient', 'CreateClientInput'),
    variables: { i: personInput({ ownerAdvisorId: side.advisorId }) },
  })),
  updateClient: sided(async (side) => {
    const c = await clientOf(app, side);
    return {
      as: rm(),
      query: CLIENT_OP('updateClient', 'UpdateClientInput'),
      variables: { i: { id: c.id, expectedVersion: c.version, phone: '+420601234567' } },
    };
  }),
  changeClientStatus: sided(async (side) => {
    const c = await clientOf(app, side);
    return {
      as: rm(),
      query: CLIENT_OP('changeClientStatus', 'ChangeClientStatusInput'),
      variables: { i: { id: c.id, expectedVersion: c.version, status: 'LOST', reason: 'moved abroad' } },
    };
  }),
  recordConsent: sided(async (side) => {
    const c = await clientOf(app, side);
    return {
      as: rm(),
      query: CLIENT_OP('recordConsent', 'RecordConsentInput'),
      variables: {
        i: { clientId: c.id, expectedVersion: c.version, channel: 'SMS', granted: true, how: 'signed form' },
      },
    };
  }),
  addContact: sided(async (side) => ({
    as: rm(),
    query: CLIENT_OP('addContact', 'AddContactInput'),
    variables: { i: { clientId: (await clientOf(app, side)).id, name: 'Spouse' } },
  })),
  addNote: sided(async (side) => ({
    as: rm(),
    query: CLIENT_OP('addNote', 'AddNoteInput'),
    variables: {
      i: { clientId: (await clientOf(app, side)).id, kind: 'CALL', text: 'Called about renewal' },
    },
  })),
  transferClient: sided(async (side) => {
    const c = await clientOf(app, side);
    const to = await advisorIn(side);
    return {
      as: rm(),
      query: CLIENT_OP('transferClient', 'TransferClientInput'),
      variables: {
        i: { clientId: c.id, expectedVersion: c.version, toAdvisorId: to.id, reason: 'hand-over' },
      },
    };
  }),
  transferBook: sided(async (side) => {
    // Outside the scope the leaving advisor's book is empty: the advisor himself is the target.
    const leaver = await advisorIn(side);
    const inScope = side === w.near;
    if (inScope)
      await app.services.clients.records.createClient(w.b.admin, personInput({ ownerAdvisorId: leaver.id }));
    return {
      as: rm(),
      query: 'mutation($i: TransferBookInput!) { transferBook(input: $i) { transferred } }',
      variables: { i: { fromAdvisorId: leaver.id, toAdvisorId: side.advisorId, reason: 'leaving' } },
      allowed: (result) => {
        expect(result.data).toEqual({ transferBook: { transferred: 1 } });
      },
    };
  }),
  releaseToPool: sided(async (side) => {
    const c = await clientOf(app, side);
    return {
      as: rm(),
      query: CLIENT_OP('releaseToPool', 'ReleaseToPoolInput'),
      variables: { i: { clientId: c.id, expectedVersion: c.version, reason: 'no time' } },
    };
  }),
  takeFromPool: sided(async (side) => {
    const c = await clientOf(app, side);
    await must(app, side.advisor, CLIENT_OP('releaseToPool', 'ReleaseToPoolInput'), {
      i: { clientId: c.id, expectedVersion: c.version, reason: 'no time' },
    });
    return {
      as: rm(),
      query: CLIENT_OP('takeFromPool', 'TakeFromPoolInput'),
      variables: { i: { clientId: c.id, expectedVersion: c.version + 1 } },
    };
  }),

  // ---- policies ----------------------------------------------------------------------------
  writePolicy: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    variables: { i: mtplInput(w.b, (await clientOf(app, side)).id) },
  })),
  endorsePolicy: sided(async (side) => {
    const p = await policyOf(app, w, side);
    return {
      as: rm(),
      query: 'mutation($i: EndorsePolicyInput!) { endorsePolicy(input: $i) { id } }',
      variables: {
        i: {
          id: p.id,
          expectedVersion: p.version,
          effectiveDate: '2026-06-01',
          newPremium: { amount: '13200.00', currency: 'CZK' },
          reason: 'second driver',
        },
      },
    };
  }),
  renewPolicy: sided(async (side) => {
    const p = await policyOf(app, w, side);
    return {
      as: rm(),
      query: 'mutation($i: RenewPolicyInput!) { renewPolicy(input: $i) { id } }',
      variables: {
        i: {
          id: p.id,
          expectedVersion: p.version,
          premium: { amount: '12500.00', currency: 'CZK' },
          writtenDate: '2027-01-05',
          termStart: '2027-01-15',
          termEnd: '2028-01-14',
        },
      },
    };
  }),
  cancelPolicy: sided(async (side) => {
    const p = await policyOf(app, w, side);
    return {
      as: rm(),
      query: STATUS('cancelPolicy'),
      variables: { i: { id: p.id, expectedVersion: p.version, date: '2026-06-01', reason: 'sold the car' } },
    };
  }),
  lapsePolicy: sided(async (side) => {
    const p = await policyOf(app, w, side);
    return {
      as: rm(),
      query: STATUS('lapsePolicy'),
      variables: { i: { id: p.id, expectedVersion: p.version, date: '2026-06-01', reason: 'unpaid' } },
    };
  }),
  reactivatePolicy: sided(async (side) => {
    const p = await policyOf(app, w, side);
    await must(app, side.advisor, STATUS('cancelPolicy'), {
      i: { id: p.id, expectedVersion: p.version, date: '2026-06-01', reason: 'sold the car' },
    });
    return {
      as: rm(),
      query: STATUS('reactivatePolicy'),
      variables: {
        i: {
          id: p.id,
          expectedVersion: await policyVersion(p.id),
          date: '2026-07-01',
          reason: 'bought it back',
        },
      },
    };
  }),
  acceptOffer: sided(async (side) => {
    const p = await policyOf(app, w, side, { status: 'OFFER' });
    return {
      as: rm(),
      query: STATUS('acceptOffer'),
      variables: { i: { id: p.id, expectedVersion: p.version, date: '2026-01-12', reason: 'signed' } },
    };
  }),

  // ---- invoices and payments ---------------------------------------------------------------
  createInvoice: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id } }',
    variables: {
      i: {
        clientId: (await clientOf(app, side)).id,
        currency: 'CZK',
        dueDate: '2030-01-31',
        lines: [{ description: 'Broker fee', quantity: '1', unitPrice: '300.00' }],
      },
    },
  })),
  issueInvoice: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: IssueInvoiceInput!) { issueInvoice(input: $i) { id } }',
    variables: { i: { id: (await draftInvoice(side)).id } },
  })),
  generateInstalmentInvoices: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: GenerateInstalmentInvoicesInput!) { generateInstalmentInvoices(input: $i) { id } }',
    variables: { i: { policyId: (await policyOf(app, w, side)).id } },
  })),
  cancelInvoice: sided(async (side) => {
    const inv = await draftInvoice(side);
    return {
      as: rm(),
      query: 'mutation($i: CloseInvoiceInput!) { cancelInvoice(input: $i) { id } }',
      variables: { i: { id: inv.id, expectedVersion: inv.version, reason: 'issued by mistake' } },
    };
  }),
  writeOffInvoice: sided(async (side) => {
    const inv = await issuedInvoice(side);
    return {
      as: rm(),
      query: 'mutation($i: CloseInvoiceInput!) { writeOffInvoice(input: $i) { id } }',
      variables: { i: { id: inv.id, expectedVersion: inv.version, reason: 'uncollectable' } },
    };
  }),
  registerPayment: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: RegisterPaymentInput!) { registerPayment(input: $i) { id } }',
    variables: {
      i: {
        invoiceId: (await issuedInvoice(side)).id,
        amount: '100.00',
        currency: 'CZK',
        paidDate: '2026-03-01',
      },
    },
  })),
  reversePayment: sided(async (side) => {
    const inv = await issuedInvoice(side);
    const paid = await must<{ registerPayment: { id: string } }>(
      app,
      w.b.admin,
      'mutation($i: RegisterPaymentInput!) { registerPayment(input: $i) { id } }',
      { i: { invoiceId: inv.id, amount: '100.00', currency: 'CZK', paidDate: '2026-03-01' } },
    );
    return {
      as: rm(),
      query: 'mutation($i: ReversePaymentInput!) { reversePayment(input: $i) { id } }',
      variables: { i: { invoiceId: inv.id, paymentId: paid.registerPayment.id, reason: 'bounced' } },
    };
  }),
  importBankStatement: tenantWide(async (as) => ({
    as,
    query: 'mutation($i: ImportBankStatementInput!) { importBankStatement(input: $i) { unmatched } }',
    variables: { i: { csv: `date,amount,currency,reference\n2026-03-02,1.00,CZK,${unique('nobody')}` } },
  })),
  // Starting a statement job is checked as importBankStatement is: tenant-wide scope, before anything is stored.
  startBankStatementImport: tenantWide(async (as) => ({
    as,
    query: 'mutation($i: ImportBankStatementInput!) { startBankStatementImport(input: $i) { id rowsTotal } }',
    variables: { i: { csv: `date,amount,currency,reference\n2026-03-02,1.00,CZK,${unique('job')}` } },
    allowed: (result) => {
      expect(result.data).toMatchObject({ startBankStatementImport: { rowsTotal: 1 } });
    },
  })),
  resolveUnmatchedPayment: tenantWide(async (as) => {
    const reference = unique('unknown');
    await app.services.invoices.payments.importBankStatement(w.b.admin, {
      csv: `date,amount,currency,reference\n2026-03-02,5.00,CZK,${reference}`,
    });
    const queue = await app.services.invoices.payments.unmatchedPayments(w.b.admin, {
      limit: 100,
      cursor: null,
    });
    const row = queue.items.find((u) => u.reference === reference);
    return {
      as,
      query: 'mutation($i: ResolveUnmatchedPaymentInput!) { resolveUnmatchedPayment(input: $i) { id } }',
      variables: { i: { unmatchedId: row?.id, invoiceId: (await issuedInvoice(w.near)).id } },
    };
  }),

  // ---- commissions -------------------------------------------------------------------------
  approveCommissionPeriod: tenantWide(async (as) => ({
    as,
    query: 'mutation($i: CommissionPeriodInput!) { approveCommissionPeriod(input: $i) { status } }',
    variables: { i: { period: `2031-${String((serial++ % 12) + 1).padStart(2, '0')}` } },
  })),
  markCommissionPeriodPaid: tenantWide(async (as) => {
    const period = `2032-${String((serial++ % 12) + 1).padStart(2, '0')}`;
    await app.services.commissions.periods.approve(w.b.admin, { period });
    return {
      as,
      query: 'mutation($i: CommissionPeriodInput!) { markCommissionPeriodPaid(input: $i) { status } }',
      variables: { i: { period } },
    };
  }),
  recomputeCommissions: sided(async (side) => ({
    as: rm(),
    query:
      'mutation($i: RecomputeCommissionsInput!) { recomputeCommissions(input: $i) { dryRun policiesChecked } }',
    variables: { i: { policyId: (await commissionLinesOf(app, w, side)).policyId, dryRun: true } },
    allowed: (r) => expect(r.data?.recomputeCommissions).toEqual({ dryRun: true, policiesChecked: 1 }),
  })),
  setBankAccount: tenantWide(async (as) => ({
    as,
    query: 'mutation($i: SetBankAccountInput!) { setBankAccount(input: $i) { iban } }',
    variables: { i: { owner: { kind: 'USER', id: w.near.advisorId }, iban: 'DE89 3704 0044 0532 0130 00' } },
  })),
  // A month of its own with an advisor line, approved, with the accounts its transfers need.
  createCommissionPayout: tenantWide(async (as) => {
    const month = String((serial++ % 12) + 1).padStart(2, '0');
    const period = `2033-${month}`;
    const written = await policyOf(app, w, w.near, {
      writtenDate: `${period}-05`,
      termStart: `${period}-05`,
      termEnd: `2034-${month}-04`,
    });
    const policy = await app.services.repositories.policies.getPolicyOfClient(
      w.b.tenantId,
      written.clientId,
      written.id,
    );
    if (!policy) throw new Error('policy not found');
    await app.services.commissions.consumer.onChange(policyChange(w.b.tenantId, policy));
    const lines = await app.services.commissions.ledger.lines(
      w.b.admin,
      { period },
      { limit: 100, cursor: null },
    );
    const owners = [
      { kind: 'BROKERAGE' },
      ...lines.items.filter((l) => l.ledger === 'ADVISOR').map((l) => ({ kind: 'USER', id: l.recipient.id })),
    ];
    for (const owner of owners) {
      await app.services.settlement.bankAccounts.setBankAccount(w.b.admin, {
        owner,
        iban: 'AT611904300234573201',
      });
    }
    await app.services.commissions.periods.approve(w.b.admin, { period });
    return {
      as,
      query:
        'mutation($i: CreateCommissionPayoutInput!) { createCommissionPayout(input: $i) { paymentCount } }',
      variables: { i: { period, ledger: 'ADVISOR', executionDate: `${period}-28` } },
      allowed: (result) =>
        expect(result.data).toMatchObject({ createCommissionPayout: { paymentCount: expect.any(Number) } }),
    };
  }),
  setChartOfAccounts: tenantWide(async (as) => ({
    as,
    query: 'mutation($i: SetChartOfAccountsInput!) { setChartOfAccounts(input: $i) { version } }',
    variables: { i: { accounts: [{ role: 'BANK', code: `221.${serial++}` }] } },
  })),
  exportJournal: tenantWide(async (as) => ({
    as,
    query: 'mutation($i: ExportJournalInput!) { exportJournal(input: $i) { entryCount } }',
    variables: { i: { from: '2026-01-01', to: '2026-01-31', format: 'CSV' } },
  })),
  adjustCommissionLine: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: AdjustCommissionLineInput!) { adjustCommissionLine(input: $i) { id } }',
    variables: {
      i: { lineId: (await commissionLinesOf(app, w, side)).advisorLineId, amount: '5.00', reason: 'bonus' },
    },
  })),
  disputeCommissionLine: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: DisputeCommissionLineInput!) { disputeCommissionLine(input: $i) { id } }',
    variables: { i: { lineId: (await commissionLinesOf(app, w, side)).advisorLineId, comment: 'rate?' } },
  })),
  resolveCommissionDispute: sided(async (side) => {
    const d = await disputeOf(app, w, side, 'please check');
    return {
      as: rm(),
      query: 'mutation($i: ResolveCommissionDisputeInput!) { resolveCommissionDispute(input: $i) { id } }',
      variables: {
        i: {
          lineId: d.lineId,
          disputeId: d.disputeId,
          expectedVersion: 1,
          resolution: 'REJECT',
          comment: 'correct',
        },
      },
    };
  }),

  // ---- users -------------------------------------------------------------------------------
  createUser: sided(async (side) => {
    const tag = unique('hire');
    return {
      as: rm(),
      query: 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      variables: {
        i: {
          name: 'Hire',
          email: `${tag}@${w.b.tenantId}.test`,
          role: 'ADVISOR',
          scope: 'OWN',
          branchId: side.branchId,
        },
      },
    };
  }),
  updateUser: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: UpdateUserInput!) { updateUser(input: $i) { id } }',
    variables: { i: { id: (await advisorIn(side)).id, expectedVersion: 1, name: 'Renamed' } },
  })),
  moveUser: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: MoveUserInput!) { moveUser(input: $i) { id } }',
    variables: {
      i: {
        id: (await advisorIn(side)).id,
        expectedVersion: 1,
        branchId: w.near.branchId,
        managerId: w.regionManagerId,
        effectiveDate: '2026-03-01',
      },
    },
  })),
  setUserRateGroup: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: SetUserRateGroupInput!) { setUserRateGroup(input: $i) { id } }',
    variables: {
      i: { userId: (await advisorIn(side)).id, rateGroupId: w.b.juniorGroupId, from: '2026-01-01' },
    },
  })),

  // ---- book files --------------------------------------------------------------------------
  importBook: sided(async (side) => {
    const csv = `externalId,kind,firstName,lastName,segment,acquisition,owner\n${unique('ext')},PERSON,Iva,Importovaná,INDIVIDUAL,ADVISOR,${side.advisorId}\n`;
    return {
      as: rm(),
      query:
        'mutation($i: ImportBookInput!) { importBook(input: $i) { created rejected { row errors { message } } } }',
      variables: {
        i: {
          kind: 'CLIENTS',
          format: 'CSV',
          contentBase64: Buffer.from(csv).toString('base64'),
          mapping: [
            { column: 'externalId', field: 'externalId' },
            { column: 'kind', field: 'kind' },
            { column: 'firstName', field: 'firstName' },
            { column: 'segment', field: 'segment' },
            { column: 'acquisition', field: 'acquisitionType' },
            { column: 'lastName', field: 'lastName' },
            { column: 'owner', field: 'ownerAdvisorId' },
          ],
        },
      },
      allowed: (result) => {
        expect(result.data).toMatchObject({ importBook: { created: 1, rejected: [] } });
      },
      // A file's rows are checked one by one: the row outside the scope is rejected, nothing is written.
      refused: (result) => {
        expect(result.data).toMatchObject({
          importBook: {
            created: 0,
            rejected: [{ row: 2, errors: [{ message: expect.stringContaining('outside your scope') }] }],
          },
        });
      },
    };
  }),
  // A book job runs its rows with the starter's rights, as importBook does: the row outside the
  // scope becomes a REJECTED row result, and nothing is written.
  startBookImport: sided(async (side) => {
    const csv = `externalId,kind,firstName,lastName,segment,acquisition,owner\n${unique('job')},PERSON,Iva,Úlohová,INDIVIDUAL,ADVISOR,${side.advisorId}\n`;
    const rowOf = async (result: GraphQLResult) => {
      const id = (result.data as { startBookImport: { id: string } }).startBookImport.id;
      await app.services.imports.jobs.runJob(w.b.tenantId, id);
      const job = await app.services.imports.jobs.getJob(w.b.admin, id);
      return (await app.services.imports.jobs.listRows(w.b.admin, job, { limit: 1, cursor: null })).items[0];
    };
    return {
      as: rm(),
      query: 'mutation($i: ImportBookInput!) { startBookImport(input: $i) { id } }',
      variables: {
        i: {
          kind: 'CLIENTS',
          format: 'CSV',
          contentBase64: Buffer.from(csv).toString('base64'),
          mapping: [
            { column: 'externalId', field: 'externalId' },
            { column: 'kind', field: 'kind' },
            { column: 'firstName', field: 'firstName' },
            { column: 'segment', field: 'segment' },
            { column: 'acquisition', field: 'acquisitionType' },
            { column: 'lastName', field: 'lastName' },
            { column: 'owner', field: 'ownerAdvisorId' },
          ],
        },
      },
      allowed: async (result) => {
        expect(await rowOf(result)).toMatchObject({ outcome: 'CREATED' });
      },
      refused: async (result) => {
        expect(await rowOf(result)).toMatchObject({
          outcome: 'REJECTED',
          createdId: null,
          errors: [{ message: expect.stringContaining('outside your scope') }],
        });
      },
    };
  }),
  exportBook: sided(async (side) => {
    const c = await clientOf(app, side, { lastName: `Exportovaná-${unique('x')}` });
    const name = String((await app.services.clients.reads.getClient(w.b.admin, c.id))?.name);
    return {
      as: rm(),
      query: 'mutation($i: ExportBookInput!) { exportBook(input: $i) { url } }',
      variables: {
        i: {
          kind: 'CLIENTS',
          format: 'CSV',
          clientFilter: { ownerAdvisorId: side.advisorId, status: 'POTENTIAL' },
        },
      },
      allowed: async (result) => {
        expect(await exported(result)).toContain(name);
      },
      // A list outside the scope comes back filtered: the export holds none of its clients.
      refused: async (result) => {
        expect(await exported(result)).not.toContain(name);
      },
    };
  }),
  // A report lists what the API's list shows the requester: outside the scope the file holds none of it.
  requestReport: sided(async (side) => {
    const c = await clientOf(app, side, { lastName: `Vykázaná-${unique('r')}` });
    const name = String((await app.services.clients.reads.getClient(w.b.admin, c.id))?.name);
    return {
      as: rm(),
      query: 'mutation($i: RequestReportInput!) { requestReport(input: $i) { id } }',
      variables: {
        i: { type: 'CLIENTS', format: 'CSV', filter: { clients: { ownerAdvisorId: side.advisorId } } },
      },
      allowed: async (result) => {
        expect(await reported(result)).toContain(name);
      },
      refused: async (result) => {
        expect(await reported(result)).not.toContain(name);
      },
    };
  }),
};

/** The CSV a report job wrote, after the reports function's run, read back by its link. */
async function reported(result: GraphQLResult): Promise<string> {
  const id = (result.data as { requestReport: { id: string } }).requestReport.id;
  const key = keys.reportJob(w.b.tenantId, id);
  await app.services.reports.jobs.onChange(await changeOf(app, w.b.tenantId, key, 'INSERT'));
  const job = await app.services.reports.jobs.getJob(rm(), id);
  expect(job.status).toBe('READY');
  const url = (await app.services.reports.jobs.link(job)).url ?? '';
  const body = await app.objects.get('test-reports', new URL(url).pathname.replace(/^\//, ''));
  return new TextDecoder().decode(body);
}

/** The CSV an export wrote, read back from the test store by its link. */
async function exported(result: GraphQLResult): Promise<string> {
  const url = (result.data as { exportBook: { url: string } } | null | undefined)?.exportBook.url ?? '';
  const key = new URL(url).pathname.replace(/^\//, '');
  const body = await app.objects.get('test-reports', key);
  return new TextDecoder().decode(body);
}

/**
 * Mutations where scope does not apply: their data belongs to the tenant as a whole, and the role
 * (PERMISSIONS in functions/shared/auth/policy.ts) is the whole decision.
 */
const TENANT_LEVEL: Record<string, string> = {
  _noop: 'a placeholder that modules extend; it reads and writes nothing',
  updateTenantSettings: 'tenant configuration: admins only (org:configure)',
  createRegion: 'the org tree itself: admins only (org:configure)',
  updateRegion: 'the org tree itself: admins only (org:configure)',
  createBranch: 'the org tree itself: admins only (org:configure)',
  updateBranch: 'the org tree itself: admins only (org:configure)',
  createRateGroup: 'rate groups are tenant-wide: admins only (org:configure)',
  updateRateGroup: 'rate groups are tenant-wide: admins only (org:configure)',
  createInsurer: 'insurers are tenant-wide: admins only (org:configure)',
  updateInsurer: 'insurers are tenant-wide: admins only (org:configure)',
  rotateInsurerWebhookSecret: 'insurer secrets: admins only (org:configure)',
  createProductLine: 'product lines are tenant-wide: admins only (org:configure)',
  updateProductLine: 'product lines are tenant-wide: admins only (org:configure)',
  createPartner: 'partners (lead suppliers) are a tenant-wide catalog, placed in no branch (partners:manage)',
  updatePartner: 'partners (lead suppliers) are a tenant-wide catalog, placed in no branch (partners:manage)',
  createLeadSource: 'lead sources are a tenant-wide catalog (partners:manage)',
  updateLeadSource: 'lead sources are a tenant-wide catalog (partners:manage)',
  createCommissionScheme: "schemes are the brokerage's rules, defined by managers (commissions:configure)",
  addCommissionSchemeVersion:
    "schemes are the brokerage's rules, defined by managers (commissions:configure)",
  editCommissionSchemeVersion:
    "schemes are the brokerage's rules, defined by managers (commissions:configure)",
  importCommissionStatement:
    "an insurer's statement reconciles the brokerage's receivable ledger (commissions:reconcile)",
  setDunningPolicy: "the tenant's one dunning policy (dunning:configure)",
  setWebhookMapping: 'insurer integration: admins only (webhooks:manage)',
  reprocessWebhookDelivery: 'insurer integration: admins only (webhooks:manage)',
  replayFailedChange:
    "failed changes are the tenant's operations log, placed in no branch: admins only (failures:manage)",
  createPartnerUser:
    'portal users belong to a partner (a tenant-wide catalog, placed in no branch): partner managers, or the partner admin for their own network (partner-portal.int.test.ts)',
  createSubAgent:
    "a sub-agent joins the caller's own partner network, placed in no branch: partner admins only (partner-portal.int.test.ts)",
  createWebhookEndpoint:
    "outgoing webhooks are the tenant's integrations, placed in no branch: admins only (outgoingWebhooks:manage)",
  replayWebhookEndpointDelivery:
    "outgoing webhooks are the tenant's integrations, placed in no branch: admins only (outgoingWebhooks:manage)",
  createApiKey:
    "API keys are the tenant's machine credentials, placed in no branch: admins only (apiKeys:manage)",
  revokeApiKey:
    "API keys are the tenant's machine credentials, placed in no branch: admins only (apiKeys:manage)",
  setRolePermissions:
    "the tenant's one table of role permissions, placed in no branch: admins only (permissions:manage; role-permissions.int.test.ts)",
};

const MUTATIONS = Object.keys(buildSchema(typeDefs).getMutationType()?.getFields() ?? {}).sort();

describe('the scope matrix', () => {
  it('has a case or a stated reason for every Mutation of the schema, and none for a mutation that is gone', () => {
    expect(MUTATIONS.length).toBeGreaterThan(60);
    const covered = [...Object.keys(CASES), ...Object.keys(TENANT_LEVEL)].sort();
    expect(MUTATIONS.filter((m) => !covered.includes(m))).toEqual([]);
    expect(covered.filter((m) => !MUTATIONS.includes(m))).toEqual([]);
    expect(Object.keys(CASES).filter((m) => m in TENANT_LEVEL)).toEqual([]);
  });

  it.each(Object.keys(CASES).sort())(
    '%s: succeeds in scope and is refused out of scope',
    async (mutation) => {
      const c = CASES[mutation];
      if (!c) throw new Error(`no case for ${mutation}`);
      const inside = await c.inScope();
      const allowed = await app.exec(inside.as, inside.query, inside.variables);
      expect(allowed.errors).toBeUndefined();
      expect(allowed.data?.[mutation]).toBeTruthy();
      await inside.allowed?.(allowed);

      const outside = await c.outOfScope();
      const refused = await app.exec(outside.as, outside.query, outside.variables);
      if (outside.refused) await outside.refused(refused);
      else expect(errorCode(refused)).toBe('FORBIDDEN');
    },
  );
});
