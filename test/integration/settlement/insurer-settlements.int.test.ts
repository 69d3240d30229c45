import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorCode } from '../../support/app.js';
import { camt053, mt940 } from '../../support/bank-statements.js';
import { type Brokerage, createBrokerage, fieldPaths } from '../../support/brokerage.js';
import { runImportJob } from '../../support/invoices.js';
import { CREATE_SCHEME, mtplSchemeInput, must } from '../commissions/commission-fixtures.js';
import { fileOf, sell } from './settlement-fixtures.js';

/**
 * Commission insurers pay, over DynamoDB Local: receivable lines booked by the consumer from real
 * policies (February and March), the insurer's account and payment reference set through GraphQL,
 * statements in all three formats imported through GraphQL, a queued row matched by hand, and the
 * journal's "settled" entries read back from the bucket.
 */
const app = createTestApp();
let b: Brokerage;

const INSURER_IBAN = 'AT611904300234573201';
const IMPORT = `mutation($i: ImportBankStatementInput!) { importBankStatement(input: $i) {
  format matched unmatched duplicates rows { row outcome invoiceId reason insurerSettlementId } } }`;
type Row = { row: number; outcome: string; reason: string | null; insurerSettlementId: string | null };
type Imported = { importBankStatement: { format: string; duplicates: number; rows: Row[] } };
const MATCH = `mutation($i: MatchInsurerSettlementInput!) { matchInsurerSettlement(input: $i) {
  id insurerId receivedDate amount { amount currency } matchedBy explanation unallocated { amount }
  allocations { period amount { amount } receivable { amount } settledBefore { amount } openAfter { amount } } } }`;
interface Entry {
  id: string;
  date: string;
  kind: string;
  source: { type: string; id: string; refs: Record<string, unknown> };
  lines: Array<{ account: string; role: string; debit: string; credit: string; currency: string }>;
}

const importStatement = (content: string) =>
  must<Imported>(app, b.as.backoffice, IMPORT, { i: { content } }).then((d) => d.importBankStatement);
const settlementOf = (id: string | null | undefined, date: string) =>
  app.services.settlement.insurerSettlements
    .settlementsBetween(b.tenantId, date, date)
    .then((all) => all.find((s) => s.id === id));
const cents = (v: string) => Math.round(Number(v) * 100);

beforeAll(async () => {
  b = await createBrokerage(app, 'Insurer Settlement Brokerage');
  await must(app, b.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
  await sell(app, b, b.as.advisor, '2026-02-05');
  await sell(app, b, b.as.advisor, '2026-03-04');
  await must(
    app,
    b.as.backoffice,
    'mutation($i: SetBankAccountInput!) { setBankAccount(input: $i) { iban paymentReference } }',
    {
      i: {
        owner: { kind: 'INSURER', id: b.insurerId },
        iban: INSURER_IBAN,
        paymentReference: 'Agent 4711',
      },
    },
  );
});

describe('insurer commission settlements from bank statements', () => {
  it('keeps the receivable of each month to settle', async () => {
    const receivable = (period: string) =>
      app.services.commissions.reconciliation.receivableOfInsurer(b.tenantId, b.insurerId, period);
    expect(await receivable('2026-02')).toEqual([{ amount: '1800.00', currency: 'CZK' }]);
    expect(await receivable('2026-03')).toEqual([{ amount: '1800.00', currency: 'CZK' }]);
  });

  it('records a camt.053 row from the insurer’s account against the month its reference names, leaves the shortfall open, and re-imports as a duplicate', async () => {
    const xml = camt053(
      [
        {
          date: '2026-03-20',
          amount: '1700.00',
          currency: 'CZK',
          remittance: 'Provize 02/2026',
          payerIban: INSURER_IBAN,
          payer: 'Kooperativa',
        },
        { date: '2026-03-20', amount: '12.00', currency: 'CZK', remittance: 'who knows' },
      ],
      { id: 'INS-CAMT-1' },
    );
    const first = await importStatement(xml);
    expect(first.rows.map((r) => [r.outcome, r.reason])).toEqual([
      ['INSURER_COMMISSION', null],
      ['UNMATCHED', 'NO_MATCH'],
    ]);
    const settlement = await settlementOf(first.rows[0]?.insurerSettlementId, '2026-03-20');
    expect(settlement).toMatchObject({
      insurerId: b.insurerId,
      matchedBy: 'IBAN',
      amount: { amount: '1700.00', currency: 'CZK' },
      unallocated: { amount: '0.00' },
      payerIban: INSURER_IBAN,
      allocations: [
        {
          period: '2026-02',
          amount: { amount: '1700.00' },
          receivable: { amount: '1800.00' },
          settledBefore: { amount: '0.00' },
          openAfter: { amount: '100.00' },
        },
      ],
    });
    expect(settlement?.explanation).toContain('100.00 CZK of 2026-02 stays open');

    const again = await importStatement(xml);
    expect(again.rows.map((r) => [r.outcome, r.insurerSettlementId])).toEqual([
      ['DUPLICATE', settlement?.id],
      ['DUPLICATE', null],
    ]);
    const all = await app.services.settlement.insurerSettlements.settlementsBetween(
      b.tenantId,
      '2026-01-01',
      '2026-12-31',
    );
    expect(all).toHaveLength(1);
  });

  it('matches a queued row to the insurer by hand, taking it off the queue in the same write', async () => {
    await importStatement('date,amount,currency,reference\n2026-03-25,300.00,CZK,bulk transfer 88\n');
    const queue = await app.services.invoices.payments.unmatchedPayments(b.as.backoffice, {
      limit: 100,
      cursor: null,
    });
    const row = queue.items.find((u) => u.reference === 'bulk transfer 88');
    const bad = await app.exec(b.as.backoffice, MATCH, {
      i: { unmatchedId: row?.id, insurerId: b.insurerId, periods: ['2026-13'] },
    });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(bad)).toEqual(['input.periods.0']);
    const matched = await must<{ matchInsurerSettlement: Record<string, unknown> }>(
      app,
      b.as.backoffice,
      MATCH,
      {
        i: { unmatchedId: row?.id, insurerId: b.insurerId, periods: ['2026-03'] },
      },
    );
    expect(matched.matchInsurerSettlement).toMatchObject({
      id: row?.id,
      matchedBy: 'MANUAL',
      receivedDate: '2026-03-25',
      allocations: [{ period: '2026-03', amount: { amount: '300.00' }, openAfter: { amount: '1500.00' } }],
    });
    const after = await app.services.invoices.payments.unmatchedPayments(b.as.backoffice, {
      limit: 100,
      cursor: null,
    });
    expect(after.items.map((u) => u.id)).not.toContain(row?.id);
    const twice = await app.exec(b.as.backoffice, MATCH, {
      i: { unmatchedId: row?.id, insurerId: b.insurerId },
    });
    expect(errorCode(twice)).toBe('NOT_FOUND');
    const advisor = await app.exec(b.as.advisor, MATCH, {
      i: { unmatchedId: row?.id, insurerId: b.insurerId },
    });
    expect(errorCode(advisor)).toBe('FORBIDDEN');
  });

  it('records an MT940 row by the insurer’s payment reference, holding what exceeds the open month in suspense', async () => {
    const text = mt940(
      [
        {
          date: '2026-03-28',
          amount: '1600.00',
          remittance: 'AGENT-4711 commission 2026-03',
          payerIban: 'DE89370400440532013000',
        },
      ],
      { id: 'INS940', currency: 'CZK' },
    );
    const first = await importStatement(text);
    expect(first.format).toBe('MT940');
    expect(first.rows.map((r) => r.outcome)).toEqual(['INSURER_COMMISSION']);
    const settlement = await settlementOf(first.rows[0]?.insurerSettlementId, '2026-03-28');
    expect(settlement).toMatchObject({
      matchedBy: 'REFERENCE',
      unallocated: { amount: '100.00' },
      allocations: [
        {
          period: '2026-03',
          amount: { amount: '1500.00' },
          settledBefore: { amount: '300.00' },
          openAfter: { amount: '0.00' },
        },
      ],
    });
    expect(settlement?.explanation).toContain('100.00 CZK is beyond the open commission receivable');
    expect((await importStatement(text)).rows.map((r) => r.outcome)).toEqual(['DUPLICATE']);
  });

  it('records a CSV row from the insurer’s account naming no month against its oldest open month', async () => {
    const first = await importStatement(
      `date,amount,currency,reference,payerIban\n2026-04-02,100.00,CZK,Provize,${INSURER_IBAN}\n`,
    );
    expect(first.rows.map((r) => r.outcome)).toEqual(['INSURER_COMMISSION']);
    const settlement = await settlementOf(first.rows[0]?.insurerSettlementId, '2026-04-02');
    expect(settlement?.allocations).toEqual([
      {
        period: '2026-02',
        amount: { amount: '100.00', currency: 'CZK' },
        receivable: { amount: '1800.00', currency: 'CZK' },
        settledBefore: { amount: '1700.00', currency: 'CZK' },
        openAfter: { amount: '0.00', currency: 'CZK' },
      },
    ]);
  });
});

describe('the journal of commission settled', () => {
  it('books each settlement as bank against the receivable (excess to suspense), balanced per entry and over the period', async () => {
    const exported = await must<{
      exportJournal: { url: string; totals: Array<{ debit: string; credit: string }> };
    }>(
      app,
      b.as.admin,
      'mutation($i: ExportJournalInput!) { exportJournal(input: $i) { url totals { currency debit credit } } }',
      { i: { from: '2026-02-01', to: '2026-04-30', format: 'JSON' } },
    );
    const doc = JSON.parse(fileOf(app, exported.exportJournal.url)) as { entries: Entry[] };
    for (const entry of doc.entries) {
      const debit = entry.lines.reduce((s, l) => s + cents(l.debit), 0);
      expect(
        entry.lines.reduce((s, l) => s + cents(l.credit), 0),
        entry.id,
      ).toBe(debit);
    }
    for (const total of exported.exportJournal.totals) expect(total.debit).toBe(total.credit);

    const settled = doc.entries.filter((e) => e.kind === 'COMMISSION_SETTLED');
    expect(settled.map((e) => [e.date, e.source.type])).toEqual([
      ['2026-03-20', 'InsurerSettlement'],
      ['2026-03-25', 'InsurerSettlement'],
      ['2026-03-28', 'InsurerSettlement'],
      ['2026-04-02', 'InsurerSettlement'],
    ]);
    const byReference = settled[2] as Entry;
    expect(byReference.lines).toEqual([
      { account: '221', role: 'BANK', debit: '1600.00', credit: '0.00', currency: 'CZK' },
      { account: '315', role: 'COMMISSION_RECEIVABLE', debit: '0.00', credit: '1500.00', currency: 'CZK' },
      { account: '395', role: 'COMMISSION_SUSPENSE', debit: '0.00', credit: '100.00', currency: 'CZK' },
    ]);
    expect(byReference.source.refs).toMatchObject({
      insurerId: b.insurerId,
      periods: ['2026-03'],
      openAfter: ['2026-03:0.00'],
      unallocated: '100.00',
    });
    expect(settled[0]?.source.refs.openAfter).toEqual(['2026-02:100.00']);
    // Booked 2 × 1800.00, settled 1700 + 300 + 1500 + 100: the receivable is square over the period.
    const receivable = doc.entries
      .flatMap((e) => e.lines)
      .filter((l) => l.role === 'COMMISSION_RECEIVABLE')
      .reduce((s, l) => s + cents(l.debit) - cents(l.credit), 0);
    expect(receivable).toBe(0);
  });
});

describe('insurer rows in import jobs and concurrent statements', () => {
  it('records an insurer’s row of a statement import job the same way, the settlement as the row’s createdId', async () => {
    const jobs = app.services.imports.jobs;
    const job = await jobs.startBankStatementImport(b.as.backoffice, {
      content: `date,amount,currency,reference,payerIban\n2026-04-06,50.00,CZK,Provize 2026-03,${INSURER_IBAN}\n`,
    });
    await runImportJob(app, jobs, b.tenantId, job.id);
    expect(await jobs.getJob(b.as.backoffice, job.id)).toMatchObject({
      status: 'SUCCEEDED',
      counts: { INSURER_COMMISSION: 1 },
    });
    const rows = await jobs.listRows(b.as.backoffice, job, { limit: 10, cursor: null });
    const settlement = await settlementOf(rows.items[0]?.createdId, '2026-04-06');
    // March is settled in full already: all of it waits in suspense.
    expect(settlement).toMatchObject({
      allocations: [],
      unallocated: { amount: '50.00' },
      matchedBy: 'IBAN',
    });
  });

  it('never settles more of a month than its receivable when two statements arrive at once', async () => {
    await sell(app, b, b.as.advisor, '2026-05-04');
    const statement = (id: string) =>
      camt053(
        [
          {
            date: '2026-05-20',
            amount: '1000.00',
            currency: 'CZK',
            remittance: 'Provize 05/2026',
            payerIban: INSURER_IBAN,
          },
        ],
        { id },
      );
    const both = await Promise.all([
      importStatement(statement('RACE-1')),
      importStatement(statement('RACE-2')),
    ]);
    const settlements = await Promise.all(
      both.map((r) => settlementOf(r.rows[0]?.insurerSettlementId, '2026-05-20')),
    );
    const settledMay = settlements.flatMap((x) => x?.allocations ?? []).map((a) => cents(a.amount.amount));
    expect(settledMay.reduce((sum, c) => sum + c, 0)).toBe(180000);
    expect(settlements.map((x) => x?.unallocated.amount).sort()).toEqual(['0.00', '200.00']);
  });
});
