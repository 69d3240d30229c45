/**
 * `npm run bench`: measures the product against the physical floor, side by side in one run, and
 * writes docs/benchmarks.md and docs/benchmarks.json. Each scenario is its own module under
 * scenarios/. Flags: `--only=graphql,cold-start` runs a subset (the files are still written);
 * `BENCH_CLIENTS` scales the seeded book down for a quick try (the report says so).
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/shared/table-design.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, LocalTokenIssuer } from '../../infra/local/token-issuer.js';
import { benchColdStart } from './scenarios/cold-start.js';
import { benchGraphQLPaths } from './scenarios/graphql-paths.js';
import { FULL_BOOK, type SeededBook, seedBook } from './support/book.js';
import { clientOf, DynamoDbMeter } from './support/dynamodb-meter.js';
import { machineInfo, ownPeakRssMb, peakRssMbOf, versions } from './support/machine.js';
import { type BenchResults, writeReport } from './support/report.js';

const COMMAND = 'npm run bench';
const started = performance.now();
const log = (line: string) => process.stdout.write(`${line}\n`);
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wants = (scenario: string) => !only || only.includes(scenario);
const scale = { ...FULL_BOOK, clients: Number(process.env.BENCH_CLIENTS ?? FULL_BOOK.clients) };

const results: BenchResults = {
  command: COMMAND,
  generatedAt: new Date().toISOString(),
  durationSeconds: 0,
  machine: machineInfo(),
  versions: versions(),
  book: null,
  graphql: null,
  coldStart: null,
  memory: { benchProcessPeakRssMb: 0, dynamodbLocalPeakRssMb: null },
  notMeasured: [],
};

/** Counts every seeded policy through the by-advisor index (paged: COUNT still reads ≤ 1 MB a page). */
async function countPolicies(book: SeededBook, raw: DynamoDBDocumentClient): Promise<number> {
  let total = 0;
  for (const advisor of book.advisors) {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await raw.send(
        new QueryCommand({
          TableName: process.env.TABLE_NAME,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.policiesByAdvisor(book.tenantId, advisor.id) },
          Select: 'COUNT',
          ExclusiveStartKey: start,
        }),
      );
      total += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
  }
  return total;
}

async function graphqlScenario(): Promise<void> {
  log(`GraphQL paths: starting the local stack in memory, seeding ${scale.clients} clients…`);
  // The bench signs its own tokens for the seeded users; the handler verifies them against this
  // key set (AUTH_JWKS_JSON, as tests do) instead of the stack's demo issuer.
  const issuer = await LocalTokenIssuer.create();
  process.env.AUTH_JWKS_JSON = JSON.stringify(issuer.jwks());
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { startLocalStack } = await import('../../infra/local/stack.js');
  const stack = await startLocalStack({ port: 0, dataDir: null, seed: false, log: () => undefined });
  try {
    // Imported after the stack set the environment: the same modules the handler loaded.
    const { getRuntime } = await import('../../functions/shared/runtime.js');
    const { createDocumentClient, Db } = await import('../../functions/shared/db.js');
    const { createServices } = await import('../../functions/modules/services.js');
    const runtime = getRuntime();
    const productMeter = new DynamoDbMeter().attach(clientOf(runtime.db));
    const seedDb = new Db(createDocumentClient(), runtime.db.tableName);
    const services = createServices(seedDb, runtime.clock);
    const seedStart = performance.now();
    const book = await seedBook(services, seedDb, scale, runtime.clock.now().toISOString().slice(0, 10), log);
    await stack.changes.idle();
    const raw = createDocumentClient();
    const counted = await countPolicies(book, raw);
    if (counted !== book.counts.policies)
      throw new Error(`seeded ${book.counts.policies} policies, found ${counted}`);
    results.book = {
      ...book.counts,
      hierarchyLevels: scale.levels,
      seconds: { ...book.seconds, total: Number(((performance.now() - seedStart) / 1000).toFixed(1)) },
      scaledDown: scale.clients !== FULL_BOOK.clients,
    };
    log(
      `  seeded ${book.counts.items} items (${counted} policies verified) in ${results.book.seconds.total} s`,
    );

    const floorMeter = new DynamoDbMeter().attach(raw);
    const measured = await benchGraphQLPaths({
      graphqlUrl: stack.dev.graphqlUrl,
      token: await issuer.sign(book.measured.principal, '1h', {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
      }),
      book,
      services,
      tableName: runtime.db.tableName,
      productMeter,
      raw,
      floorMeter,
      runs: 5,
      iterations: 40,
      warmup: 15,
      log,
    });
    results.graphql = {
      ...measured,
      measuredAs: 'a leaf advisor (own scope), three levels below the manager',
    };
    results.memory.dynamodbLocalPeakRssMb = peakRssMbOf(stack.dynamo.process.pid);
  } finally {
    await stack.stop();
  }
}

try {
  if (wants('graphql')) await graphqlScenario();
  else results.notMeasured.push({ scenario: 'GraphQL paths', why: 'skipped by --only' });
  results.notMeasured.push({
    scenario: "an advisor's monthly accrual (GraphQL)",
    why: 'the commission module has no GraphQL query or accrual store yet (only the pure engine has landed)',
  });
  if (wants('cold-start')) {
    log('Cold start: bundling each catalog function and importing it in fresh Node processes…');
    results.coldStart = await benchColdStart(7, log);
  } else results.notMeasured.push({ scenario: 'cold start', why: 'skipped by --only' });
  results.notMeasured.push(
    {
      scenario: 'commission throughput',
      why: 'the commission stream consumer (functions/commissions/) has not landed: only the pure engine exists',
    },
    {
      scenario: 'webhook ingestion',
      why: 'the webhook handler still answers 501: the webhook module (functions/webhooks/) has not landed',
    },
  );
  results.memory.benchProcessPeakRssMb = ownPeakRssMb();
  results.machine.loadAverage.end = (await import('node:os')).loadavg().map((l) => Number(l.toFixed(2)));
  results.durationSeconds = Number(((performance.now() - started) / 1000).toFixed(1));
  const written = writeReport(results, []);
  log(`Wrote ${written.join(' and ')} in ${results.durationSeconds} s`);
  process.exit(0);
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
