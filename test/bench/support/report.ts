import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../infra/cloud/bundling.js';
import type { ColdStartFigures } from '../scenarios/cold-start.js';
import type { CommissionFigures } from '../scenarios/commissions.js';
import type { CrossSellFigures } from '../scenarios/cross-sell.js';
import type { FirstStartFigures } from '../scenarios/first-start.js';
import type { PathFigures } from '../scenarios/graphql-paths.js';
import type { ReportExportFigures } from '../scenarios/report-export.js';
import type { ScaleFigures } from '../scenarios/scale.js';
import type { WebhookFigures } from '../scenarios/webhooks.js';
import type { MachineInfo } from './machine.js';
import { scaleSection } from './scale-report.js';
import { cell, type Spread } from './stats.js';
import { type BenchTarget, benchTargets, targetsTable } from './targets.js';

export interface BenchResults {
  command: string;
  generatedAt: string;
  durationSeconds: number;
  /** Wall time of each part of the run. */
  stageSeconds: Record<string, number>;
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
  graphql: {
    paths: PathFigures[];
    overheadP50Ms: Spread;
    /** The same `{ __typename }` invoked at the handler (no local HTTP hop); absent before it was measured. */
    handlerOverheadP50Ms?: Spread;
    measuredAs: string;
  } | null;
  commissions: CommissionFigures | null;
  webhooks: WebhookFigures | null;
  coldStart: ColdStartFigures[] | null;
  /** Absent from runs before the cross-sell scenario existed. */
  crossSell?: CrossSellFigures | null;
  /** Absent from runs before the first-start scenario existed. */
  firstStart?: FirstStartFigures | null;
  /** Absent from runs before the report-export scenario existed. */
  reportExport?: ReportExportFigures | null;
  /** Absent from runs before the scale simulation existed (`npm run bench -- --scale`). */
  scale?: ScaleFigures | null;
  memory: {
    benchProcessPeakRssMb: number;
    dynamodbLocalPeakRssMb: number | null;
    /** DynamoDB Local's peak (VmHWM) right after the read scenarios: seeding and reads, before the write scenarios. */
    dynamodbLocalAfterReadsMb?: number | null;
  };
  notMeasured: Array<{ scenario: string; why: string }>;
  /** Scenarios a partial run (`--only`) did not measure, carried from the run that did. */
  carried?: CarriedScenario[];
  /** Every target of the issues the bench answers for, met or not (computed when the report is written). */
  targets?: BenchTarget[];
}

/** A scenario's figures taken unchanged from an earlier run, and which run measured them. */
export interface CarriedScenario {
  scenario: CarriableScenario;
  measuredAt: string;
  commit: string;
}

export type CarriableScenario =
  | 'graphql'
  | 'commissions'
  | 'webhooks'
  | 'cold-start'
  | 'cross-sell'
  | 'first-start'
  | 'report-export'
  | 'scale';

/**
 * Fills the scenarios a partial run skipped with the figures of the last run that measured them
 * (`previous` is the last docs/benchmarks.json), so `--only=cold-start` does not wipe the others.
 */
export function carryOver(
  results: BenchResults,
  previous: BenchResults | null,
  skipped: readonly CarriableScenario[],
): void {
  if (!previous) return;
  const carried: CarriedScenario[] = [];
  for (const scenario of skipped) {
    const origin = previous.carried?.find((c) => c.scenario === scenario) ?? {
      scenario,
      measuredAt: previous.generatedAt,
      commit: previous.versions.commit ?? '?',
    };
    if (scenario === 'graphql' && previous.graphql) {
      results.graphql = previous.graphql;
      results.book = previous.book;
    } else if (scenario === 'commissions' && previous.commissions) results.commissions = previous.commissions;
    else if (scenario === 'webhooks' && previous.webhooks) results.webhooks = previous.webhooks;
    else if (scenario === 'cold-start' && previous.coldStart) results.coldStart = previous.coldStart;
    else if (scenario === 'cross-sell' && previous.crossSell) results.crossSell = previous.crossSell;
    else if (scenario === 'first-start' && previous.firstStart) results.firstStart = previous.firstStart;
    else if (scenario === 'report-export' && previous.reportExport)
      results.reportExport = previous.reportExport;
    else if (scenario === 'scale' && previous.scale) results.scale = previous.scale;
    else continue;
    if (
      scenario !== 'cold-start' &&
      scenario !== 'cross-sell' &&
      scenario !== 'first-start' &&
      scenario !== 'report-export' &&
      scenario !== 'scale' &&
      results.memory.dynamodbLocalPeakRssMb === null
    )
      // The read scenarios' stack did not run here: its memory (the bench process hosting it, and
      // DynamoDB Local) is the carried run's, not this process's.
      results.memory = { ...previous.memory };
    carried.push({ ...origin, scenario });
  }
  results.carried = carried;
  const label: Record<CarriableScenario, string> = {
    graphql: 'GraphQL paths',
    commissions: 'commissions',
    webhooks: 'webhooks',
    'cold-start': 'cold start',
    'cross-sell': 'cross-sell',
    'first-start': 'first start',
    'report-export': 'report export',
    scale: 'scale',
  };
  const carriedLabels = new Set(carried.map((c) => label[c.scenario]));
  results.notMeasured = results.notMeasured.filter((n) => !carriedLabels.has(n.scenario));
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
    `Fixed cost of any request (\`{ __typename }\`: HTTP, adapter, middy, token check, Apollo, no DynamoDB): p50 ${cell(r.graphql.overheadP50Ms, ' ms')}${r.graphql.handlerOverheadP50Ms ? `; at the handler, without the HTTP hop: ${cell(r.graphql.handlerOverheadP50Ms, ' ms')}` : ''}.`,
    "Reads are also invoked at the GraphQL Lambda handler (an API Gateway v2 event in, the result out), interleaved with the other two: that is what Lambda runs, and the targets of the reads are judged there ([decision 0015](decisions/0015-read-targets-at-the-handler.md)). The local HTTP hop adds a request and an answer over loopback TCP, which on this machine cost about as much as a DynamoDB Local call each; in the cloud that hop is API Gateway's, not the function's.",
    '',
    '| operation | product p50 | product p95 | floor p50 | floor p95 | ratio p50 | at the handler p50 (ratio) | DynamoDB requests (product) | capacity units (product / floor) | target | |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|---|---|',
  ];
  for (const p of r.graphql.paths) {
    lines.push(
      `| ${p.name} | ${cell(p.product.p50Ms, ' ms')} | ${cell(p.product.p95Ms, ' ms')} | ${cell(p.floor.p50Ms, ' ms')} | ${cell(p.floor.p95Ms, ' ms')} | ×${cell(p.ratioP50)} | ${p.atHandler ? `${cell(p.atHandler.p50Ms, ' ms')} (×${cell(p.atHandler.ratioP50)})` : '— (a write: over HTTP only)'} | ${requests(p.product.requests)} (floor: ${requests(p.floor.requests)}) | ${p.product.capacityUnitsPerOperation.median} / ${p.floor.capacityUnitsPerOperation.median} | ${p.target} | ${verdict(p.met)} |`,
    );
  }
  lines.push('', 'What each row does:', '');
  for (const p of r.graphql.paths)
    lines.push(`- **${p.name}**: ${p.description}. Floor: ${p.floorDescription}.`);
  return [...lines, ''];
}

function commissionSection(r: BenchResults): string[] {
  const c = r.commissions;
  if (!c) return [];
  return [
    '## 2. Commission throughput',
    '',
    `${c.events} policy INSERT records per run (${c.eventsPerSecond.runs} runs, fresh policies each run) through the commission stream consumer, invoked in process with real-shaped stream batches of ${c.batchSize} (the catalog's batch size), in order as one shard delivers them; each event is a policy of one of the 20 advisors in turn, written this month under a scheme with a receivable, a marginal-tiered advisor share and two override levels. Floor: the same number of item writes as raw BatchWriteItem (25 per request, in order), using the items the consumer itself put, under separate keys.`,
    '',
    '| consumer events/s | floor events/s | ratio | item writes / event | requests / event | capacity units / event | replay of a run | target | |',
    '|---:|---:|---:|---:|---:|---:|---|---|---|',
    `| ${cell(c.eventsPerSecond)} | ${cell(c.floorEventsPerSecond)} | ×${cell(c.ratio)} | ${c.itemWritesPerEvent} | ${c.requestsPerEvent} (${requests(c.requests)} per run) | ${c.capacityUnitsPerEvent} | ${c.replay.newLines} new lines, ${c.replay.failedRecords} failed records | ${c.target} | ${verdict(c.met)} |`,
    '',
  ];
}

function webhookSection(r: BenchResults): string[] {
  const w = r.webhooks;
  if (!w) return [];
  return [
    '## 3. Webhook ingestion',
    '',
    `${w.events.toLocaleString('en')} events (${Object.entries(w.mix)
      .map(([type, n]) => `${n} ${type}`)
      .join(
        ', ',
      )}) in ${w.deliveries} Standard Webhooks-signed deliveries of ${w.eventsPerDelivery}, POSTed one after another to the local stack (HTTP → adapter → webhooks handler → S3 archive + DynamoDB Local)${w.scaledFrom ? ` — **scaled down from the issue's ${w.scaledFrom.toLocaleString('en')}**: at this rate the full feed and its redelivery checks alone would take about ${Math.round(((w.scaledFrom / w.eventsPerSecond) * 1.5) / 60)} minutes of the 10-minute budget (\`BENCH_WEBHOOK_EVENTS=${w.scaledFrom} npm run bench\` runs it)` : ''}; premium payments name seeded policies of the insurer, issued policies bring new holders. The commission consumer and the bus subscribers are held while the deliveries are timed (in the cloud they are other Lambdas) and catch up afterwards. One pass (not repeated: each pass writes new data).`,
    '',
    'Floor: the item writes of the first pass (each member of a batch or transaction) replayed as raw BatchWriteItem, 25 a request, using the items the pass put: what this engine on this machine can write at all for this feed, with no reads, conditions, transactions, HTTP or S3.',
    '',
    '| events/s | floor events/s | ratio | item writes / event | per delivery (median, min–max) | DynamoDB requests / event | capacity units / event | full redelivery (same webhook ids) | resent under new webhook ids | stored afterwards | target | |',
    '|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|---|',
    `| ${w.eventsPerSecond} | ${w.floorEventsPerSecond ?? '—'} | ${w.ratioOfFloor === undefined ? '—' : `×${w.ratioOfFloor}`} | ${w.itemWritesPerEvent ?? '—'} | ${w.deliveryMs.median} ms (${w.deliveryMs.min}–${w.deliveryMs.max}) | ${w.requestsPerEvent} | ${w.capacityUnitsPerEvent} | ${w.redelivery.identicalAnswers}/${w.deliveries} answers byte-identical, ${w.redelivery.seconds} s | ${w.resend.duplicates} duplicates, ${w.resend.accepted} accepted, ${w.resend.seconds} s | ${w.stored.eventRecordsDone} event records DONE; ${w.stored.newPolicies} new policies (expected ${w.stored.expectedNewPolicies}) | ${w.target} | ${verdict(w.met)} |`,
    '',
  ];
}

function coldStartSection(r: BenchResults): string[] {
  if (!r.coldStart) return [];
  const lines = [
    '## 4. Cold start',
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

function firstStartSection(r: BenchResults): string[] {
  const f = r.firstStart;
  if (!f) return [];
  return [
    '## 7. First start',
    '',
    `\`npm start\`'s script (\`infra/local/main.ts\`) spawned on an empty data directory: DynamoDB Local started, the table created, the demo brokerage seeded, until it prints that it is running; then stopped and started again on the same directory (nothing to seed). Tree RSS: the Node process and DynamoDB Local's JVM right after the first start. ${f.runs} runs, each on a fresh directory.`,
    '',
    '| first start | restart | tree RSS after the first start | target | |',
    '|---:|---:|---:|---|---|',
    `| ${cell(f.firstStartSeconds, ' s')} | ${cell(f.restartSeconds, ' s')} | ${cell(f.treeRssMb, ' MB')} | ${f.target} | ${verdict(f.met)} |`,
    '',
  ];
}

function crossSellSection(r: BenchResults): string[] {
  const x = r.crossSell;
  if (!x) return [];
  const l = x.learn100k;
  return [
    '## 6. Cross-sell',
    '',
    `Two generated books of ${x.bookClients.toLocaleString('en')} clients over ten product lines, as purchase histories (each client's lines in the order bought). The **purchase-history book** (the target's): a client comes in with one line (MTPL 45 %, PROPERTY 25 %, LIFE 15 %, TRAVEL 15 %; a second unrelated entry line for 25 %), then buys follow-ups as planted associations say (MTPL and PROPERTY → CASCO 70 %, otherwise MTPL → CASCO 35 %; PROPERTY → LIABILITY 45 %; LIFE → HEALTH 60 % and PENSION 30 %; TRAVEL and MTPL → PET 40 %; TRAVEL → HEALTH 25 %; PROPERTY and LIABILITY → CYBER 30 %), with 4 % noise per line bought at any point. The **independent book** (the hard case, reported): six lines drawn independently at realistic rates in random order, three planted follow-ups, the same noise; half its held-out lines are independent draws no model can predict. Rules are learned on ${x.trainClients.toLocaleString('en')} clients; each of the other ${x.testClients.toLocaleString('en')} clients with two or more lines has its last line held out, and the top three candidates for the rest are checked against it (${x.heldOutPlanted.toLocaleString('en')} of the held-out lines have planted antecedents). Popularity ranks the lines the client lacks by how many clients hold them. The ceiling ranks by what training clients holding exactly the same lines bought last: an estimate of the best any recommender can do on that book. The model is the same on both books; see docs/decisions/0014-cross-sell-bench-book.md.`,
    '',
    '| book | precision@3 (rules) | popularity | ratio | ceiling (ratio) | target | |',
    '|---|---:|---:|---:|---:|---|---|',
    `| purchase history | ${x.precisionAt3} | ${x.baselinePrecisionAt3} | ×${x.ratio} | ${x.ceilingPrecisionAt3} (×${x.ceilingRatio}) | ${x.target} | ${verdict(x.met)} |`,
    ...(x.independent
      ? [
          `| independent (reported) | ${x.independent.precisionAt3} | ${x.independent.baselinePrecisionAt3} | ×${x.independent.ratio} | ${x.independent.ceilingPrecisionAt3} (×${x.independent.ceilingRatio}) | — | |`,
        ]
      : []),
    '',
    '| learning over | time | rules | peak RSS (fresh process) | limit (catalog) | |',
    '|---:|---:|---:|---:|---|---|',
    `| ${l.clients.toLocaleString('en')} clients | ${l.seconds} s | ${l.rules} | ${l.peakRssMb} MB | ${l.limitSeconds} s, ${l.limitMb} MB | ${verdict(l.met)} |`,
    '',
  ];
}

function reportExportSection(r: BenchResults): string[] {
  const x = r.reportExport;
  if (!x) return [];
  return [
    '## 7. Report export',
    '',
    `${x.lines.toLocaleString('en')} commission lines of one month (20 advisors, four insurers), written with concurrent BatchWriteItem in the ledger repository's item shape on a local stack of their own (${x.seedSeconds} s, the stream poller catching up included); then a COMMISSION_LINES ${x.format} job requested by the tenant's admin. Its INSERT reaches the \`reports\` subscriber through the stack's stream poller and change bus, which runs the bundled reports function in a fresh Node process (as Lambda would): it reads the lines page by page with the admin's rights (the API's \`commissionLines\`, 1,000 per page), writes each page into ExcelJS's streaming workbook writer and the workbook into the store's streaming put to the stack's S3 (lib-storage \`Upload\`: a multipart upload of 5 MiB parts once the file outgrows one part, one PutObject below that). Time: the handler's invocation, event to READY; CPU: that process's own CPU time in it (on a loaded machine the wall time is mostly waiting for a core). Memory: that process's peak RSS (VmHWM, Node and the bundle included).`,
    '',
    '| lines | rows (job) | file | time | CPU (process) | peak RSS (process) | RSS sampled during the run | limit | |',
    '|---:|---:|---:|---:|---:|---:|---:|---|---|',
    `| ${x.lines.toLocaleString('en')} | ${x.rows.toLocaleString('en')} (${x.status}) | ${(x.fileBytes / 1024 / 1024).toFixed(1)} MB | ${x.seconds} s | ${x.cpuSeconds} s | ${x.peakRssMb} MB | ${x.sampledPeakRssMb} MB | ${x.limitSeconds} s, ${x.limitMb} MB | ${verdict(x.met)} |`,
    '',
  ];
}

function memorySection(r: BenchResults): string[] {
  return [
    '## 5. Memory (peak RSS)',
    '',
    '| process | peak RSS |',
    '|---|---:|',
    ...(r.firstStart?.underReads
      ? [
          `| \`npm start\` (Node and DynamoDB Local on its data directory, demo data) while the read scenarios run ${r.firstStart.underReads.seconds} s against it | ${cell(r.firstStart.underReads.peakTreeRssMb, ' MB')} (Node ${cell(r.firstStart.underReads.nodeMb, ' MB')}, DynamoDB Local ${cell(r.firstStart.underReads.dynamodbLocalMb, ' MB')}) |`,
        ]
      : []),
    `| DynamoDB Local in the bench (in memory, bench book): after seeding and the read scenarios | ${r.memory.dynamodbLocalAfterReadsMb ?? 'not measured'} MB |`,
    `| DynamoDB Local in the bench: at the end, after the commission and webhook scenarios wrote | ${r.memory.dynamodbLocalPeakRssMb ?? 'not measured'} MB |`,
    `| bench process (bench code, book generation, floor client, and the local stack's Node side in process) | ${r.memory.benchProcessPeakRssMb} MB |`,
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
    `Produced by \`${r.command}\` on ${r.generatedAt.slice(0, 16).replace('T', ' ')} UTC in ${r.durationSeconds} s (${Object.entries(
      r.stageSeconds,
    )
      .map(([stage, sec]) => `${stage} ${sec} s`)
      .join(
        ', ',
      )}; commit ${r.versions.commit}). Every figure with its runs, and the raw numbers, are in [benchmarks.json](benchmarks.json).`,
    '',
    ...(r.carried && r.carried.length > 0
      ? [
          `Not re-measured by this run, carried unchanged from the run that measured them: ${r.carried
            .map(
              (c) => `${c.scenario} (${c.measuredAt.slice(0, 16).replace('T', ' ')} UTC, commit ${c.commit})`,
            )
            .join(', ')}.`,
          '',
        ]
      : []),
    '## Targets',
    '',
    ...targetsTable(r.targets ?? benchTargets(r)),
    '',
    `Machine: ${m.cpuCount} × ${m.cpuModel}, ${m.totalMemoryGb} GB, ${m.os}; Node ${r.versions.node}, Java ${r.versions.java}. The machine is shared: load average (1/5/15 min) ${m.loadAverage.start.join(' / ')} at the start and ${m.loadAverage.end?.join(' / ') ?? '?'} at the end, with other work running tests at the same time — absolute times are noisy, the ratios against the floor measured in the same run are what to compare.`,
    '',
    ...graphqlSection(r),
    ...commissionSection(r),
    ...webhookSection(r),
    ...coldStartSection(r),
    ...memorySection(r),
    ...crossSellSection(r),
    ...firstStartSection(r),
    ...reportExportSection(r),
    ...scaleSection(r.scale),
    '## Not measured yet',
    '',
    ...(r.notMeasured.length > 0
      ? r.notMeasured.map((n) => `- **${n.scenario}**: ${n.why}.`)
      : [
          'Every scenario of the issue ran in this run; where one was scaled down to fit the 10-minute budget, its section says so.',
        ]),
    '',
    '## Where a target is missed: why, and what would close the gap',
    '',
    ...notes,
    '',
  ].join('\n');
}

/** Writes docs/benchmarks.json (every figure) and docs/benchmarks.md (the tables and notes). */
export function writeReport(
  results: BenchResults,
  notes: string[],
  options: { markdownOnly?: boolean } = {},
): string[] {
  const docs = join(REPO_ROOT, 'docs');
  mkdirSync(docs, { recursive: true });
  results.targets = benchTargets(results);
  if (!options.markdownOnly)
    writeFileSync(join(docs, 'benchmarks.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(docs, 'benchmarks.md'), markdown(results, notes));
  return ['docs/benchmarks.md', 'docs/benchmarks.json'];
}
