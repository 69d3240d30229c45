import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import type { TableChangeDetail } from '../../../functions/shared/change-event.js';
import type { TestApp } from '../../support/app.js';
import { type Brokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * A demo MTPL scheme in CZK: the insurer pays the brokerage 15 % of the written premium
 * (RECEIVABLE), the seller earns 40 % of that (ADVISOR) and the first upline a 2 % override of the
 * same base; both recover unearned months pro rata on cancellation.
 */
export function mtplSchemeInput(name = 'MTPL 2026') {
  return {
    name,
    currency: 'CZK',
    versions: [
      {
        validFrom: '2026-01-01',
        rules: [
          {
            id: 'mtpl-receivable',
            name: 'MTPL receivable',
            ledger: 'RECEIVABLE',
            match: { productLines: ['MTPL'] },
            computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '15' },
            clawback: { type: 'PRO_RATA_MONTHS' },
          },
          {
            id: 'mtpl-advisor',
            name: 'MTPL advisor',
            ledger: 'ADVISOR',
            match: { productLines: ['MTPL'] },
            computation: { type: 'PERCENT', base: { kind: 'LEDGER', ruleId: 'mtpl-receivable' }, rate: '40' },
            overrides: [{ type: 'PERCENT', rate: '2' }],
            clawback: { type: 'PRO_RATA_MONTHS' },
          },
        ],
      },
    ],
  };
}

export const CREATE_SCHEME = `mutation($i: CreateCommissionSchemeInput!) {
  createCommissionScheme(input: $i) { id version versions { version validFrom rules { id ledger } }
    changes { action schemeVersion by at } } }`;

export const LINE_FIELDS = `id ledger kind period policyId amount { amount currency } approvedAmount { amount }
  recipient { kind id } relatedLineId reason
  explanation { base rate ruleId ruleName schemeVersion level hierarchyLevel role formula rounding }`;

export const LINES = `query($f: CommissionLineFilter) { commissionLines(filter: $f, first: 30) {
  edges { node { ${LINE_FIELDS} } } } }`;

export const ACCRUALS = `query($r: CommissionRecipientInput, $p: String!) { commissionAccruals(recipient: $r, period: $p) {
  recipient { kind id } period accrued { amount currency } clawedBack { amount } adjusted { amount }
  total { amount } approved { amount } paid { amount } lineCount } }`;

export interface LineNode {
  id: string;
  ledger: string;
  kind: string;
  period: string;
  policyId: string;
  amount: { amount: string; currency: string };
  approvedAmount: { amount: string } | null;
  recipient: { kind: string; id: string };
  relatedLineId: string | null;
  reason: string | null;
  explanation: {
    base: string;
    rate: string | null;
    ruleId: string;
    ruleName: string;
    schemeVersion: number;
    level: number;
    hierarchyLevel: number | null;
    role: string;
    formula: string;
    rounding: string;
  };
}

export interface AccrualNode {
  recipient: { kind: string; id: string };
  period: string;
  accrued: { amount: string; currency: string };
  clawedBack: { amount: string };
  adjusted: { amount: string };
  total: { amount: string };
  approved: { amount: string } | null;
  paid: { amount: string } | null;
  lineCount: number;
}

/** Runs an operation and fails the test with the errors when there is no data. */
export async function must<T>(
  app: Pick<TestApp, 'exec'>,
  as: Principal,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const r = await app.exec<T>(as, query, variables);
  if (!r.data || r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data;
}

export async function lines(
  app: Pick<TestApp, 'exec'>,
  as: Principal,
  filter: Record<string, unknown>,
): Promise<LineNode[]> {
  const data = await must<{ commissionLines: { edges: Array<{ node: LineNode }> } }>(app, as, LINES, {
    f: filter,
  });
  return data.commissionLines.edges.map((e) => e.node);
}

export async function accruals(
  app: Pick<TestApp, 'exec'>,
  as: Principal,
  period: string,
  recipient?: Record<string, unknown>,
): Promise<AccrualNode[]> {
  const data = await must<{ commissionAccruals: AccrualNode[] }>(app, as, ACCRUALS, {
    p: period,
    ...(recipient ? { r: recipient } : {}),
  });
  return data.commissionAccruals;
}

/**
 * A client and an MTPL policy for 12,000.00 CZK over a 12-month term, written via GraphQL by the
 * advisor (or by `as`, who is then the seller).
 */
export async function writeMtplPolicy(
  app: Pick<TestApp, 'exec'>,
  b: Brokerage,
  overrides: Record<string, unknown> = {},
  as: Principal = b.as.advisor,
): Promise<{ id: string; version: number; clientId: string }> {
  const client = await must<{ createClient: { id: string } }>(
    app,
    as,
    'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
    { i: personInput() },
  );
  const written = await must<{ writePolicy: { id: string; version: number } }>(
    app,
    as,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id version } }',
    {
      i: mtplInput(b, client.createClient.id, {
        termStart: '2026-01-15',
        termEnd: '2027-01-14',
        ...overrides,
      }),
    },
  );
  return { ...written.writePolicy, clientId: client.createClient.id };
}

export const CANCEL = `mutation($i: PolicyStatusInput!) { cancelPolicy(input: $i) { id version status } }`;
export const REACTIVATE = `mutation($i: PolicyStatusInput!) { reactivatePolicy(input: $i) { id version status } }`;

/** A Policy change as the stream delivers it (the consumer's input), from two stored versions. */
export function policyChange(tenantId: string, now: Policy, old?: Policy): TableChangeDetail {
  return {
    eventName: old ? 'MODIFY' : 'INSERT',
    eventID: `test-${now.id}-${now.version}`,
    entityType: 'Policy',
    tenantId,
    keys: {},
    newImage: now as unknown as Record<string, unknown>,
    ...(old ? { oldImage: old as unknown as Record<string, unknown> } : {}),
    sequenceNumber: String(now.version),
  };
}
