import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, fieldPaths } from '../../support/brokerage.js';
import {
  CANCEL,
  CREATE_SCHEME,
  mtplSchemeInput,
  must,
  policyChange,
} from '../commissions/commission-fixtures.js';
import { sell as sellPolicy, fileOf as storedFile } from './settlement-fixtures.js';

/**
 * Payout batches over DynamoDB Local: lines booked by the consumer from real policy changes, months
 * approved through GraphQL, the pain.001 file read back from the bucket and validated against the
 * pain.001.001.03 schema (test/fixtures/iso20022), a clawback-negative advisor carried to the next month.
 */
const app = createTestApp();
let b: Brokerage;
const XSD = readFileSync(new URL('../../fixtures/iso20022/pain.001.001.03.xsd', import.meta.url), 'utf8');

const sell = (as: Principal, writtenDate: string) => sellPolicy(app, b, as, writtenDate);

async function cancel(before: Policy, date: string) {
  await must(app, b.as.advisor, CANCEL, {
    i: { id: before.id, expectedVersion: before.version, date, reason: 'client request' },
  });
  const after = await app.services.repositories.policies.getPolicyOfClient(
    b.tenantId,
    before.clientId,
    before.id,
  );
  if (!after) throw new Error('policy not found');
  await app.services.commissions.consumer.onChange(policyChange(b.tenantId, after, before));
}

const period = (mutation: string, p: string) =>
  must(app, b.as.admin, `mutation($i: CommissionPeriodInput!) { ${mutation}(input: $i) { status } }`, {
    i: { period: p },
  });

const PAYOUT_FIELDS = `id period ledger status total { amount currency } paymentCount url csvUrl expiresAt messageId paidAt
  payments { recipient { kind id } name iban bic amount { amount } earned { amount } carriedIn { amount } endToEndId lineIds }
  carried { recipient { kind id } name amount { amount currency } toPeriod explanation lineIds }`;
const CREATE = `mutation($i: CreateCommissionPayoutInput!) { createCommissionPayout(input: $i) { ${PAYOUT_FIELDS} } }`;
interface PayoutNode {
  id: string;
  status: string;
  total: { amount: string; currency: string };
  paymentCount: number;
  url: string;
  csvUrl: string;
  paidAt: string | null;
  payments: Array<{
    recipient: { kind: string; id: string };
    name: string;
    iban: string;
    amount: { amount: string };
    earned: { amount: string };
    carriedIn: { amount: string } | null;
    endToEndId: string;
    lineIds: string[];
  }>;
  carried: Array<{
    recipient: { id: string };
    amount: { amount: string };
    toPeriod: string;
    explanation: string;
  }>;
}
const createPayout = async (p: string) =>
  (
    await must<{ createCommissionPayout: PayoutNode }>(app, b.as.admin, CREATE, {
      i: { period: p, ledger: 'ADVISOR', executionDate: `${p}-28` },
    })
  ).createCommissionPayout;

const fileOf = (url: string) => storedFile(app, url);

async function expectValidPain001(xml: string) {
  const result = await validateXML({
    xml: [{ fileName: 'payout.xml', contents: xml }],
    schema: [{ fileName: 'pain.001.001.03.xsd', contents: XSD }],
  });
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}

const IBAN = {
  brokerage: 'CZ6508000000192000145399',
  advisor: 'DE89370400440532013000',
  manager: 'SK3112000000198742637541',
  franchise: 'AT611904300234573201',
};
const SET_ACCOUNT = `mutation($i: SetBankAccountInput!) { setBankAccount(input: $i) { iban bic holderName } }`;

beforeAll(async () => {
  b = await createBrokerage(app, 'Payout Brokerage');
  await must(app, b.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
  const accounts: Array<[Record<string, unknown>, string, string | null]> = [
    [{ kind: 'BROKERAGE' }, IBAN.brokerage, 'GIBACZPX'],
    [
      { kind: 'USER', id: b.advisorId },
      `${IBAN.advisor.slice(0, 4)} ${IBAN.advisor.slice(4)}`,
      'COBADEFFXXX',
    ],
    [{ kind: 'USER', id: b.managerId }, IBAN.manager, null],
    [{ kind: 'USER', id: b.franchiseAdvisorId }, IBAN.franchise, null],
  ];
  for (const [owner, iban, bic] of accounts) {
    await must(app, b.as.backoffice, SET_ACCOUNT, { i: { owner, iban, bic } });
  }
});

describe('bank accounts', () => {
  it('refuses an IBAN with a wrong check digit and a malformed BIC, with field paths', async () => {
    const bad = await app.exec(b.as.backoffice, SET_ACCOUNT, {
      i: { owner: { kind: 'USER', id: b.advisorId }, iban: 'DE89370400440532013001', bic: 'NOTABIC' },
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(bad).sort()).toEqual(['input.bic', 'input.iban']);
    const advisorReads = await app.exec<{ user: { bankAccount: { iban: string } | null } }>(
      b.as.advisor,
      'query($id: ID!) { user(id: $id) { bankAccount { iban } } }',
      { id: b.advisorId },
    );
    expect(advisorReads.data?.user.bankAccount?.iban).toBe(IBAN.advisor);
    const otherAdvisor = await app.exec<{ user: { bankAccount: null } }>(
      b.as.franchiseAdvisor,
      'query($id: ID!) { user(id: $id) { bankAccount { iban } } }',
      { id: b.advisorId },
    );
    expect(otherAdvisor.data?.user?.bankAccount ?? null).toBeNull();
    const advisorSets = await app.exec(b.as.advisor, SET_ACCOUNT, {
      i: { owner: { kind: 'USER', id: b.advisorId }, iban: IBAN.advisor },
    });
    expect(errorCode(advisorSets)).toBe('FORBIDDEN');
  });
});

describe('commission payouts', () => {
  let february: Policy;

  it('pays an approved month: one transfer per recipient, a pain.001 that validates and holds the totals, and a CSV', async () => {
    february = await sell(b.as.advisor, '2026-02-05');
    const open = await app.exec(b.as.admin, CREATE, {
      i: { period: '2026-02', ledger: 'ADVISOR', executionDate: '2026-02-28' },
    });
    expect(errorCode(open)).toBe('RULE_VIOLATION');
    await period('approveCommissionPeriod', '2026-02');
    const payout = await createPayout('2026-02');
    expect(payout).toMatchObject({ id: '2026-02.ADVISOR', status: 'CREATED', paymentCount: 2 });
    expect(payout.total).toEqual({ amount: '756.00', currency: 'CZK' });
    expect(payout.payments.map((p) => [p.recipient.id, p.iban, p.amount.amount])).toEqual(
      expect.arrayContaining([
        [b.advisorId, IBAN.advisor, '720.00'],
        [b.managerId, IBAN.manager, '36.00'],
      ]),
    );
    expect(payout.carried).toEqual([]);

    const xml = fileOf(payout.url);
    await expectValidPain001(xml);
    const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(xml);
    const initiation = doc.Document.CstmrCdtTrfInitn;
    expect(initiation.GrpHdr).toMatchObject({ NbOfTxs: '2', CtrlSum: '756.00' });
    expect(initiation.PmtInf.DbtrAcct.Id.IBAN).toBe(IBAN.brokerage);
    const amounts = initiation.PmtInf.CdtTrfTxInf.map(
      (t: { Amt: { InstdAmt: { '#text': string } } }) => t.Amt.InstdAmt['#text'],
    );
    expect(amounts.sort()).toEqual(['36.00', '720.00']);
    const csv = fileOf(payout.csvUrl).trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0]).toBe(
      'recipientKind,recipientId,name,iban,bic,amount,currency,executionDate,endToEndId,remittance',
    );

    const again = await app.exec(b.as.admin, CREATE, {
      i: { period: '2026-02', ledger: 'ADVISOR', executionDate: '2026-02-28' },
    });
    expect(errorCode(again)).toBe('ALREADY_EXISTS');
  });

  it('marks the batch PAID with its month, and keeps which batch pays which line', async () => {
    await period('markCommissionPeriodPaid', '2026-02');
    const read = await must<{ commissionPayouts: PayoutNode[] }>(
      app,
      b.as.admin,
      `query { commissionPayouts(period: "2026-02") { ${PAYOUT_FIELDS} } }`,
    );
    expect(read.commissionPayouts).toHaveLength(1);
    const paid = read.commissionPayouts[0] as PayoutNode;
    expect(paid.status).toBe('PAID');
    expect(paid.paidAt).not.toBeNull();
    const lineIds = paid.payments.flatMap((p) => p.lineIds);
    const ledgerLines = await app.services.commissions.ledger.lines(
      b.as.admin,
      { period: '2026-02', ledger: 'ADVISOR' },
      {
        limit: 100,
        cursor: null,
      },
    );
    expect(lineIds.sort()).toEqual(ledgerLines.items.map((l) => l.id).sort());
  });

  it('carries a clawback-negative advisor to the next month with an explanation, and deducts it there', async () => {
    await cancel(february, '2026-03-05');
    await sell(b.as.franchiseAdvisor, '2026-03-10');
    await period('approveCommissionPeriod', '2026-03');
    const march = await createPayout('2026-03');
    await expectValidPain001(fileOf(march.url));
    expect(march.payments.map((p) => p.recipient.id)).not.toContain(b.advisorId);
    const [carry] = march.carried;
    expect(march.carried).toHaveLength(1);
    expect(carry).toMatchObject({ recipient: { id: b.advisorId }, toPeriod: '2026-04' });
    expect(carry?.amount.amount.startsWith('-')).toBe(true);
    expect(carry?.explanation).toContain('deducted from the 2026-04 payout');
    const paidInMarch = march.payments.reduce((s, p) => s + Number(p.amount.amount) * 100, 0);
    expect(Math.round(paidInMarch)).toBe(Math.round(Number(march.total.amount) * 100));

    await sell(b.as.advisor, '2026-04-02');
    await period('approveCommissionPeriod', '2026-04');
    const april = await createPayout('2026-04');
    await expectValidPain001(fileOf(april.url));
    const advisor = april.payments.find((p) => p.recipient.id === b.advisorId);
    expect(advisor?.carriedIn?.amount).toBe(carry?.amount.amount);
    expect(advisor?.earned.amount).toBe('720.00');
    const expected = (72000 + Math.round(Number(carry?.amount.amount) * 100)) / 100;
    expect(advisor?.amount.amount).toBe(expected.toFixed(2));
  });

  it('reads a batch by id with fresh links, and nothing of another tenant (null)', async () => {
    const one = await must<{ commissionPayout: PayoutNode }>(
      app,
      b.as.admin,
      `query { commissionPayout(id: "2026-04.ADVISOR") { ${PAYOUT_FIELDS} } }`,
    );
    expect(one.commissionPayout.url).toContain('2026-04.ADVISOR.xml');
    const other = await createBrokerage(app, 'Other Payout Brokerage');
    const foreign = await app.exec(
      other.as.admin,
      'query { commissionPayout(id: "2026-04.ADVISOR") { id } }',
    );
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data).toEqual({ commissionPayout: null });
    const advisor = await app.exec(b.as.advisor, 'query { commissionPayout(id: "2026-04.ADVISOR") { id } }');
    expect(errorCode(advisor)).toBe('FORBIDDEN');
  });
});

describe('accounting journal', () => {
  interface Entry {
    id: string;
    date: string;
    kind: string;
    source: { type: string; id: string; refs: Record<string, unknown> };
    lines: Array<{ account: string; role: string; debit: string; credit: string; currency: string }>;
  }
  const EXPORT = `mutation($i: ExportJournalInput!) { exportJournal(input: $i) {
    format url entryCount totals { currency debit credit } } }`;
  const cents = (v: string) => Math.round(Number(v) * 100);

  it("exports balanced entries with the tenant's account codes and their source ids, in JSON and CSV", async () => {
    const chart = await must<{ setChartOfAccounts: { accounts: Array<{ role: string; code: string }> } }>(
      app,
      b.as.admin,
      'mutation($i: SetChartOfAccountsInput!) { setChartOfAccounts(input: $i) { accounts { role code } } }',
      { i: { accounts: [{ role: 'BANK', code: '221.9' }] } },
    );
    expect(chart.setChartOfAccounts.accounts).toContainEqual({ role: 'BANK', code: '221.9' });
    const to = new Date().toISOString().slice(0, 10);
    const json = await must<{
      exportJournal: { url: string; entryCount: number; totals: Array<{ debit: string; credit: string }> };
    }>(app, b.as.admin, EXPORT, { i: { from: '2026-02-01', to, format: 'JSON' } });
    const doc = JSON.parse(fileOf(json.exportJournal.url)) as { format: string; entries: Entry[] };
    expect(doc.format).toBe('broker-crm.journal.v1');
    expect(doc.entries).toHaveLength(json.exportJournal.entryCount);
    for (const entry of doc.entries) {
      const debit = entry.lines.reduce((s, l) => s + cents(l.debit), 0);
      const credit = entry.lines.reduce((s, l) => s + cents(l.credit), 0);
      expect(debit, entry.id).toBe(credit);
      expect(debit, entry.id).toBeGreaterThan(0);
    }
    for (const total of json.exportJournal.totals) expect(total.debit).toBe(total.credit);

    const accrual = doc.entries.find(
      (e) =>
        e.kind === 'COMMISSION_ACCRUAL' &&
        e.lines.some((l) => l.role === 'ADVISOR_PAYABLE' && l.credit === '720.00') &&
        e.date === '2026-02-28',
    );
    expect(accrual?.source).toMatchObject({
      type: 'CommissionLine',
      refs: { ledger: 'ADVISOR', period: '2026-02' },
    });
    expect(accrual?.lines).toContainEqual({
      account: '518',
      role: 'ADVISOR_COMMISSION_EXPENSE',
      debit: '720.00',
      credit: '0.00',
      currency: 'CZK',
    });
    const clawback = doc.entries.find(
      (e) => e.kind === 'COMMISSION_CLAWBACK' && e.lines.some((l) => l.role === 'ADVISOR_PAYABLE'),
    );
    expect(clawback?.lines.find((l) => l.role === 'ADVISOR_PAYABLE')?.debit).not.toBe('0.00');
    const receivable = doc.entries.find(
      (e) => e.source.refs.ledger === 'RECEIVABLE' && e.date === '2026-02-28',
    );
    expect(receivable?.lines).toContainEqual({
      account: '315',
      role: 'COMMISSION_RECEIVABLE',
      debit: '1800.00',
      credit: '0.00',
      currency: 'CZK',
    });
    const paidOut = doc.entries.filter((e) => e.kind === 'COMMISSION_PAYOUT');
    expect(paidOut.map((e) => e.source.id)).toEqual(['2026-02.ADVISOR', '2026-02.ADVISOR']);
    expect(
      paidOut
        .flatMap((e) => e.lines.filter((l) => l.role === 'BANK').map((l) => [l.account, l.credit]))
        .sort(),
    ).toEqual([
      ['221.9', '36.00'],
      ['221.9', '720.00'],
    ]);
    expect(paidOut[0]?.source.refs.lineIds).toEqual(expect.any(Array));

    const csv = await must<{ exportJournal: { url: string } }>(app, b.as.admin, EXPORT, {
      i: { from: '2026-02-01', to, format: 'CSV' },
    });
    const rows = fileOf(csv.exportJournal.url).trim().split('\n');
    expect(rows[0]).toBe(
      'entryId,date,kind,account,role,debit,credit,currency,sourceType,sourceId,description',
    );
    expect(rows).toHaveLength(1 + doc.entries.reduce((n, e) => n + e.lines.length, 0));
  });

  it('books each invoice issued: client receivables against premium payable (a policy instalment) or fee income', async () => {
    const policy = await sell(b.as.advisor, '2026-04-03');
    const issue = async (policyId: string | null, unitPrice: string) => {
      const created = await must<{ createInvoice: { id: string } }>(
        app,
        b.as.backoffice,
        'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id } }',
        {
          i: {
            clientId: policy.clientId,
            ...(policyId ? { policyId } : {}),
            currency: 'CZK',
            lines: [{ description: policyId ? 'Premium instalment' : 'Advisory fee', unitPrice }],
            issueDate: '2026-04-10',
            dueDate: '2026-04-24',
          },
        },
      );
      const done = await must<{ issueInvoice: { number: string } }>(
        app,
        b.as.backoffice,
        'mutation($i: IssueInvoiceInput!) { issueInvoice(input: $i) { number } }',
        { i: { id: created.createInvoice.id } },
      );
      return { id: created.createInvoice.id, number: done.issueInvoice.number };
    };
    const premium = await issue(policy.id, '1234.50');
    const fee = await issue(null, '300.00');
    // A draft never issued is not in the register.
    await must(
      app,
      b.as.backoffice,
      'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id } }',
      {
        i: {
          clientId: policy.clientId,
          currency: 'CZK',
          lines: [{ description: 'Draft', unitPrice: '99.00' }],
          dueDate: '2026-04-30',
        },
      },
    );
    const json = await must<{ exportJournal: { url: string } }>(app, b.as.admin, EXPORT, {
      i: { from: '2026-04-01', to: '2026-04-30', format: 'JSON' },
    });
    const doc = JSON.parse(fileOf(json.exportJournal.url)) as { entries: Entry[] };
    const invoices = doc.entries.filter((e) => e.source.type === 'Invoice');
    expect(invoices.map((e) => [e.kind, e.source.id, e.date, e.source.refs.number])).toEqual(
      expect.arrayContaining([
        ['INVOICE_PREMIUM', premium.id, '2026-04-10', premium.number],
        ['INVOICE_FEE', fee.id, '2026-04-10', fee.number],
      ]),
    );
    expect(invoices).toHaveLength(2);
    const byKind = new Map(invoices.map((e) => [e.kind, e]));
    expect(byKind.get('INVOICE_PREMIUM')?.lines).toEqual([
      { account: '311', role: 'CLIENT_RECEIVABLES', debit: '1234.50', credit: '0.00', currency: 'CZK' },
      { account: '379', role: 'PREMIUM_PAYABLE', debit: '0.00', credit: '1234.50', currency: 'CZK' },
    ]);
    expect(byKind.get('INVOICE_PREMIUM')?.source.refs.policyId).toBe(policy.id);
    expect(byKind.get('INVOICE_FEE')?.lines).toEqual([
      { account: '311', role: 'CLIENT_RECEIVABLES', debit: '300.00', credit: '0.00', currency: 'CZK' },
      { account: '602.1', role: 'FEE_INCOME', debit: '0.00', credit: '300.00', currency: 'CZK' },
    ]);
    // The register is the brokerage's sales ledger: readable tenant-wide only.
    const register = await app.services.invoices.receivables.invoiceRegister(b.as.admin, '2026-04', {
      limit: 10,
      cursor: null,
    });
    expect(register.items.map((r) => r.number).sort()).toEqual([premium.number, fee.number].sort());
    await expect(
      app.services.invoices.receivables.invoiceRegister(b.as.advisor, '2026-04', { limit: 10, cursor: null }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a range that ends before it starts, with the field path', async () => {
    const bad = await app.exec(b.as.admin, EXPORT, {
      i: { from: '2026-03-01', to: '2026-02-01', format: 'CSV' },
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(bad)).toEqual(['input.to']);
  });
});
