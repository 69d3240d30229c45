import { describe, expect, it } from 'vitest';
import { errorCode } from '../../support/app.js';

import { b, clientId, data, gql, ids, other, setUpInvoiceBook } from './invoices-graphql-harness.js';

// The invoices module through GraphQL over DynamoDB Local: who may do what and what another tenant sees (nothing).
setUpInvoiceBook();

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
