import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { FixedClock } from '../../../functions/shared/clock.js';
import { createTestApp, errorCode, type GraphQLResult, principalFor } from '../../support/app.js';
import {
  type Brokerage,
  createBrokerage,
  fieldPaths,
  mtplInput,
  personInput,
} from '../../support/brokerage.js';
import { execWith, type InvoiceHarness, invoiceHarness } from '../../support/invoices.js';

/**
 * The invoices module through the real GraphQL server over DynamoDB Local: who may do what, what
 * another tenant sees (nothing), the debtor and payment lists, and input errors with field paths.
 */
const clock = new FixedClock(new Date('2026-03-10T09:00:00Z'));
const app = createTestApp(clock);
let b: Brokerage;
let other: Brokerage;
let h: InvoiceHarness;

type Inv = { id: string; number: string; reference: string; version: number; status: string };
const ids: Record<'small' | 'policy' | 'franchise' | 'future', Inv> = {} as never;
let clientId: string;
let franchiseClientId: string;

function gql<T = Record<string, never>>(
  principal: Principal | null,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResult<T>> {
  return execWith<T>(app, h.services, principal, query, variables);
}

function data<T>(result: GraphQLResult<T>): T {
  if (result.errors || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

async function issued(
  as: Principal,
  client: string,
  amount: string,
  dueDate: string,
  policyId?: string,
): Promise<Inv> {
  const created = data(
    await gql<{ createInvoice: { id: string } }>(
      as,
      'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id } }',
      {
        i: {
          clientId: client,
          ...(policyId ? { policyId } : {}),
          currency: 'EUR',
          lines: [{ description: 'Premium', unitPrice: amount }],
          issueDate: '2025-12-01',
          dueDate,
        },
      },
    ),
  );
  return data(
    await gql<{ issueInvoice: Inv }>(
      b.as.backoffice,
      'mutation($i: IssueInvoiceInput!) { issueInvoice(input: $i) { id number reference version status } }',
      { i: { id: created.createInvoice.id } },
    ),
  ).issueInvoice;
}

beforeAll(async () => {
  [b, other] = await Promise.all([
    createBrokerage(app, 'GraphQL Invoices'),
    createBrokerage(app, 'Other Invoices Brokerage'),
  ]);
  h = invoiceHarness(app, clock);
  clientId = (
    await h.services.clients.records.createClient(b.as.advisor, personInput({ email: 'gq@example.com' }))
  ).id;
  franchiseClientId = (await h.services.clients.records.createClient(b.as.franchiseAdvisor, personInput()))
    .id;
  const policy = data(
    await gql<{ writePolicy: { id: string } }>(
      b.as.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      { i: mtplInput(b, clientId) },
    ),
  ).writePolicy.id;
  ids.small = await issued(b.as.advisor, clientId, '100.00', '2026-02-28');
  ids.policy = await issued(b.as.advisor, clientId, '500.00', '2025-12-31', policy);
  ids.franchise = await issued(b.as.franchiseAdvisor, franchiseClientId, '200.00', '2026-01-15');
  ids.future = await issued(b.as.advisor, clientId, '50.00', '2026-03-31');
  await h.services.invoices.dunning.sweepTenant(b.tenantId);
});

describe('authorization', () => {
  const operations: Array<[string, string, Record<string, unknown>?]> = [
    ['invoice', 'query($id: ID!) { invoice(id: $id) { id } }', { id: 'x' }],
    ['clientInvoices', 'query($id: ID!) { clientInvoices(clientId: $id) { id } }', { id: 'x' }],
    ['debtors', '{ debtors { edges { node { id } } } }'],
    ['debtorAging', '{ debtorAging { count } }'],
    ['invoicesDue', '{ invoicesDue(status: OVERDUE, period: "2026-02") { edges { node { id } } } }'],
    ['payments', '{ payments(filter: { period: "2026-03" }) { edges { node { id } } } }'],
    ['unmatchedPayments', '{ unmatchedPayments { edges { node { id } } } }'],
    ['collectorTasks', '{ collectorTasks { edges { node { id } } } }'],
    ['dunningPolicy', '{ dunningPolicy { version } }'],
    [
      'createInvoice',
      'mutation { createInvoice(input: { clientId: "x", currency: "EUR", lines: [{ description: "a", unitPrice: "1" }], dueDate: "2026-04-01" }) { id } }',
    ],
    ['issueInvoice', 'mutation { issueInvoice(input: { id: "x" }) { id } }'],
    [
      'generateInstalmentInvoices',
      'mutation { generateInstalmentInvoices(input: { policyId: "x" }) { id } }',
    ],
    [
      'cancelInvoice',
      'mutation { cancelInvoice(input: { id: "x", expectedVersion: 1, reason: "r" }) { id } }',
    ],
    [
      'writeOffInvoice',
      'mutation { writeOffInvoice(input: { id: "x", expectedVersion: 1, reason: "r" }) { id } }',
    ],
    [
      'registerPayment',
      'mutation { registerPayment(input: { invoiceId: "x", amount: "1", currency: "EUR", paidDate: "2026-03-01" }) { id } }',
    ],
    [
      'reversePayment',
      'mutation { reversePayment(input: { invoiceId: "x", paymentId: "y", reason: "r" }) { id } }',
    ],
    ['importBankStatement', 'mutation { importBankStatement(input: { csv: "date,amount" }) { importId } }'],
    [
      'resolveUnmatchedPayment',
      'mutation { resolveUnmatchedPayment(input: { unmatchedId: "x", invoiceId: "y" }) { id } }',
    ],
    [
      'setDunningPolicy',
      'mutation { setDunningPolicy(input: { expectedVersion: 0, steps: [], quietHoursStart: "20:00", quietHoursEnd: "08:00" }) { version } }',
    ],
  ];

  it.each(operations)(
    'answers a partner FORBIDDEN on %s, and no token UNAUTHENTICATED',
    async (_name, query, vars) => {
      const asPartner = await gql(b.as.partner, query, vars);
      expect(errorCode(asPartner)).toBe('FORBIDDEN');
      expect(Object.values(asPartner.data ?? {}).filter((v) => v !== null)).toEqual([]);
      expect(errorCode(await gql(null, query, vars))).toBe('UNAUTHENTICATED');
    },
  );

  it('lets an advisor read and draft for own clients, but not take payments, write off or edit dunning', async () => {
    const read = await gql<{ invoice: { number: string } }>(
      b.as.advisor,
      'query($id: ID!) { invoice(id: $id) { number } }',
      { id: ids.small.id },
    );
    expect(data(read).invoice.number).toBe(ids.small.number);
    const payment = await gql(
      b.as.advisor,
      'mutation($i: RegisterPaymentInput!) { registerPayment(input: $i) { id } }',
      { i: { invoiceId: ids.small.id, amount: '1.00', currency: 'EUR', paidDate: '2026-03-09' } },
    );
    expect(errorCode(payment)).toBe('FORBIDDEN');
    const writeOff = await gql(
      b.as.advisor,
      'mutation($i: CloseInvoiceInput!) { writeOffInvoice(input: $i) { id } }',
      { i: { id: ids.small.id, expectedVersion: ids.small.version, reason: 'r' } },
    );
    expect(errorCode(writeOff)).toBe('FORBIDDEN');
    const policy = await gql(
      b.as.backoffice,
      'mutation { setDunningPolicy(input: { expectedVersion: 0, steps: [], quietHoursStart: "20:00", quietHoursEnd: "08:00" }) { version } }',
    );
    expect(errorCode(policy)).toBe('FORBIDDEN');
  });

  it("keeps an advisor out of another advisor's invoices and lists", async () => {
    const direct = await gql(b.as.franchiseAdvisor, 'query($id: ID!) { invoice(id: $id) { id } }', {
      id: ids.small.id,
    });
    expect(errorCode(direct)).toBe('FORBIDDEN');
    const listed = data(
      await gql<{ debtors: { edges: Array<{ node: { id: string } }> } }>(
        b.as.franchiseAdvisor,
        '{ debtors(first: 50) { edges { node { id } } } }',
      ),
    );
    expect(listed.debtors.edges.map((e) => e.node.id)).toEqual([ids.franchise.id]);
    const pay = await gql(b.as.franchiseAdvisor, 'query($id: ID!) { clientInvoices(clientId: $id) { id } }', {
      id: clientId,
    });
    expect(data(pay)).toEqual({ clientInvoices: [] });
  });
});

describe('tenant isolation', () => {
  it("shows another brokerage none of this brokerage's invoices, payments or debtors", async () => {
    const admin = other.as.admin;
    expect(
      data(await gql(admin, 'query($id: ID!) { invoice(id: $id) { id } }', { id: ids.small.id })),
    ).toEqual({
      invoice: null,
    });
    expect(
      data(await gql(admin, 'query($id: ID!) { clientInvoices(clientId: $id) { id } }', { id: clientId })),
    ).toEqual({ clientInvoices: [] });
    expect(data(await gql(admin, '{ debtors(first: 100) { edges { node { id } } } }'))).toEqual({
      debtors: { edges: [] },
    });
    const payment = await gql(
      admin,
      'mutation($i: RegisterPaymentInput!) { registerPayment(input: $i) { id } }',
      { i: { invoiceId: ids.small.id, amount: '100.00', currency: 'EUR', paidDate: '2026-03-09' } },
    );
    expect(errorCode(payment)).toBe('NOT_FOUND');
    const imported = data(
      await gql<{ importBankStatement: { rows: Array<{ outcome: string; invoiceId: string | null }> } }>(
        admin,
        'mutation($i: ImportBankStatementInput!) { importBankStatement(input: $i) { rows { outcome invoiceId } } }',
        { i: { csv: `date,amount,currency,reference\n2026-03-09,100.00,EUR,${ids.small.reference}` } },
      ),
    );
    expect(imported.importBankStatement.rows).toEqual([{ outcome: 'UNMATCHED', invoiceId: null }]);
    const own = data(
      await gql<{ invoice: { status: string; payments: unknown[] } }>(
        b.as.backoffice,
        'query($id: ID!) { invoice(id: $id) { status payments { id } } }',
        { id: ids.small.id },
      ),
    );
    expect(own.invoice).toEqual({ status: 'OVERDUE', payments: [] });
  });

  it("keeps each brokerage's dunning policy its own", async () => {
    const set = await gql<{ setDunningPolicy: { version: number } }>(
      other.as.manager,
      'mutation($i: SetDunningPolicyInput!) { setDunningPolicy(input: $i) { version } }',
      {
        i: {
          expectedVersion: 0,
          steps: [{ id: 'mail', afterDays: 1, action: 'EMAIL' }],
          quietHoursStart: '21:00',
          quietHoursEnd: '07:00',
        },
      },
    );
    expect(data(set).setDunningPolicy.version).toBe(1);
    const mine = data(
      await gql<{ dunningPolicy: { version: number; steps: Array<{ id: string }> } }>(
        b.as.manager,
        '{ dunningPolicy { version steps { id } } }',
      ),
    );
    expect(mine.dunningPolicy).toEqual({
      version: 0,
      steps: [{ id: 'reminder' }, { id: 'sms' }, { id: 'collector' }],
    });
  });
});

describe('debtor and payment lists', () => {
  type DebtorRow = { id: string; daysOverdue: number; outstanding: { amount: string } };
  async function debtors(principal: Principal, filter: Record<string, unknown>): Promise<DebtorRow[]> {
    const result = data(
      await gql<{ debtors: { edges: Array<{ node: DebtorRow }> } }>(
        principal,
        'query($f: DebtorFilter) { debtors(filter: $f, first: 100) { edges { node { id daysOverdue outstanding { amount } } } } }',
        { f: filter },
      ),
    );
    return result.debtors.edges.map((e) => e.node);
  }

  it('lists overdue invoices by age bucket, branch, advisor, product line, insurer and minimum amount', async () => {
    const all = await debtors(b.as.backoffice, {});
    expect(all.map((d) => [d.id, d.daysOverdue])).toEqual([
      [ids.policy.id, 69],
      [ids.franchise.id, 54],
      [ids.small.id, 10],
    ]);
    const idsOf = (rows: DebtorRow[]) => rows.map((r) => r.id);
    expect(idsOf(await debtors(b.as.backoffice, { bucket: 'D0_30' }))).toEqual([ids.small.id]);
    expect(idsOf(await debtors(b.as.backoffice, { bucket: 'D31_60' }))).toEqual([ids.franchise.id]);
    expect(idsOf(await debtors(b.as.backoffice, { bucket: 'D61_90' }))).toEqual([ids.policy.id]);
    expect(idsOf(await debtors(b.as.backoffice, { bucket: 'D90_PLUS' }))).toEqual([]);
    expect(idsOf(await debtors(b.as.backoffice, { branchId: b.franchiseBranchId }))).toEqual([
      ids.franchise.id,
    ]);
    expect(idsOf(await debtors(b.as.backoffice, { advisorId: b.advisorId }))).toEqual([
      ids.policy.id,
      ids.small.id,
    ]);
    expect(idsOf(await debtors(b.as.backoffice, { productLineId: b.mtplId }))).toEqual([ids.policy.id]);
    expect(idsOf(await debtors(b.as.backoffice, { insurerId: b.insurerId }))).toEqual([ids.policy.id]);
    expect(idsOf(await debtors(b.as.backoffice, { minAmount: '150' }))).toEqual([
      ids.policy.id,
      ids.franchise.id,
    ]);
    expect(idsOf(await debtors(b.as.manager, {}))).toEqual([ids.policy.id, ids.small.id]);
  });

  it('totals what is overdue per age bucket, exactly, with the same filters and scope', async () => {
    const aging = async (principal: Principal, filter: Record<string, unknown>) =>
      data(
        await gql<{ debtorAging: Record<string, unknown> }>(
          principal,
          'query($f: DebtorFilter) { debtorAging(filter: $f) { asOf count total { amount currency } buckets { bucket count outstanding { amount } } } }',
          { f: filter },
        ),
      ).debtorAging;
    expect(await aging(b.as.backoffice, {})).toEqual({
      asOf: '2026-03-10',
      count: 3,
      total: [{ amount: '800.00', currency: 'EUR' }],
      buckets: [
        { bucket: 'D0_30', count: 1, outstanding: [{ amount: '100.00' }] },
        { bucket: 'D31_60', count: 1, outstanding: [{ amount: '200.00' }] },
        { bucket: 'D61_90', count: 1, outstanding: [{ amount: '500.00' }] },
        { bucket: 'D90_PLUS', count: 0, outstanding: [] },
      ],
    });
    expect(await aging(b.as.advisor, {})).toMatchObject({ count: 2, total: [{ amount: '600.00' }] });
    expect(await aging(b.as.backoffice, { branchId: b.franchiseBranchId })).toMatchObject({
      count: 1,
      total: [{ amount: '200.00' }],
    });
    expect(errorCode(await gql(b.as.partner, '{ debtorAging { count } }'))).toBe('FORBIDDEN');
  });

  it('lists payments due in a period, and payments made and paid late in a period', async () => {
    const due = data(
      await gql<{ invoicesDue: { edges: Array<{ node: { id: string } }> } }>(
        b.as.backoffice,
        '{ invoicesDue(status: ISSUED, period: "2026-03") { edges { node { id } } } }',
      ),
    );
    expect(due.invoicesDue.edges.map((e) => e.node.id)).toEqual([ids.future.id]);

    const paid = data(
      await gql<{ registerPayment: { late: boolean; period: string; policyId: string | null } }>(
        b.as.backoffice,
        'mutation($i: RegisterPaymentInput!) { registerPayment(input: $i) { late period policyId } }',
        { i: { invoiceId: ids.policy.id, amount: '200.00', currency: 'EUR', paidDate: '2026-03-09' } },
      ),
    );
    expect(paid.registerPayment).toMatchObject({ late: true, period: '2026-03' });
    expect(paid.registerPayment.policyId).not.toBeNull();
    await h.services.invoices.payments.registerPayment(b.as.backoffice, {
      invoiceId: ids.future.id,
      amount: '50.00',
      currency: 'EUR',
      paidDate: '2026-03-10',
    });
    const list = async (filter: Record<string, unknown>) =>
      data(
        await gql<{ payments: { edges: Array<{ node: { invoiceId: string } }> } }>(
          b.as.backoffice,
          'query($f: PaymentListFilter!) { payments(filter: $f) { edges { node { invoiceId } } } }',
          { f: filter },
        ),
      ).payments.edges.map((e) => e.node.invoiceId);
    expect(await list({ period: '2026-03' })).toEqual([ids.policy.id, ids.future.id]);
    expect(await list({ period: '2026-03', lateOnly: true })).toEqual([ids.policy.id]);
    expect(await list({ period: '2026-03', productLineId: b.mtplId })).toEqual([ids.policy.id]);
    expect(await list({ period: '2026-02' })).toEqual([]);
    const partial = data(
      await gql<{ invoice: { status: string; outstanding: { amount: string } } }>(
        b.as.backoffice,
        'query($id: ID!) { invoice(id: $id) { status outstanding { amount } } }',
        { id: ids.policy.id },
      ),
    );
    // Partly paid but past due: it stays a debtor, for what is still outstanding.
    expect(partial.invoice).toEqual({ status: 'OVERDUE', outstanding: { amount: '300.00' } });
  });
});

describe('payment scope and statistics', () => {
  const periodPayments = async (principal: Principal, filter: Record<string, unknown> = {}) =>
    data(
      await gql<{ payments: { edges: Array<{ node: { invoiceId: string; late: boolean } }> } }>(
        principal,
        'query($f: PaymentListFilter!) { payments(filter: $f) { edges { node { invoiceId late } } } }',
        { f: { period: '2026-03', ...filter } },
      ),
    ).payments.edges.map((e) => e.node);

  it("keeps payment lists to the caller's region and applies every criterion on the index it picked", async () => {
    const inRegion = principalFor(b.tenantId, 'manager', {
      userId: 'm-region',
      scope: 'region',
      regionId: b.regionId,
    });
    const elsewhere = principalFor(b.tenantId, 'manager', {
      userId: 'm-else',
      scope: 'region',
      regionId: 'r-else',
    });
    expect((await periodPayments(inRegion)).map((p) => p.invoiceId)).toEqual([ids.policy.id, ids.future.id]);
    expect(await periodPayments(elsewhere)).toEqual([]);
    expect(await periodPayments(b.as.advisor, { lateOnly: true })).toEqual([
      { invoiceId: ids.policy.id, late: true },
    ]);
    expect(await periodPayments(b.as.franchiseAdvisor)).toEqual([]);
    expect(await periodPayments(b.as.advisor, { advisorId: b.franchiseAdvisorId })).toEqual([]);
  });

  it('totals a corporate group once: its companies and departments roll up to the group', async () => {
    const company = (name: string, parentClientId?: string) =>
      h.services.clients.records.createClient(b.as.advisor, {
        kind: 'COMPANY',
        companyName: name,
        segment: 'BUSINESS',
        acquisitionType: 'ADVISOR',
        ...(parentClientId ? { parentClientId } : {}),
      });
    const group = await company('Holding Group a.s.');
    const subsidiary = await company('Holding Logistics s.r.o.', group.id);
    const department = await company('Holding Logistics – Fleet', subsidiary.id);
    await issued(b.as.advisor, department.id, '30.00', '2026-04-10');
    await issued(b.as.advisor, group.id, '20.00', '2026-04-20');
    await issued(b.as.advisor, clientId, '10.00', '2026-04-25');
    const rows = data(
      await gql<{ paymentStatistics: { rows: Array<{ key: string; invoicesDue: number; due: unknown[] }> } }>(
        b.as.backoffice,
        '{ paymentStatistics(period: "2026-04", groupBy: CLIENT_GROUP) { rows { key invoicesDue due { amount currency } } } }',
      ),
    ).paymentStatistics.rows;
    expect(rows).toEqual(
      expect.arrayContaining([
        { key: group.id, invoicesDue: 2, due: [{ amount: '50.00', currency: 'EUR' }] },
        { key: clientId, invoicesDue: 1, due: [{ amount: '10.00', currency: 'EUR' }] },
      ]),
    );
    expect(rows).toHaveLength(2);
  });

  it('totals payments due, made and late in a month per advisor and per product line', async () => {
    const stats = async (principal: Principal, groupBy: string) =>
      data(
        await gql<{ paymentStatistics: { rows: unknown[] } }>(
          principal,
          'query($g: PaymentStatisticsGroup!) { paymentStatistics(period: "2026-03", groupBy: $g) { rows { key invoicesDue due { amount currency } paymentsMade made { amount } paymentsLate late { amount } } } }',
          { g: groupBy },
        ),
      ).paymentStatistics.rows;
    expect(await stats(b.as.backoffice, 'ADVISOR')).toEqual([
      {
        key: b.advisorId,
        invoicesDue: 1,
        due: [{ amount: '50.00', currency: 'EUR' }],
        paymentsMade: 2,
        made: [{ amount: '250.00' }],
        paymentsLate: 1,
        late: [{ amount: '200.00' }],
      },
    ]);
    expect(await stats(b.as.backoffice, 'PRODUCT_LINE')).toEqual([
      {
        key: b.mtplId,
        invoicesDue: 0,
        due: [],
        paymentsMade: 1,
        made: [{ amount: '200.00' }],
        paymentsLate: 1,
        late: [{ amount: '200.00' }],
      },
      {
        key: null,
        invoicesDue: 1,
        due: [{ amount: '50.00', currency: 'EUR' }],
        paymentsMade: 1,
        made: [{ amount: '50.00' }],
        paymentsLate: 0,
        late: [],
      },
    ]);
    expect(await stats(b.as.franchiseAdvisor, 'ADVISOR')).toEqual([]);
    expect(
      errorCode(
        await gql(b.as.partner, '{ paymentStatistics(period: "2026-03", groupBy: ADVISOR) { period } }'),
      ),
    ).toBe('FORBIDDEN');
    const bad = await gql(
      b.as.backoffice,
      '{ paymentStatistics(period: "2026-13", groupBy: ADVISOR) { period } }',
    );
    expect(fieldPaths(bad)).toEqual(['input.period']);
  });
});

describe('input errors and optimistic locking', () => {
  it('answers bad invoice input with field paths', async () => {
    const empty = await gql(
      b.as.advisor,
      'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id } }',
      { i: { clientId, currency: 'EUR', lines: [], issueDate: '2026-03-10', dueDate: '2026-03-01' } },
    );
    expect(errorCode(empty)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(empty).sort()).toEqual(['input.dueDate', 'input.lines']);
    const currency = await gql(
      b.as.backoffice,
      'mutation($i: RegisterPaymentInput!) { registerPayment(input: $i) { id } }',
      { i: { invoiceId: ids.small.id, amount: '10.00', currency: 'CZK', paidDate: '2026-03-09' } },
    );
    expect(fieldPaths(currency)).toEqual(['input.currency']);
    const steps = await gql(
      b.as.manager,
      'mutation($i: SetDunningPolicyInput!) { setDunningPolicy(input: $i) { version } }',
      {
        i: {
          expectedVersion: 0,
          steps: [
            { id: 'a', afterDays: 1, action: 'EMAIL' },
            { id: 'a', afterDays: 2, action: 'SMS' },
          ],
          quietHoursStart: '25:00',
          quietHoursEnd: '08:00',
        },
      },
    );
    expect(fieldPaths(steps).sort()).toEqual(['input.quietHoursStart', 'input.steps.1.id']);
  });

  it('writes off with the version read and refuses a stale one; a written-off invoice leaves the debtors', async () => {
    const stale = await gql(
      b.as.backoffice,
      'mutation($i: CloseInvoiceInput!) { writeOffInvoice(input: $i) { id } }',
      { i: { id: ids.franchise.id, expectedVersion: ids.franchise.version, reason: 'uncollectable' } },
    );
    expect(errorCode(stale)).toBe('CONFLICT');
    const current = data(
      await gql<{ invoice: { version: number } }>(
        b.as.backoffice,
        'query($id: ID!) { invoice(id: $id) { version } }',
        {
          id: ids.franchise.id,
        },
      ),
    ).invoice.version;
    const done = data(
      await gql<{ writeOffInvoice: { status: string } }>(
        b.as.backoffice,
        'mutation($i: CloseInvoiceInput!) { writeOffInvoice(input: $i) { status } }',
        { i: { id: ids.franchise.id, expectedVersion: current, reason: 'uncollectable' } },
      ),
    );
    expect(done.writeOffInvoice.status).toBe('WRITTEN_OFF');
    const listed = data(
      await gql<{ debtors: { edges: Array<{ node: { id: string } }> } }>(
        b.as.backoffice,
        '{ debtors(first: 100) { edges { node { id } } } }',
      ),
    );
    expect(listed.debtors.edges.map((e) => e.node.id)).not.toContain(ids.franchise.id);
    const cancel = await gql(
      b.as.advisor,
      'mutation($i: CloseInvoiceInput!) { cancelInvoice(input: $i) { id } }',
      { i: { id: ids.franchise.id, expectedVersion: current + 1, reason: 'r' } },
    );
    expect(errorCode(cancel)).toBe('FORBIDDEN');
  });

  it('gives a signed link to the issued PDF and none for a draft', async () => {
    const issuedPdf = data(
      await gql<{ invoice: { pdfUrl: string | null } }>(
        b.as.advisor,
        'query($id: ID!) { invoice(id: $id) { pdfUrl } }',
        { id: ids.small.id },
      ),
    );
    expect(issuedPdf.invoice.pdfUrl).toContain(`${ids.small.number}.pdf`);
    const draft = data(
      await gql<{ createInvoice: { pdfUrl: string | null; number: string | null; status: string } }>(
        b.as.advisor,
        'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { pdfUrl number status } }',
        {
          i: {
            clientId,
            currency: 'EUR',
            lines: [{ description: 'Fee', unitPrice: '5' }],
            dueDate: '2026-04-30',
          },
        },
      ),
    );
    expect(draft.createInvoice).toEqual({ pdfUrl: null, number: null, status: 'DRAFT' });
  });
});

describe("an invoice's age", () => {
  it('shows daysOverdue as the age that puts it in its aging bucket, even on days the sweep has not run yet', async () => {
    const unswept = await issued(b.as.advisor, clientId, '80.00', '2026-01-20');
    // Five days after the last sweep: the stored ages are five days old, the buckets are not.
    clock.set(new Date('2026-03-15T09:00:00Z'));
    try {
      const buckets = { D0_30: [0, 30], D31_60: [31, 60], D61_90: [61, 90] } as const;
      const seen: Record<string, number> = {};
      for (const [bucket, [min, max]] of Object.entries(buckets)) {
        const page = data(
          await gql<{ debtors: { edges: Array<{ node: { id: string; daysOverdue: number } }> } }>(
            b.as.admin,
            `{ debtors(filter: { bucket: ${bucket} }) { edges { node { id daysOverdue } } } }`,
          ),
        );
        for (const { node } of page.debtors.edges) {
          expect(node.daysOverdue, bucket).toBeGreaterThanOrEqual(min);
          expect(node.daysOverdue, bucket).toBeLessThanOrEqual(max);
          seen[node.id] = node.daysOverdue;
        }
      }
      // Due 2026-02-28 and 2025-12-31: 15 and 74 days on 2026-03-15 (the sweep stored 10 and 69).
      expect(seen).toMatchObject({ [ids.small.id]: 15, [ids.policy.id]: 74 });
      // Issued past its due date on 2026-03-10 and never swept: 54 days on 2026-03-15, the 31–60 bucket.
      const one = data(
        await gql<{ invoice: { daysOverdue: number; status: string } }>(
          b.as.admin,
          'query($id: ID!) { invoice(id: $id) { daysOverdue status } }',
          { id: unswept.id },
        ),
      );
      expect(one.invoice.daysOverdue).toBe(54);
      // The card's debtor summary ages its oldest overdue invoice the same way.
      const card = data(
        await gql<{ clientCard: { debtor: { oldestDaysOverdue: number } } }>(
          b.as.admin,
          'query($id: ID!) { clientCard(id: $id) { debtor { oldestDaysOverdue } } }',
          { id: clientId },
        ),
      );
      expect(card.clientCard.debtor.oldestDaysOverdue).toBe(74);
    } finally {
      clock.set(new Date('2026-03-10T09:00:00Z'));
    }
  });
});
