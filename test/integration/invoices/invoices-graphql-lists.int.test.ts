import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { errorCode, principalFor } from '../../support/app.js';
import { fieldPaths } from '../../support/brokerage.js';

import { b, clientId, data, gql, h, ids, issued, setUpInvoiceBook } from './invoices-graphql-harness.js';

// The invoices module through GraphQL over DynamoDB Local: the debtor and payment lists, payment scope and statistics.
setUpInvoiceBook();

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
