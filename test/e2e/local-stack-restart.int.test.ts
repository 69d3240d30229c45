import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Decimal from 'decimal.js';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/local/ports.js';

/**
 * `npm start` as a developer runs it, with its data in a temp folder, stopped right after a write
 * the API acknowledged, then started again on the same folder: the policy must still be there and
 * the commission consumer must have turned it into ledger lines exactly once; a report's download
 * link handed out before the restart still downloads after it.
 */
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const running = new Set<ChildProcess>();
const dirs: string[] = [];

interface Started {
  child: ChildProcess;
  url: string;
  dev: { tokens: Record<string, Record<string, string>> };
}

async function startNpm(dataDir: string, port: number): Promise<Started> {
  // Its own process group, so the test can signal the whole tree (npm, tsx, node, java) at once.
  const child = spawn('npm', ['start', '--', '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(port), JAVA_TOOL_OPTIONS: '-Xmx384m' },
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const deadline = Date.now() + 90_000;
  while (!output.includes('Broker CRM is running')) {
    if (child.exitCode !== null) throw new Error(`npm start exited: ${output.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`npm start did not come up: ${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const dev = JSON.parse(readFileSync(join(dataDir, 'dev.json'), 'utf8')) as Started['dev'];
  return { child, url: `http://localhost:${port}`, dev };
}

async function stopTree(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
  if (child.pid) process.kill(-child.pid, signal);
  await exited;
  running.delete(child);
  // The group's other members (java in particular) must be gone before the next start takes the data dir.
  for (let i = 0; i < 100; i++) {
    try {
      if (child.pid) process.kill(-child.pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  if (child.pid) process.kill(-child.pid, 'SIGKILL');
}

async function gql<T>(
  url: string,
  token: string | undefined,
  query: string,
  variables?: unknown,
): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data as T;
}

/** Writes a client and a policy in a month of its own next year, so its lines are the month's only ones. */
async function writePolicy(
  stack: Started,
  number: string,
  month: string,
): Promise<{ policyId: string; period: string }> {
  const advisor = stack.dev.tokens['demo-brokerage']?.advisor;
  const { createClient } = await gql<{ createClient: { id: string } }>(
    stack.url,
    advisor,
    'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
    {
      i: {
        kind: 'PERSON',
        firstName: 'Restart',
        lastName: number,
        segment: 'INDIVIDUAL',
        acquisitionType: 'ADVISOR',
      },
    },
  );
  const refs = await gql<{
    insurers: { edges: Array<{ node: { id: string } }> };
    productLines: { edges: Array<{ node: { id: string; code: string } }> };
  }>(
    stack.url,
    advisor,
    '{ insurers { edges { node { id } } } productLines { edges { node { id code } } } }',
  );
  const year = new Date().getUTCFullYear() + 1;
  const { writePolicy } = await gql<{ writePolicy: { id: string } }>(
    stack.url,
    advisor,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    {
      i: {
        clientId: createClient.id,
        insurerId: refs.insurers.edges[0]?.node.id,
        productLineId: refs.productLines.edges.find((e) => e.node.code === 'MTPL')?.node.id,
        policyNumber: number,
        insuredObjects: [
          {
            kind: 'VEHICLE',
            attributes: [
              { name: 'registrationPlate', value: '1B2 3456' },
              { name: 'vin', value: 'TMBJJ7NE8J0000002' },
            ],
          },
        ],
        premium: { amount: '1000.00', currency: 'EUR' },
        frequency: 'ANNUAL',
        writtenDate: `${year}-${month}-15`,
        termStart: `${year}-${month}-16`,
        termEnd: `${year + 1}-${month}-15`,
      },
    },
  );
  return { policyId: writePolicy.id, period: `${year}-${month}` };
}

interface Line {
  id: string;
  ledger: string;
  recipient: { id: string };
  amount: { amount: string };
}

async function linesOf(stack: Started, policyId: string): Promise<Line[]> {
  const admin = stack.dev.tokens['demo-brokerage']?.admin;
  const data = await gql<{ commissionLines: { edges: Array<{ node: Line }> } }>(
    stack.url,
    admin,
    'query($p: ID!) { commissionLines(filter: { policyId: $p }, first: 100) { edges { node { id ledger recipient { id } amount { amount } } } } }',
    { p: policyId },
  );
  return data.commissionLines.edges.map((e) => e.node);
}

/** After a restart: waits for the lines, then checks they and the advisor's accrual count the policy once. */
async function expectLinesOnce(stack: Started, policyId: string, period: string): Promise<void> {
  let lines: Line[] = [];
  for (let i = 0; i < 100 && lines.length === 0; i++) {
    lines = await linesOf(stack, policyId);
    if (lines.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  // A replay would show as a second delivery: give it time to happen before counting.
  await new Promise((r) => setTimeout(r, 1500));
  lines = await linesOf(stack, policyId);
  expect(lines.find((l) => l.ledger === 'RECEIVABLE')?.amount.amount).toBe('120.00');
  expect(new Set(lines.map((l) => l.id)).size).toBe(lines.length);
  const advisor = stack.dev.tokens['demo-brokerage']?.advisor;
  const { me, commissionAccruals } = await gql<{
    me: { userId: string };
    commissionAccruals: Array<{ accrued: { amount: string } }>;
  }>(
    stack.url,
    advisor,
    'query($p: String!) { me { userId } commissionAccruals(period: $p) { accrued { amount } } }',
    { p: period },
  );
  const own = lines
    .filter((l) => l.ledger === 'ADVISOR' && l.recipient.id === me.userId)
    .reduce((sum, l) => sum.plus(l.amount.amount), new Decimal(0));
  expect(own.isPositive() && !own.isZero()).toBe(true);
  expect(commissionAccruals.map((a) => a.accrued.amount)).toEqual([own.toFixed(2)]);
}

/** Requests a small report as the admin, waits until the reports function has built it, answers its link. */
async function reportLink(stack: Started): Promise<string> {
  const admin = stack.dev.tokens['demo-brokerage']?.admin;
  const { requestReport } = await gql<{ requestReport: { id: string } }>(
    stack.url,
    admin,
    'mutation($i: RequestReportInput!) { requestReport(input: $i) { id } }',
    { i: { type: 'CLIENTS', format: 'CSV', locale: 'en' } },
  );
  for (let i = 0; i < 150; i++) {
    const { reportJob } = await gql<{ reportJob: { status: string; url: string | null } }>(
      stack.url,
      admin,
      'query($id: ID!) { reportJob(id: $id) { status url } }',
      { id: requestReport.id },
    );
    if (reportJob.status === 'READY' && reportJob.url) return reportJob.url;
    if (reportJob.status === 'FAILED') throw new Error('report failed');
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('report not ready');
}

afterAll(async () => {
  for (const child of running) if (child.pid) process.kill(-child.pid, 'SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('npm start stopped right after a write, then started again on the same data dir', () => {
  it('keeps each policy and books its commission lines exactly once after SIGTERM and after SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'broker-crm-restart-'));
    dirs.push(dir);
    const port = await freePort();
    let stack = await startNpm(dir, port);
    for (const [signal, month] of [
      ['SIGTERM', '06'],
      ['SIGKILL', '08'],
    ] as const) {
      const { policyId, period } = await writePolicy(stack, `RESTART-${signal}`, month);
      const link = signal === 'SIGTERM' ? await reportLink(stack) : null;
      const before = link ? await (await fetch(link)).text() : null;
      await stopTree(stack.child, signal);
      stack = await startNpm(dir, port);
      if (link) {
        // A download link names the local server's own port and still downloads after the restart.
        expect(link.startsWith(`${stack.url}/`)).toBe(true);
        const after = await fetch(link);
        expect(after.status).toBe(200);
        expect(await after.text()).toBe(before);
        expect(before).toContain('\r\n');
      }
      const admin = stack.dev.tokens['demo-brokerage']?.admin;
      const found = await gql<{ policy: { id: string } | null }>(
        stack.url,
        admin,
        'query($id: ID!) { policy(id: $id) { id } }',
        { id: policyId },
      );
      expect(found.policy?.id, signal).toBe(policyId);
      await expectLinesOnce(stack, policyId, period);
    }
    await stopTree(stack.child, 'SIGTERM');
  }, 300_000);
});
