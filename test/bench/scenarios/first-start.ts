/**
 * `npm start` as a new user meets it: the command spawned on an empty data directory (DynamoDB Local
 * started, the table created, the demo brokerage seeded) until it prints that it is running, then
 * again on the same directory (a restart: the data is there, nothing is seeded). Reports the wall
 * time of each and the resident memory of the whole process tree (Node and DynamoDB Local's JVM)
 * once it is up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLoad } from '../support/read-load.js';
import { type Spread, spread } from '../support/stats.js';

export interface FirstStartFigures {
  runs: number;
  /** Spawn of `npm start`'s script to its "Broker CRM is running" line, on an empty data directory. */
  firstStartSeconds: Spread;
  /** The same on the directory the first start left (no seeding). */
  restartSeconds: Spread;
  /** RSS of the process tree right after the first start (MB). */
  treeRssMb: Spread;
  /**
   * Peak RSS of the tree (Node and DynamoDB Local, sampled) while the bench's read scenarios run
   * against the seeded first start, and each part at that peak.
   */
  underReads?: {
    seconds: number;
    requests: number;
    peakTreeRssMb: Spread;
    nodeMb: Spread;
    dynamodbLocalMb: Spread;
  };
  target: string;
  met: boolean;
}

/** The target for the first start. */
export const FIRST_START_TARGET_SECONDS = 10;

/** How long the read scenarios run against each first start while its memory is sampled. */
const READ_LOAD_SECONDS = 20;

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** Resident memory of one process in MB (Linux /proc), 0 once it is gone. */
function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Resident memory of a process and all its descendants, in MB (Linux /proc). */
function treeRssMb(pid: number): number {
  const children = (p: number): number[] => {
    try {
      return readdirSync(`/proc/${p}/task`).flatMap((task) =>
        readFileSync(`/proc/${p}/task/${task}/children`, 'utf8')
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map(Number),
      );
    } catch {
      return [];
    }
  };
  let total = 0;
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    total += rssMb(p);
    queue.push(...children(p));
  }
  return Number(total.toFixed(1));
}

/**
 * The environment a user's `npm start` would have: the bench's own in-process stack set the
 * functions' variables in this process (AUTH_JWKS_JSON names the bench's token issuer, which would
 * make the started stack refuse its own demo tokens).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['AUTH_JWKS_JSON', 'AUTH_JWKS_URL', 'TABLE_NAME', 'CURSOR_KEYS', 'PUBLIC_BASE_URL'])
    delete env[name];
  for (const name of Object.keys(env)) if (name.startsWith('AWS_ENDPOINT_URL')) delete env[name];
  return env;
}

/** Starts `npm start`'s script on `dataDir`; resolves when it says it is running. */
async function startOnce(dataDir: string): Promise<{ seconds: number; rssMb: number; child: ChildProcess }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'infra', 'local', 'main.ts'), '--data-dir', dataDir],
    { cwd: REPO_ROOT, env: { ...userEnv(), PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const seconds = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start did not come up in 120 s:\n${output}`)),
      120_000,
    );
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('Broker CRM is running')) {
        clearTimeout(timer);
        resolve((performance.now() - started) / 1000);
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code} before it was running:\n${output}`));
    });
  });
  return { seconds, rssMb: treeRssMb(child.pid as number), child };
}

/** The read scenarios against a running first start, sampling the tree's memory as they run. */
async function underReads(dataDir: string, rootPid: number) {
  const dev = JSON.parse(readFileSync(join(dataDir, 'dev.json'), 'utf8'));
  let peak = { tree: 0, node: 0 };
  let sampledAt = 0;
  const sample = () => {
    if (performance.now() - sampledAt < 200) return;
    sampledAt = performance.now();
    const tree = treeRssMb(rootPid);
    if (tree > peak.tree) peak = { tree, node: rssMb(rootPid) };
  };
  const requests = await readLoad(dev, READ_LOAD_SECONDS, 4, sample);
  sampledAt = 0;
  sample();
  return {
    requests,
    tree: peak.tree,
    node: Number(peak.node.toFixed(1)),
    dynamo: Number((peak.tree - peak.node).toFixed(1)),
  };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** `runs` first starts and restarts, each on a fresh temporary data directory. */
export async function benchFirstStart(runs: number, log: (line: string) => void): Promise<FirstStartFigures> {
  const first: number[] = [];
  const again: number[] = [];
  const rss: number[] = [];
  const loaded: Array<{ requests: number; tree: number; node: number; dynamo: number }> = [];
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'broker-crm-first-start-'));
    try {
      const a = await startOnce(dir);
      loaded.push(await underReads(dir, a.child.pid as number));
      await stop(a.child);
      const b = await startOnce(dir);
      await stop(b.child);
      first.push(a.seconds);
      again.push(b.seconds);
      rss.push(a.rssMb);
      log(
        `first start: ${a.seconds.toFixed(1)} s (${a.rssMb} MB; ${loaded.at(-1)?.tree} MB at peak under reads), restart ${b.seconds.toFixed(1)} s (run ${i + 1}/${runs})`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const firstStartSeconds = spread(first);
  return {
    runs,
    firstStartSeconds,
    restartSeconds: spread(again),
    treeRssMb: spread(rss, 1),
    underReads: {
      seconds: READ_LOAD_SECONDS,
      requests: Math.round(loaded.reduce((sum, l) => sum + l.requests, 0) / loaded.length),
      peakTreeRssMb: spread(
        loaded.map((l) => l.tree),
        1,
      ),
      nodeMb: spread(
        loaded.map((l) => l.node),
        1,
      ),
      dynamodbLocalMb: spread(
        loaded.map((l) => l.dynamo),
        1,
      ),
    },
    target: `first start ≤ ${FIRST_START_TARGET_SECONDS} s`,
    met: firstStartSeconds.median <= FIRST_START_TARGET_SECONDS,
  };
}
