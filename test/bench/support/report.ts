import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../infra/cloud/bundling.js';
import type { ColdStartFigures } from '../scenarios/cold-start.js';
import type { PathFigures } from '../scenarios/graphql-paths.js';
import type { MachineInfo } from './machine.js';
import { cell, type Spread } from './stats.js';

export interface BenchResults {
  command: string;
  generatedAt: string;
  durationSeconds: number;
  machine: MachineInfo;
  versions: Record<string, string>;
  book: {
    advisors: number;
    clients: number;
    policies: number;
    items: number;
    hierarchyLevels: number[];
    seconds: { templates: number; batchWrites: number; total: number };
    scaledDown: boolean;
  } | null;
  graphql: { paths: PathFigures[]; overheadP50Ms: Spread; measuredAs: string } | null;
  coldStart: ColdStartFigures[] | null;
  memory: { benchProcessPeakRssMb: number; dynamodbLocalPeakRssMb: number | null };
  notMeasured: Array<{ scenario: string; why: string }>;
}

const GRAPHQL_BUNDLE_TARGET = 1024 * 1024;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const verdict = (met: boolean | null) => (met === null ? '—' : met ? 'met' : '**missed**');
const requests = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([api, n]) => `${api} ${n}`)
    .join(' + ') || 'none';

function graphqlSection(r: BenchResults): string[] {
  if (!r.graphql || !r.book) return [];
  const lines = [
    '## 1. GraphQL paths: product vs floor',
    '',
    `Book: ${r.book.advisors} advisors in a ${r.book.hierarchyLevels.length}-level hierarchy (${r.book.hierarchyLevels.join(' / ')} per level) under a manager, ${r.book.clients.toLocaleString('en')} clients, ${r.book.policies.toLocaleString('en')} policies, ${r.book.items.toLocaleString('en')} items; seeded in ${r.book.seconds.total} s (${r.book.seconds.templates} s through the services for one template client per advisor, ${r.book.seconds.batchWrites} s of concurrent BatchWriteItem for the clones)${r.book.scaledDown ? ' — **scaled down** by BENCH_CLIENTS' : ''}.`,
    `Measured as ${r.graphql.measuredAs}, over HTTP → local adapter → GraphQL handler → DynamoDB Local; the floor reads or writes the same data with raw DynamoDB calls from the same process, interleaved call by call with the product. Latency cells: median of ${r.graphql.paths[0]?.product.p50Ms.runs ?? 0} runs (min–max).`,
    `Fixed cost of any request (\`{ __typename }\`: HTTP, adapter, middy, token check, Apollo, no DynamoDB): p50 ${cell(r.graphql.overheadP50Ms, ' ms')}.`,
    '',
    '| operation | product p50 | product p95 | floor p50 | floor p95 | ratio p50 | DynamoDB requests (product) | capacity units (product / floor) | target | |',
    '|---|---:|---:|---:|---:|---:|---|---:|---|---|',
  ];
  for (const p of r.graphql.paths) {
    lines.push(
      `| ${p.name} | ${cell(p.product.p50Ms, ' ms')} | ${cell(p.product.p95Ms, ' ms')} | ${cell(p.floor.p50Ms, ' ms')} | ${cell(p.floor.p95Ms, ' ms')} | ×${cell(p.ratioP50)} | ${requests(p.product.requests)} (floor: ${requests(p.floor.requests)}) | ${p.product.capacityUnitsPerOperation.median} / ${p.floor.capacityUnitsPerOperation.median} | ${p.target} | ${verdict(p.met)} |`,
    );
  }
  lines.push('', 'What each row does:', '');
  for (const p of r.graphql.paths)
    lines.push(`- **${p.name}**: ${p.description}. Floor: ${p.floorDescription}.`);
  return [...lines, ''];
}

function coldStartSection(r: BenchResults): string[] {
  if (!r.coldStart) return [];
  const lines = [
    '## 2. Cold start',
    '',
    'Each function bundled as the cloud stack bundles it (`BUNDLE` in infra/cloud/bundling.ts: esbuild, ESM, minified, node22, AWS SDK included), then imported in fresh Node processes, one at a time; init = the import of the bundle, process = spawn to exit.',
    '',
    '| function | bundle (minified) | init | init ÷ baseline | process | peak RSS |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const f of r.coldStart) {
    lines.push(
      `| ${f.name} | ${kib(f.bundleBytes)} | ${cell(f.initMs, ' ms')} | ×${f.initRatio ?? '—'} | ${cell(f.processMs, ' ms')} | ${cell(f.peakRssMb, ' MB')} |`,
    );
  }
  const graphql = r.coldStart.find((f) => f.name === 'graphql');
  if (graphql) {
    lines.push(
      '',
      `Targets: GraphQL bundle ≤ 1 MB — ${verdict(graphql.bundleBytes <= GRAPHQL_BUNDLE_TARGET)} (${kib(graphql.bundleBytes)}); init ≤ 3× baseline — ${verdict((graphql.initRatio ?? Infinity) <= 3)} (×${graphql.initRatio}).`,
      '',
      `Largest parts of the GraphQL bundle: ${graphql.topInputs.map((i) => `${i.source} ${kib(i.bytes)}`).join(', ')}.`,
    );
  }
  return [...lines, ''];
}

function memorySection(r: BenchResults): string[] {
  return [
    '## 3. Memory (peak RSS)',
    '',
    '| process | peak RSS |',
    '|---|---:|',
    `| bench process (local stack, GraphQL handler in process, seeding, floor client) | ${r.memory.benchProcessPeakRssMb} MB |`,
    `| DynamoDB Local (Java) | ${r.memory.dynamodbLocalPeakRssMb ?? 'not measured'} MB |`,
    ...(r.coldStart ?? []).map(
      (f) => `| fresh Node process importing ${f.name} | ${cell(f.peakRssMb, ' MB')} |`,
    ),
    '',
  ];
}

function markdown(r: BenchResults, notes: string[]): string {
  const m = r.machine;
  return [
    '# Benchmarks',
    '',
    `Produced by \`${r.command}\` on ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC in ${r.durationSeconds} s (commit ${r.versions.commit}). Every figure with its runs, and the raw numbers, are in [benchmarks.json](benchmarks.json).`,
    '',
    `Machine: ${m.cpuCount} × ${m.cpuModel}, ${m.totalMemoryGb} GB, ${m.os}; Node ${r.versions.node}, Java ${r.versions.java}. The machine is shared: load average (1/5/15 min) ${m.loadAverage.start.join(' / ')} at the start and ${m.loadAverage.end?.join(' / ') ?? '?'} at the end, with other work running tests at the same time — absolute times are noisy, the ratios against the floor measured in the same run are what to compare.`,
    '',
    ...graphqlSection(r),
    ...coldStartSection(r),
    ...memorySection(r),
    '## Not measured yet',
    '',
    ...r.notMeasured.map((n) => `- **${n.scenario}**: ${n.why}.`),
    '',
    '## Where a target is missed: why, and what would close the gap',
    '',
    ...notes,
    '',
  ].join('\n');
}

/** Writes docs/benchmarks.json (every figure) and docs/benchmarks.md (the tables and notes). */
export function writeReport(results: BenchResults, notes: string[]): string[] {
  const docs = join(REPO_ROOT, 'docs');
  mkdirSync(docs, { recursive: true });
  writeFileSync(join(docs, 'benchmarks.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(docs, 'benchmarks.md'), markdown(results, notes));
  return ['docs/benchmarks.md', 'docs/benchmarks.json'];
}
