import { describe, expect, it } from 'vitest';
import { errorCode } from '../../support/app.js';
import { createBrokerage, fieldPaths, mtplInput, personInput } from '../../support/brokerage.js';
import {
  accruals,
  CREATE_SCHEME,
  lines,
  mtplSchemeInput,
  must,
  policyChange,
  writeMtplPolicy,
} from './commission-fixtures.js';

import { app, b, other, setUpLedgerBrokerages, soldPolicy } from './ledger-harness.js';

// The commission ledger over DynamoDB Local: insurer statement reconciliation, the partner ledger, scheme versions and the client card.
setUpLedgerBrokerages();

describe('insurer statement reconciliation', () => {
  const IMPORT = `mutation($i: ImportCommissionStatementInput!) { importCommissionStatement(input: $i) {
    rows { policyNumber status statementAmount { amount } expectedAmount { amount } difference { amount } rows }
    invalidRows { row message } } }`;
  const EXCEPTIONS = `query($ins: ID!, $p: String!) { commissionStatementExceptions(insurerId: $ins, period: $p) {
    policyNumber status difference { amount } } }`;
  interface Row {
    policyNumber: string;
    status: string;
    statementAmount: { amount: string } | null;
    expectedAmount: { amount: string } | null;
    difference: { amount: string } | null;
    rows: number[];
  }

  it('matches statement rows to receivable lines by normalised policy number and lists the exceptions', async () => {
    const n = String(Date.now() % 1_000_000);
    const october = { writtenDate: '2026-10-05', termStart: '2026-10-05', termEnd: '2027-10-05' };
    await soldPolicy({ ...october, policyNumber: `00${n}` });
    await soldPolicy({ ...october, policyNumber: `RC-${n}-B` });
    await soldPolicy({ ...october, policyNumber: `RC-${n}-C` });
    const csv = [
      'Policy No;Commission',
      `  ${n} ;1800,00`,
      `rc-${n}-b;1700.00`,
      'ZZZ-404;50.00',
      `RC-${n}-X;abc`,
    ].join('\n');
    const input = {
      insurerId: b.insurerId,
      period: '2026-10',
      format: 'CSV',
      currency: 'CZK',
      contentBase64: Buffer.from(csv).toString('base64'),
    };
    const denied = await app.exec(b.as.advisor, IMPORT, {
      i: { ...input, mapping: { policyNumber: 'Policy No', amount: 'Commission' } },
    });
    expect(errorCode(denied)).toBe('FORBIDDEN');
    const unmapped = await app.exec(b.as.backoffice, IMPORT, { i: input });
    expect(fieldPaths(unmapped)).toEqual(['input.mapping']);
    const first = await must<{
      importCommissionStatement: { rows: Row[]; invalidRows: Array<{ row: number }> };
    }>(app, b.as.backoffice, IMPORT, {
      i: { ...input, mapping: { policyNumber: 'Policy No', amount: 'Commission' } },
    });
    const byStatus = (rows: Row[]) =>
      Object.fromEntries(
        rows.map((r) => [
          r.policyNumber,
          [
            r.status,
            r.statementAmount?.amount ?? null,
            r.expectedAmount?.amount ?? null,
            r.difference?.amount ?? null,
          ],
        ]),
      );
    expect(byStatus(first.importCommissionStatement.rows)).toEqual({
      [n]: ['MATCHED', '1800.00', '1800.00', '0.00'],
      [`RC-${n}-B`]: ['AMOUNT_MISMATCH', '1700.00', '1800.00', '-100.00'],
      [`RC-${n}-C`]: ['MISSING', null, '1800.00', null],
      'ZZZ-404': ['UNEXPECTED', '50.00', null, null],
    });
    expect(first.importCommissionStatement.invalidRows).toEqual([
      { row: 5, message: 'Commission is not an amount' },
    ]);

    // The insurer's mapping is kept: the next statement needs none, and a re-import changes nothing.
    const again = await must<{ importCommissionStatement: { rows: Row[] } }>(app, b.as.backoffice, IMPORT, {
      i: input,
    });
    expect(byStatus(again.importCommissionStatement.rows)).toEqual(
      byStatus(first.importCommissionStatement.rows),
    );
    const exceptions = await must<{
      commissionStatementExceptions: Array<{ policyNumber: string; status: string }>;
    }>(app, b.as.manager, EXCEPTIONS, { ins: b.insurerId, p: '2026-10' });
    expect(exceptions.commissionStatementExceptions.map((e) => e.status).sort()).toEqual([
      'AMOUNT_MISMATCH',
      'MISSING',
      'UNEXPECTED',
    ]);
    const otherTenant = await must<{ commissionStatementExceptions: unknown[] }>(
      app,
      other.as.admin,
      EXCEPTIONS,
      {
        ins: b.insurerId,
        p: '2026-10',
      },
    );
    expect(otherTenant.commissionStatementExceptions).toEqual([]);
  });
});

describe('the partner ledger', () => {
  it('shows a lead supplier its own PARTNER lines and accruals, and nothing of the advisors', async () => {
    const pb = await createBrokerage(app, 'Partner Ledger Brokerage');
    await must(app, pb.as.manager, CREATE_SCHEME, {
      i: {
        name: 'Referrals',
        currency: 'CZK',
        versions: [
          {
            validFrom: '2026-01-01',
            rules: [
              {
                id: 'referral',
                name: 'Referral fee',
                ledger: 'PARTNER',
                computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '5' },
              },
              {
                id: 'advisor',
                name: 'Advisor',
                ledger: 'ADVISOR',
                computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '6' },
              },
            ],
          },
        ],
      },
    });
    const client = await must<{ createClient: { id: string } }>(
      app,
      pb.as.advisor,
      'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
      { i: personInput({ acquisitionType: 'PARTNER_REFERRAL', referringPartnerId: pb.partnerId }) },
    );
    const written = await must<{ writePolicy: { id: string } }>(
      app,
      pb.as.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      { i: mtplInput(pb, client.createClient.id) },
    );
    const policy = await app.services.repositories.policies.getPolicyOfClient(
      pb.tenantId,
      client.createClient.id,
      written.writePolicy.id,
    );
    if (!policy) throw new Error('policy not found');
    await app.services.commissions.consumer.onChange(policyChange(pb.tenantId, policy));

    // Partners read their lines through the portal's own type: the result, never the premium's basis.
    const PARTNER_LINES =
      'query { partnerCommissionLines { edges { node { kind policyId amount { amount currency } } } } }';
    const partnerView = await must<{
      partnerCommissionLines: { edges: Array<{ node: Record<string, unknown> }> };
    }>(app, pb.as.partner, PARTNER_LINES);
    expect(partnerView.partnerCommissionLines.edges.map((e) => e.node)).toEqual([
      { kind: 'ACCRUAL', policyId: written.writePolicy.id, amount: { amount: '600.00', currency: 'CZK' } },
    ]);
    const [partnerMonth] = await accruals(app, pb.as.partner, '2026-01');
    expect(partnerMonth?.accrued.amount).toBe('600.00');
    const EXPLAINED =
      'query { commissionLines(filter: {}) { edges { node { ledger explanation { base previousBase rate formula } } } } }';
    expect(errorCode(await app.exec(pb.as.partner, EXPLAINED))).toBe('FORBIDDEN');
    const managerView = await must<{
      commissionLines: {
        edges: Array<{ node: { ledger: string; explanation: Record<string, string | null> } }>;
      };
    }>(
      app,
      pb.as.manager,
      EXPLAINED.replace('filter: {}', `filter: { policyId: "${written.writePolicy.id}" }`),
    );
    const managerPartnerLine = managerView.commissionLines.edges.find((e) => e.node.ledger === 'PARTNER');
    expect(managerPartnerLine?.node.explanation.base).toBe('12000');
    expect(managerPartnerLine?.node.explanation.formula).toContain('12,000.00 × 5%');
    const advisorLedger = await app.exec(
      pb.as.partner,
      'query($r: CommissionRecipientInput) { commissionLines(filter: { recipient: $r }) { edges { node { id } } } }',
      { r: { kind: 'USER', id: pb.advisorId } },
    );
    expect(errorCode(advisorLedger)).toBe('FORBIDDEN');
    const otherPartner = await app.exec(
      pb.as.partner,
      'query { commissionAccruals(recipient: { kind: PARTNER, id: "someone-else" }, period: "2026-01") { period } }',
    );
    expect(errorCode(otherPartner)).toBe('FORBIDDEN');
  });
});

describe('scheme versions and the client card', () => {
  it('computes a policy under the version in force on its written date, without any code change', async () => {
    const vb = await createBrokerage(app, 'Versioned Scheme Brokerage');
    const created = await must<{ createCommissionScheme: { id: string; version: number } }>(
      app,
      vb.as.manager,
      CREATE_SCHEME,
      {
        i: { ...mtplSchemeInput(), versions: [{ ...mtplSchemeInput().versions[0], validTo: '2026-06-01' }] },
      },
    );
    const v2Rules = mtplSchemeInput().versions[0]?.rules.map((r) =>
      r.id === 'mtpl-receivable' ? { ...r, computation: { ...r.computation, rate: '20' } } : r,
    );
    await must(
      app,
      vb.as.manager,
      `mutation($i: AddCommissionSchemeVersionInput!) { addCommissionSchemeVersion(input: $i) { version } }`,
      {
        i: {
          schemeId: created.createCommissionScheme.id,
          expectedVersion: created.createCommissionScheme.version,
          version: { validFrom: '2026-06-01', rules: v2Rules },
        },
      },
    );
    const sell = async (writtenDate: string) => {
      const w = await writeMtplPolicy(app, vb, {
        writtenDate,
        termStart: writtenDate,
        termEnd: '2027-12-31',
      });
      const policy = await app.services.repositories.policies.getPolicyOfClient(
        vb.tenantId,
        w.clientId,
        w.id,
      );
      if (!policy) throw new Error('policy not found');
      await app.services.commissions.consumer.onChange(policyChange(vb.tenantId, policy));
      return w;
    };
    const may = await sell('2026-05-31');
    const june = await sell('2026-06-01');
    const receivable = async (policyId: string) =>
      (await lines(app, vb.as.admin, { policyId })).find((l) => l.ledger === 'RECEIVABLE')?.explanation;
    expect(await receivable(may.id)).toMatchObject({ schemeVersion: 1, rate: '15' });
    expect(await receivable(june.id)).toMatchObject({
      schemeVersion: 2,
      formula: '12,000.00 × 20% (MTPL receivable, v2) = 2,400.00',
    });

    const card = `query($id: ID!) { clientCard(id: $id) { commissionSummary {
      receivable { amount currency } advisor { amount } partner { amount } } } }`;
    const forManager = await must<{ clientCard: { commissionSummary: unknown } }>(app, vb.as.manager, card, {
      id: june.clientId,
    });
    expect(forManager.clientCard.commissionSummary).toEqual({
      receivable: { amount: '2400.00', currency: 'CZK' },
      advisor: { amount: '1008.00' },
      partner: { amount: '0.00' },
    });
    const forAdvisor = await must<{ clientCard: { commissionSummary: { advisor: { amount: string } } } }>(
      app,
      vb.as.advisor,
      card,
      { id: june.clientId },
    );
    expect(forAdvisor.clientCard.commissionSummary.advisor.amount).toBe('960.00');
  });
});
