import { expect } from 'vitest';
import type { GraphQLResult } from '../../support/app.js';
import { must, policyChange } from '../commissions/commission-fixtures.js';
import {
  advisorIn,
  app,
  draftInvoice,
  exported,
  issuedInvoice,
  nextSerial,
  reported,
  rm,
  type ScopedCase,
  sided,
  tenantWide,
  unique,
  w,
} from './scope-harness.js';
import { clientOf, commissionLinesOf, disputeOf, policyOf } from './scope-world.js';

/** Scope cases of money and the organisation: invoices, payments, commissions, settlement, users, reports and exports. */
export const MONEY_CASES: Record<string, ScopedCase> = {
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

  matchInsurerSettlement: tenantWide(async (as) => {
    const reference = unique('commission');
    await app.services.invoices.payments.importBankStatement(w.b.admin, {
      csv: `date,amount,currency,reference\n2026-03-02,7.00,CZK,${reference}`,
    });
    const queue = await app.services.invoices.payments.unmatchedPayments(w.b.admin, {
      limit: 100,
      cursor: null,
    });
    const row = queue.items.find((u) => u.reference === reference);
    return {
      as,
      query: 'mutation($i: MatchInsurerSettlementInput!) { matchInsurerSettlement(input: $i) { id } }',
      variables: { i: { unmatchedId: row?.id, insurerId: w.b.insurerId, periods: ['2026-02'] } },
      allowed: (result) => expect(result.data).toMatchObject({ matchInsurerSettlement: { id: row?.id } }),
    };
  }),

  // ---- commissions -------------------------------------------------------------------------
  approveCommissionPeriod: tenantWide(async (as) => ({
    as,
    query: 'mutation($i: CommissionPeriodInput!) { approveCommissionPeriod(input: $i) { status } }',
    variables: { i: { period: `2031-${String((nextSerial() % 12) + 1).padStart(2, '0')}` } },
  })),
  markCommissionPeriodPaid: tenantWide(async (as) => {
    const period = `2032-${String((nextSerial() % 12) + 1).padStart(2, '0')}`;
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
    const month = String((nextSerial() % 12) + 1).padStart(2, '0');
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
    variables: { i: { accounts: [{ role: 'BANK', code: `221.${nextSerial()}` }] } },
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
