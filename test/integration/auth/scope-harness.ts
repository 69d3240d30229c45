import { beforeAll, expect } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { keys } from '../../../functions/shared/table-design.js';
import { createTestApp, type GraphQLResult, principalFor } from '../../support/app.js';
import { changeOf } from '../../support/invoices.js';
import { must } from '../commissions/commission-fixtures.js';
import { clientOf, createScopeWorld, type ScopeWorld, type Side } from './scope-world.js';

/**
 * The scope matrix's world and helpers, shared by its case files (scope-cases-*.ts) and the test:
 * live bindings set by `setUpScopeWorld` in the test file.
 */
export const app = createTestApp();
export let w: ScopeWorld;
/** A manager with tenant-wide scope. */
export let allManager: Principal;

/** This file's world: a tenant with a near and a far side of the region manager's scope. */
export function setUpScopeWorld(): void {
  beforeAll(async () => {
    w = await createScopeWorld(app, 'Scope Matrix Brokerage');
    allManager = principalFor(w.b.tenantId, 'manager', { userId: 'all-manager', scope: 'all' });
  });
}

/** One attempt: who calls which operation with which variables, and how a refusal looks. */
export interface Attempt {
  as: Principal;
  query: string;
  variables: Record<string, unknown>;
  /** The default: the answer is FORBIDDEN. */
  refused?: (result: GraphQLResult) => void | Promise<void>;
  /** What success means beyond an answer without errors, where that alone would prove little. */
  allowed?: (result: GraphQLResult) => void | Promise<void>;
}

/** A mutation's case: an attempt on a target inside the caller's scope and one outside it. */
export interface ScopedCase {
  inScope: () => Promise<Attempt>;
  outOfScope: () => Promise<Attempt>;
}

/** The same attempt on the near side (in the region manager's scope) and the far side (outside it). */
export function sided(attempt: (side: Side) => Promise<Attempt>): ScopedCase {
  return { inScope: () => attempt(w.near), outOfScope: () => attempt(w.far) };
}

/** An attempt the tenant-wide manager may make and the region manager may not. */
export function tenantWide(attempt: (as: Principal) => Promise<Attempt>): ScopedCase {
  return { inScope: () => attempt(allManager), outOfScope: () => attempt(w.regionManager) };
}

export const rm = () => w.regionManager;
let serial = 0;
/** A number no other case of this run has used. */
export const nextSerial = () => ++serial;
export const unique = (tag: string) => `${tag}-${nextSerial()}-${Date.now().toString(36)}`;

export async function advisorIn(side: Side) {
  const tag = unique('adv');
  return app.services.org.structure.createUser(w.b.admin, {
    name: `Advisor ${tag}`,
    email: `${tag}@${w.b.tenantId}.test`,
    role: 'advisor',
    scope: 'own',
    branchId: side.branchId,
  });
}

export async function policyVersion(id: string): Promise<number> {
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

export async function draftInvoice(side: Side): Promise<{ id: string; version: number }> {
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

export async function issuedInvoice(side: Side): Promise<{ id: string; version: number }> {
  const draft = await draftInvoice(side);
  const data = await must<{ issueInvoice: { id: string; version: number } }>(
    app,
    w.b.admin,
    'mutation($i: IssueInvoiceInput!) { issueInvoice(input: $i) { id version } }',
    { i: { id: draft.id } },
  );
  return data.issueInvoice;
}

export const STATUS = (name: string) =>
  `mutation($i: PolicyStatusInput!) { ${name}(input: $i) { id status } }`;
export const CLIENT_OP = (name: string, input: string) =>
  `mutation($i: ${input}!) { ${name}(input: $i) { __typename } }`;

/** An open task of the side's advisor about one of his clients, created by the advisor. */
export async function taskOf(side: Side): Promise<{ id: string; version: number }> {
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
export async function startedCampaign(): Promise<{ id: string; version: number }> {
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

export const CAMPAIGN_OP = (name: string, input: string) =>
  `mutation($i: ${input}!) { ${name}(input: $i) { __typename } }`;

/** The CSV a report job wrote, after the reports function's run, read back by its link. */
export async function reported(result: GraphQLResult): Promise<string> {
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
export async function exported(result: GraphQLResult): Promise<string> {
  const url = (result.data as { exportBook: { url: string } } | null | undefined)?.exportBook.url ?? '';
  const key = new URL(url).pathname.replace(/^\//, '');
  const body = await app.objects.get('test-reports', key);
  return new TextDecoder().decode(body);
}
