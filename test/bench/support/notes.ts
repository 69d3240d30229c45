import type { BenchResults } from './report.js';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** `GetItem 1.0 + Query 3.0 per event` from a run's request counts. */
function perEvent(requests: Record<string, number>, events: number): string {
  const parts = Object.entries(requests).map(([api, n]) => `${api} ${(n / events).toFixed(1)}`);
  return `${parts.join(' + ')} per event`;
}

/**
 * For every missed target, why it is missed and what would close the gap, with this run's
 * numbers. The reasons come from what the run measured (request counts, the fixed per-request
 * cost, the bundle's largest inputs), not from guesses.
 */
export function missNotes(r: BenchResults): string[] {
  const notes: string[] = [];
  const overhead = r.graphql?.overheadP50Ms.median;
  for (const p of r.graphql?.paths ?? []) {
    if (p.met !== false) continue;
    const sameCalls = JSON.stringify(p.product.requests) === JSON.stringify(p.floor.requests);
    if (sameCalls) {
      notes.push(
        `- **${p.name}** (×${p.atHandler ? `${p.atHandler.ratioP50.median} at the handler, ×${p.ratioP50.median} over HTTP` : p.ratioP50.median}): the product makes exactly the floor's DynamoDB calls (${Object.entries(
          p.product.requests,
        )
          .map(([api, n]) => `${api} ${n}`)
          .join(
            ' + ',
          )}) and consumes the same capacity, so the gap is per-request work outside DynamoDB: ${overhead} ms p50 for a request that reads nothing (HTTP, API Gateway event, middy, token check, Apollo parse/validate/execute, JSON${r.graphql?.handlerOverheadP50Ms ? `; ${r.graphql.handlerOverheadP50Ms.median} ms of it at the handler, the rest the local HTTP hop` : ''}), plus resolving and serialising the fields (${(p.product.p50Ms.median - p.floor.p50Ms.median).toFixed(1)} ms over the floor in all). Against DynamoDB Local's ~1–2 ms calls that fixed cost is a large share; against the cloud's network round trips the same milliseconds weigh less. Closing it locally: cache verified tokens until they expire (skips a signature check per request), cache parsed and validated documents (persisted queries), and keep resolvers synchronous where the data is already loaded.`,
      );
    } else {
      const product = Object.entries(p.product.requests)
        .map(([api, n]) => `${api} ${n}`)
        .join(' + ');
      notes.push(
        `- **${p.name}** (×${p.ratioP50.median}): the product makes ${product} per operation where the floor makes ${Object.entries(
          p.floor.requests,
        )
          .map(([api, n]) => `${api} ${n}`)
          .join(
            ' + ',
          )}. writePolicy reads before it writes, at most three sequential round trips: one BatchGetItem for the client, the insurer, the product line, the caller and the users the input names; the seller, when it is the client's owner rather than the caller (not in this scenario: the advisor writes for his own client); one BatchGetItem for the seller's managers on the written date and the branch, named by the upline kept on the user item (functions/modules/org/upline.ts). The floor skips all of them, and freezing the hierarchy needs them; the rest of the gap is the per-request work of the note above.`,
      );
    }
  }
  const c = r.commissions;
  if (c && !c.met) {
    const transactionsPerEvent = (c.requests.TransactWriteItems ?? 0) / c.events;
    const reads =
      ((c.requests.GetItem ?? 0) + (c.requests.Query ?? 0) + (c.requests.BatchGetItem ?? 0)) / c.events;
    const writes =
      transactionsPerEvent > 1.5
        ? `Each line goes in its own TransactWriteItems with its accrual update (${transactionsPerEvent.toFixed(1)} transactions per event, each at twice the write capacity and a two-phase commit).`
        : `An event's lines and accrual updates already go in one TransactWriteItems; a transaction still costs twice the write capacity and a two-phase commit, where the floor's BatchWriteItem has neither.`;
    notes.push(
      `- **commission throughput** (×${c.ratio.median} of the floor): per event the consumer makes ${c.requestsPerEvent} requests (${perEvent(c.requests, c.events)}) and writes ${c.itemWritesPerEvent} items, one record after another, while the floor batches the same number of items 25 per request with no reads. ${writes} Schemes are read once per stream batch; the ${reads.toFixed(0)} reads left per event (the policy's client and the periods) are repeated for every record. What would close it: the clients of a batch in one BatchGetItem, the periods once per batch (an approval landing mid-batch is caught by the transaction's open-period check), and records of different policies processed concurrently within a batch (order only matters per policy).`,
    );
  }
  const w = r.webhooks;
  if (w && !w.met) {
    const checks =
      w.stored.eventRecordsDone === w.events &&
      w.resend.duplicates === w.events &&
      w.stored.newPolicies === w.stored.expectedNewPolicies;
    notes.push(
      `- **webhook ingestion** (${w.eventsPerSecond} events/s${w.floorEventsPerSecond ? `, ×${w.ratioOfFloor} of the engine's raw-write floor of ${w.floorEventsPerSecond} events/s` : ''}; correctness checks ${checks ? 'all passed' : '**failed**'}): each event writes ${w.itemWritesPerEvent ?? '?'} items with ${w.requestsPerEvent} DynamoDB requests (${perEvent(w.requests, w.events)}; ${w.capacityUnitsPerEvent} capacity units). Premium payments of policies no other event of the delivery touches are recorded 50 at a time (one BatchGetItem for the policy numbers, one for the event records, and the payment with its event record in one transaction per 50); policy.issued events run the whole writePolicy path (see create policy); the delivery adds its dedupe, claim, archive, GDPR links and log. ${
        w.waitMsPerEvent
          ? `Per event the pass waited ${Object.entries(w.waitMsPerEvent)
              .map(([api, ms]) => `${api} ${ms} ms`)
              .join(
                ', ',
              )} on DynamoDB (32 events in flight, so waits overlap): the engine's write queue, not the handler, is where the time goes. `
          : ''
      }${w.floorEventsPerSecond && w.floorEventsPerSecond < 200 ? `The floor itself is below 200 events/s: DynamoDB Local on this machine cannot write this feed's items at the target rate even as unconditioned raw batches, so no handler can meet the target here. In DynamoDB the same writes are ${w.capacityUnitsPerEvent} write units per event, which an on-demand table absorbs at 200 events/s (docs/scale.md has the per-partition arithmetic).` : 'What would close it: fewer items per event (the event record folded into the payment item it guards) and fewer transactions (a premium payment needs no two-phase commit when its own key is the idempotency key).'}`,
    );
  }
  const graphql = r.coldStart?.find((f) => f.name === 'graphql');
  const stream = r.coldStart?.find((f) => f.name === 'graphql-stream');
  if (stream && (stream.bundleBytes > 600 * 1024 || (stream.initRatio ?? 0) > 2)) {
    notes.push(
      `- **graphql-stream cold start** (initial ${kib(stream.bundleBytes)}, init ×${stream.initRatio} of the baseline; targets 600 KiB and ×2): the live-updates stream executes GraphQL subscriptions over the same executable schema as the API (every module's types and resolvers: an event's payload is resolved through them), so it carries the GraphQL core the graphql function carries, less Apollo; the note on the GraphQL cold start applies to it.`,
    );
  }
  if (graphql && (graphql.bundleBytes > 1024 * 1024 || (graphql.initRatio ?? 0) > 3)) {
    const baseline = r.coldStart?.find((f) => f.name.startsWith('baseline'))?.bundleBytes ?? 0;
    const mustStay =
      baseline +
      graphql.topInputs
        .filter((i) => /^(graphql|@apollo\/server|@graphql-tools\/.*|functions\/.*)$/.test(i.source))
        .reduce((sum, i) => sum + i.bytes, 0);
    notes.push(
      `- **GraphQL cold start** (initial ${kib(graphql.bundleBytes)}, init ×${graphql.initRatio} of the baseline): functions are bundled with esbuild code splitting (decision 0011), so pdfkit, exceljs, CSV and the S3/SES/SNS clients sit in chunks a cold start does not read, and Apollo's reporting plugins are left out. Largest inputs over all chunks: ${graphql.topInputs.map((i) => `${i.source} ${kib(i.bytes)}`).join(', ')}. What still loads at cold start: graphql-js, the SDL, Apollo and @graphql-tools, the DynamoDB client, zod, the X-Ray SDK (Powertools Tracer imports it statically) and every module's services, and the schema is built from the ~200 KiB SDL (once per process since the API and the stream share one executable schema); the core alone — graphql, Apollo, @graphql-tools, our modules and the DynamoDB client — is about ${kib(mustStay)} in this run${mustStay <= 1024 * 1024 ? '' : ', above 1 MB'}. It serves every module by design, so per-function composition cannot shrink it; what would close the rest: a tracer that does not load the X-Ray SDK at init, zod/mini, and a schema without @graphql-tools (Apollo imports it statically).`,
    );
  }
  const floor = r.coldStart?.find((f) => f.name === 'live');
  const over = (r.coldStart ?? []).filter(
    (f) =>
      f.name !== 'graphql' &&
      f.name !== 'graphql-stream' &&
      !f.name.startsWith('baseline') &&
      (f.bundleBytes > 600 * 1024 || (f.initRatio ?? 0) > 2),
  );
  if (over.length > 0) {
    const list = over.map((f) => `${f.name} ${kib(f.bundleBytes)}, init ×${f.initRatio}`).join('; ');
    notes.push(
      `- **Other functions' cold starts** (targets 600 KiB initial and ×2 of the baseline; over: ${list}): each composes only the module it runs (its \`functions/modules/*-wiring.ts\` ports), so what it reads beyond its module is the floor every function shares: the AWS SDK's core and DynamoDB client, zod (stream images and inputs are parsed), decimal.js and Powertools, whose Tracer imports the X-Ray SDK statically (about 115 KiB with cls-hooked). The \`live\` function, which runs no module at all, is that floor${floor ? `: ${kib(floor.bundleBytes)}, init ×${floor.initRatio}` : ''}. What would close it: a tracer that does not load the X-Ray SDK at init (Lambda's own active tracing keeps the invocation and init segments, but loses the per-call DynamoDB subsegments we use to find slow requests, so we kept it), and zod's tree-shakable \`zod/mini\` for the schemas on these paths.`,
    );
  }
  const x = r.crossSell;
  if (x && !x.met) {
    notes.push(
      `- **Cross-sell precision@3** (×${x.ratio} of popularity on the purchase-history book, target ×1.5): the ceiling measured in the same run, an estimate of the best any recommender can do on this book (rank by what training clients holding exactly the same lines bought last), is ×${x.ceilingRatio}; the rules reach ${x.precisionAt3} against a ceiling of ${x.ceilingPrecisionAt3}.`,
    );
  }
  if (x && !x.learn100k.met) {
    notes.push(
      `- **Cross-sell learning** (${x.learn100k.seconds} s, ${x.learn100k.peakRssMb} MB over ${x.learn100k.clients} clients): above the function's ${x.learn100k.limitSeconds} s / ${x.learn100k.limitMb} MB.`,
    );
  }
  const e = r.reportExport;
  if (e && !e.met) {
    const load = r.machine.loadAverage.start[0] ?? 0;
    notes.push(
      `- **Report export** (${e.seconds} s, ${e.peakRssMb} MB for ${e.lines.toLocaleString('en')} lines): the reports process itself used ${e.cpuSeconds} s of CPU in those ${e.seconds} s; the rest is waiting, for a core (load average ${load} on ${r.machine.cpuCount} cores when the run started) and for DynamoDB Local, which serves one Query of up to 1,000 lines, one read of the month's approval state and one progress write per page (${Math.ceil(e.lines / 1000)} pages) on the same cores. The seed (${e.seedSeconds} s for ${e.lines.toLocaleString('en')} BatchWriteItem puts) was as slow for the same reason. Memory stays flat with the line count (one page, ExcelJS's 64 KiB sheet buffer and at most four 5 MiB upload parts). Closing the time gap on a loaded machine: nothing in the report's own CPU budget is near 60 s; on an idle machine the run should be bounded by its CPU time plus DynamoDB Local's, which this run could not show.`,
    );
  }
  const s = r.scale;
  if (s && !s.met) {
    const over = s.bursts.flatMap((b) =>
      b.top
        .filter((t) => t.percentOfLimit > s.targetPercent)
        .map((t) => `\`${t.pattern}\` ${t.percentOfLimit} % (${b.name})`),
    );
    notes.push(
      `- **scale: hottest key at 10× peak** (${s.hottest.percentOfLimit} %, \`${s.hottest.pattern}\`, ${s.hottest.burst}; target ${s.targetPercent} %): over the target at ${s.peakFactor}× the modelled peak: ${over.join(', ')}. docs/scale.md section 6 says why each is over and what is done about it.`,
    );
  }
  return notes.length > 0 ? notes : ['- Every measured target was met in this run.'];
}
