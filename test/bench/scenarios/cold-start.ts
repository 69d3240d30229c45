import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { CATALOG } from '../../../infra/catalog.js';
import { bundleSize, esbuildOptions, REPO_ROOT } from '../../../infra/cloud/bundling.js';
import { type Spread, spread } from '../support/stats.js';

export interface ColdStartFigures {
  name: string;
  entry: string;
  bundleBytes: number;
  /** Module initialisation (the dynamic import of the bundle) inside a fresh Node process. */
  initMs: Spread;
  /** Spawn to exit of the whole process, Node's own start included. */
  processMs: Spread;
  peakRssMb: Spread;
  /** initMs median ÷ the baseline's initMs median. */
  initRatio: number | null;
  /** The biggest contributors to the bundle, by package (bytes in the minified output). */
  topInputs: Array<{ source: string; bytes: number }>;
}

const BASELINE = {
  name: 'baseline (DynamoDB client only)',
  entry: 'test/bench/scenarios/baseline-handler.ts',
};

/** Runs in the fresh process: times the import of the bundle and reports its own peak RSS. */
const PROBE = `
const start = performance.now();
await import(process.env.BENCH_BUNDLE_URL);
const initMs = performance.now() - start;
// VmHWM starts afresh at exec; getrusage's maxRSS can carry the forking parent's size over.
let maxRssKb = process.resourceUsage().maxRSS;
try {
  const { readFileSync } = await import('node:fs');
  maxRssKb = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
} catch {}
process.stdout.write(JSON.stringify({ initMs, maxRssKb }));
`;

/** Environment a handler parses at cold start; endpoints are never called during init. */
const HANDLER_ENV = {
  TABLE_NAME: 'broker-crm-bench',
  STAGE: 'local',
  AUTH_ISSUER: 'https://auth.broker-crm.local',
  AUTH_AUDIENCE: 'broker-crm-local',
  AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
  REPORTS_BUCKET: 'broker-crm-reports',
  ARCHIVE_BUCKET: 'broker-crm-webhook-archive',
  MAIL_FROM: 'noreply@broker-crm.local',
  SMS_SINK_URL: 'http://127.0.0.1:9/local/sms',
  CURSOR_KEYS: 'bench-cursor-secret-0123456789abcdefghijklmnop',
  AWS_REGION: 'eu-central-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/** Bundles an entry exactly as the cloud stack does (`esbuildOptions` from infra/cloud/bundling.ts). */
async function bundle(entry: string, outfile: string): Promise<{ bytes: number; metafile: Metafile }> {
  const result = await build({ ...esbuildOptions(entry, dirname(outfile)), logLevel: 'silent' });
  return { bytes: bundleSize(result.metafile).initialBytes, metafile: result.metafile };
}

function topInputs(metafile: Metafile, count: number): Array<{ source: string; bytes: number }> {
  const bySource = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
      const source = pkg ?? path.split('/').slice(0, 2).join('/');
      bySource.set(source, (bySource.get(source) ?? 0) + input.bytesInOutput);
    }
  }
  return [...bySource.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([source, bytes]) => ({ source, bytes }));
}

function probe(file: string): Promise<{ initMs: number; processMs: number; maxRssKb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', PROBE], {
      env: { PATH: process.env.PATH, ...HANDLER_ENV, BENCH_BUNDLE_URL: pathToFileURL(file).href },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const processMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`init of ${file} failed (${code}): ${err.slice(-1000)}`));
      const parsed = JSON.parse(out.slice(out.lastIndexOf('{'))) as { initMs: number; maxRssKb: number };
      resolve({ ...parsed, processMs });
    });
  });
}

/**
 * Cold start per catalog function: the minified bundle as deployed, and module initialisation in
 * `runs` fresh Node processes each, against a baseline handler that only creates the DynamoDB
 * client. Processes run one at a time so they do not compete with each other.
 */
export async function benchColdStart(runs: number, log: (line: string) => void): Promise<ColdStartFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'broker-crm-bench-'));
  try {
    const entries = [BASELINE, ...CATALOG.map((spec) => ({ name: spec.name, entry: spec.entry }))];
    const figures: ColdStartFigures[] = [];
    for (const { name, entry } of entries) {
      const outfile = join(dir, name.replace(/\W+/g, '-'), 'index.mjs');
      const { bytes, metafile } = await bundle(entry, outfile);
      const samples = [];
      for (let run = 0; run < runs; run++) samples.push(await probe(outfile));
      figures.push({
        name,
        entry,
        bundleBytes: bytes,
        initMs: spread(samples.map((s) => s.initMs)),
        processMs: spread(samples.map((s) => s.processMs)),
        peakRssMb: spread(
          samples.map((s) => s.maxRssKb / 1024),
          1,
        ),
        initRatio: null,
        topInputs: topInputs(metafile, 8),
      });
      log(`  ${name}: ${(bytes / 1024).toFixed(0)} KiB, init ${figures.at(-1)?.initMs.median} ms`);
    }
    const baseline = figures[0]?.initMs.median ?? 0;
    for (const f of figures)
      f.initRatio = baseline > 0 ? Number((f.initMs.median / baseline).toFixed(2)) : null;
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Repository-relative path, for the report. */
export function repoPath(file: string): string {
  return relative(REPO_ROOT, file);
}
