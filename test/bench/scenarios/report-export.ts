import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import type { User } from '../../../functions/modules/org/org.model.js';
import { composeReports } from '../../../functions/modules/reports-wiring.js';
import { createServices } from '../../../functions/modules/services.js';
import { systemPrincipal } from '../../../functions/shared/auth/principal.js';
import type { TableChangeEvent } from '../../../functions/shared/change-event.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { createDocumentClient, Db, type StoredItem } from '../../../functions/shared/db.js';
import { MemoryObjectStore } from '../../../functions/shared/object-store.js';
import { CATALOG } from '../../../infra/catalog.js';
import { esbuildOptions } from '../../../infra/cloud/bundling.js';
import { LOCAL_AWS } from '../../../infra/local/dynamodb.js';
import { principalOf } from '../../../infra/local/seed.js';
import { ledgerLine, ledgerLineItem } from '../../support/commission-lines.js';

/** Issue 16 item 4: a 100,000-line commission-lines export, streamed. */
export const EXPORT_LINES = 100_000;
export const EXPORT_LIMIT_SECONDS = 60;
export const EXPORT_LIMIT_MB = 400;

export interface ReportExportFigures {
  lines: number;
  format: 'XLSX';
  /** BatchWriteItem of the lines, then the stream poller catching up with them before the run. */
  seedSeconds: number;
  /** The handler's invocation in the reports function's process: the job's INSERT to READY. */
  seconds: number;
  /** CPU time of that process during the invocation: what it costs, whatever else loads the machine. */
  cpuSeconds: number;
  /** Peak RSS of that process (VmHWM), Node's own start and the bundle's import included. */
  peakRssMb: number;
  /** RSS sampled every 20 ms during the invocation only. */
  sampledPeakRssMb: number;
  /** What the job says when READY, and the object stored. */
  rows: number;
  status: string;
  fileBytes: number;
  limitSeconds: number;
  limitMb: number;
  met: boolean;
}

/**
 * Runs in the reports function's own process, as a Lambda invocation does: imports the bundle,
 * invokes its handler with the bus event, samples RSS while it runs, prints the figures as JSON.
 */
const PROBE = `
const { readFileSync } = await import('node:fs');
const event = JSON.parse(process.env.BENCH_EVENT);
const { handler } = await import(process.env.BENCH_BUNDLE_URL);
let sampled = process.memoryUsage().rss;
const timer = setInterval(() => { sampled = Math.max(sampled, process.memoryUsage().rss); }, 20);
const context = {
  functionName: 'reports', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:local:0:function:reports',
  memoryLimitInMB: '1024', awsRequestId: 'bench-export', logGroupName: 'local', logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: false, getRemainingTimeInMillis: () => 300000,
  done() {}, fail() {}, succeed() {},
};
const start = performance.now();
const cpu = process.cpuUsage();
const result = await handler(event, context);
const seconds = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
clearInterval(timer);
const hwmKb = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
process.stdout.write(JSON.stringify({ seconds, cpuSeconds: (used.user + used.system) / 1e6, result, peakRssKb: hwmKb, sampledRssBytes: sampled }));
process.exit(0);
`;

const mb = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));

/** The reports function bundled as the cloud stack bundles it, in a folder of its own. */
async function bundleReports(dir: string): Promise<string> {
  const spec = CATALOG.find((f) => f.name === 'reports');
  if (!spec) throw new Error('no reports function in the catalog');
  await build({ ...esbuildOptions(spec.entry, dir), logLevel: 'silent' });
  return pathToFileURL(join(dir, 'index.mjs')).href;
}

/** Runs the bundled handler on the event in a fresh Node process; its figures as it printed them. */
function invokeInFreshProcess(bundleUrl: string, event: TableChangeEvent) {
  return new Promise<{
    seconds: number;
    cpuSeconds: number;
    result: { status: string | null; rows: number };
    peakRssKb: number;
    sampledRssBytes: number;
  }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE], {
      env: {
        ...process.env,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        BENCH_BUNDLE_URL: bundleUrl,
        BENCH_EVENT: JSON.stringify(event),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`reports process exited ${code}: ${err.slice(-2000)}`));
      else resolve(JSON.parse(out.slice(out.indexOf('{"seconds"'))));
    });
  });
}

/**
 * The 100,000-line export on the local stack: a tenant with 20 advisors and four insurers (through
 * the org services), 100,000 ledger lines of one month written with concurrent BatchWriteItem in the
 * ledger repository's item shape, then a COMMISSION_LINES XLSX job requested by the admin. The job's
 * INSERT reaches the `reports` subscriber through the stack's own stream poller and change bus; the
 * subscriber runs the bundled reports function in a fresh Node process (as Lambda would), which
 * reads the lines page by page with the admin's rights, streams the workbook into a multipart
 * upload to the stack's S3, and marks the job READY. Measured there: the invocation's wall time and
 * the process's peak RSS.
 */
export async function benchReportExport(
  log: (line: string) => void,
  lines = EXPORT_LINES,
): Promise<ReportExportFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'broker-crm-export-'));
  let bundleUrl = '';
  let runs: Promise<Awaited<ReturnType<typeof invokeInFreshProcess>>> | null = null;
  const { startLocalStack } = await import('../../../infra/local/stack.js');
  const stack = await startLocalStack({
    port: 0,
    dataDir: null,
    seed: false,
    log: () => undefined,
    catalog: CATALOG.filter((f) => f.name === 'reports'),
    handlers: {
      reports: async (event: TableChangeEvent) => {
        runs = invokeInFreshProcess(bundleUrl, event);
        return runs;
      },
    },
  });
  try {
    bundleUrl = await bundleReports(dir);
    const db = new Db(
      createDocumentClient({
        endpoint: stack.listeners.dynamodb,
        region: LOCAL_AWS.region,
        credentials: LOCAL_AWS,
      }),
      'broker-crm-local',
    );
    const tenantId = 'export-brokerage';
    const sys = systemPrincipal(tenantId, 'bench-seed');
    const org = createServices(db, systemClock).org;
    await org.tenant.provisionTenant(tenantId, {
      name: 'Export Brokerage',
      baseCurrency: 'EUR',
      locale: 'cs-CZ',
      timeZone: 'Europe/Prague',
    });
    const admin = await org.structure.createUser(sys, {
      name: 'Alena Adminová',
      email: 'admin@export.example',
      role: 'admin',
      scope: 'all',
    });
    const region = await org.structure.createRegion(sys, { name: 'Morava' });
    const branch = await org.structure.createBranch(sys, { name: 'Brno', kind: 'OWN', regionId: region.id });
    const advisors: User[] = [];
    for (let i = 0; i < 20; i++)
      advisors.push(
        await org.structure.createUser(sys, {
          name: `Poradce ${i + 1}`,
          email: `advisor-${i + 1}@export.example`,
          role: 'advisor',
          scope: 'own',
          branchId: branch.id,
        }),
      );
    const insurerIds: string[] = [];
    for (const name of ['Kooperativa', 'Allianz', 'Generali', 'UNIQA'])
      insurerIds.push((await org.catalog.createInsurer(sys, { name })).insurer.id);

    const now = new Date().toISOString();
    const period = now.slice(0, 7);
    const spread = { period, advisorIds: advisors.map((a) => a.id), insurerIds, createdAt: now };
    const seedStart = performance.now();
    let next = 0;
    const writer = async () => {
      while (next < lines) {
        const from = next;
        next = Math.min(lines, next + 100);
        const items: StoredItem[] = [];
        for (let n = from; n < next; n++) items.push(ledgerLineItem(tenantId, ledgerLine(n, spread)));
        await db.batchWrite(items);
        written += items.length;
        if (written % 20_000 === 0) log(`  export: ${written}/${lines} lines written`);
      }
    };
    let written = 0;
    await Promise.all(Array.from({ length: 12 }, writer));
    log(`  export: ${lines} lines written in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
    // The poller reads the lines' INSERTs (no subscriber wants them): let it finish before the run.
    await stack.changes.idle();
    const seedSeconds = (performance.now() - seedStart) / 1000;
    log(`  export: stream caught up after ${seedSeconds.toFixed(1)} s; requesting the XLSX job…`);

    const reports = composeReports(db, systemClock, {
      store: new MemoryObjectStore(),
      bucket: 'broker-crm-reports',
    });
    const job = await reports.jobs.requestReport(principalOf(tenantId, admin, null), {
      type: 'COMMISSION_LINES',
      format: 'XLSX',
      period,
      locale: 'cs',
    });
    // The job's INSERT travels the stream and the bus to the subscriber above.
    for (let waited = 0; !runs && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    if (!runs) throw new Error('the reports subscriber never received the job');
    const run = await (runs as Promise<Awaited<ReturnType<typeof invokeInFreshProcess>>>);
    const stored = await reports.jobs.getJob(principalOf(tenantId, admin, null), job.id);
    const s3 = new S3Client({
      endpoint: stack.url,
      forcePathStyle: true,
      region: LOCAL_AWS.region,
      credentials: LOCAL_AWS,
    });
    const object = await s3.send(
      new GetObjectCommand({ Bucket: 'broker-crm-reports', Key: stored.objectKey ?? '' }),
    );
    const file = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    s3.destroy();
    // An XLSX is a zip: its first local file header starts "PK\x03\x04".
    if (file[0] !== 0x50 || file[1] !== 0x4b) throw new Error('the stored export is not an XLSX file');
    if (process.env.BENCH_EXPORT_OUT)
      (await import('node:fs')).writeFileSync(process.env.BENCH_EXPORT_OUT, file);
    const figures: ReportExportFigures = {
      lines,
      format: 'XLSX',
      seedSeconds: Number(seedSeconds.toFixed(1)),
      seconds: Number(run.seconds.toFixed(1)),
      cpuSeconds: Number(run.cpuSeconds.toFixed(1)),
      peakRssMb: Number((run.peakRssKb / 1024).toFixed(1)),
      sampledPeakRssMb: mb(run.sampledRssBytes),
      rows: stored.rows,
      status: stored.status,
      fileBytes: file.length,
      limitSeconds: EXPORT_LIMIT_SECONDS,
      limitMb: EXPORT_LIMIT_MB,
      met: false,
    };
    figures.met =
      figures.status === 'READY' &&
      figures.rows === lines &&
      figures.seconds <= EXPORT_LIMIT_SECONDS &&
      figures.peakRssMb <= EXPORT_LIMIT_MB;
    log(
      `  export: ${figures.status}, ${figures.rows} rows, ${mb(figures.fileBytes)} MB XLSX in ${figures.seconds} s (${figures.cpuSeconds} s CPU), peak RSS ${figures.peakRssMb} MB (sampled ${figures.sampledPeakRssMb} MB)`,
    );
    return figures;
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
