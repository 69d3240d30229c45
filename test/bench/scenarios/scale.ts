import type { Policy } from '../../../functions/modules/policies/policies.model.js';
import { addDays, addMonths } from '../../../functions/shared/dates.js';
import { keys } from '../../../functions/shared/table-design.js';
import { ConsumerGate, gatedHandlers } from '../support/background.js';
import { seedBook } from '../support/book.js';
import { readPartition } from '../support/count.js';
import {
  PARTITION_WCU_LIMIT,
  type PatternBound,
  type PatternPeak,
  type PatternScale,
  PEAK_FACTOR,
  patternsOf,
  peaksOf,
  TARGET_PERCENT,
} from '../support/partition-load.js';
import { PartitionMeter, REQUEST_WRITER } from '../support/partition-meter.js';
import { benchScheme } from '../support/scheme.js';
import { eventAt, send } from './webhooks.js';

/**
 * The bursts of docs/scale.md (section 3) at a reduced size, through the product's own write
 * paths: a full-size burst of `fullSize` events arrives at `rate` events a second (the modelled
 * peak); consumers that cap lower follow at their own pace ({@link CONSUMER_CAPS}).
 */
export const SCALE_BURSTS = {
  import: { fullSize: 100_000, replayed: 200, rate: 268, driver: 'imports' },
  renewalTasks: { fullSize: 83_333, replayed: 200, rate: 100, driver: REQUEST_WRITER },
  bulkRenewal: { fullSize: 10_000, replayed: 100, rate: 200, driver: REQUEST_WRITER },
  webhooks: { fullSize: 10_000, replayed: 200, rate: 6400, driver: REQUEST_WRITER },
  recompute: { fullSize: 83_333, replayed: 0, rate: 33, driver: REQUEST_WRITER },
} as const;
type BurstName = keyof typeof SCALE_BURSTS;

/**
 * Consumers whose own concurrency caps their pace below a burst's (docs/scale.md, section 3): the
 * commission consumer ~250 events/s stack-wide (4 stream shards, batches of 25), the debtors
 * subscriber 200 events/s (reserved concurrency 10 × 1 event per 50 ms); the live subscriber files
 * accrual changes, which only the commission consumer writes, so it can go no faster than that
 * consumer. Others follow the burst.
 */
export const CONSUMER_CAPS: Readonly<Record<string, number>> = { commissions: 250, debtors: 200, live: 250 };

/** Advisors of the bench's book (seedBook levels 2 + 6 + 12) and of the modelled brokerage (docs/scale.md section 1). */
const BENCH_ADVISORS = 20;
const MODEL_ADVISORS = 1000;
const perAdvisor: PatternScale = { spread: BENCH_ADVISORS / MODEL_ADVISORS };

/**
 * Keys whose values do not grow busier with the load as the replay's do (support/partition-load.ts,
 * PatternScale): a client's collection, a task, an event's record, a policy's or a line's own items
 * belong to one entity the burst touches (a bigger burst touches more of them); an import job's rows
 * and a delivery's records are written by one worker at the pace the code fixes (6 rows, 32 events in
 * flight), and the replay's one job stands for the 4 the modelled rate runs at once, its one delivery
 * for 10; an advisor's own lists share a burst spread over the book with 1,000 advisors, not 20.
 */
export const SCALE_BOUNDS: Readonly<Record<string, PatternScale>> = {
  'table|T#<t>#INSURER#<id>#EVENT#<v>': { perValue: 1 },
  'table|T#<t>#POLICY#<id>#PREMIUM_PAID': { perValue: 1 },
  'gsi1|T#<t>#OWNER#<id>#POLICY': perAdvisor,
  'gsi1|T#<t>#OWNER#<id>#CLIENT': perAdvisor,
  'gsi1|T#<t>#OWNER#<id>#TASK': perAdvisor,
  'table|T#<t>#CLIENT#<id>': { perValue: 1 },
  'table|T#<t>#TASK#<v>': { perValue: 1 },
  'table|T#<t>#TASK#<id>': { perValue: 1 },
  'gsi2|T#<t>#CLIENT#<id>#TASK': { perValue: 1 },
  'gsi3|T#<t>#POLICY#<id>#CLINE': { perValue: 1 },
  'gsi5|T#<t>#POLICY#<id>': { perValue: 1 },
  'table|T#<t>#CLINE#<v>': { perValue: 1 },
  'table|T#<t>#CLINE#<id>': { perValue: 1 },
  'table|T#<t>#IMPORT_JOB#<id>': { ownPace: 1 / 4 },
  'table|T#<t>#INSURER#<id>#DELIVERY#<v>': { ownPace: 1 / 10 },
};
const boundOf: PatternBound = (pattern, place) => SCALE_BOUNDS[`${place}|${pattern}`];

export interface ScaleBurstFigures {
  name: BurstName;
  description: string;
  /** Events replayed here, and of the full-size burst they stand for. */
  events: number;
  fullSize: number;
  /** Modelled full-size arrival rate (events/s) of the burst's driver. */
  rate: number;
  driver: string;
  /** Item writes per writer (the driver and the consumers it triggered), and the rate each was placed at. */
  writers: Array<{ writer: string; itemWrites: number; eventsPerSecond: number }>;
  itemWrites: number;
  writeUnits: number;
  /** The hottest key patterns (up to 10), each with its worst concrete value, at 1× and 10×. */
  top: PatternPeak[];
}

export interface ScaleFigures {
  bursts: ScaleBurstFigures[];
  /** The hottest key value of the whole run, at the peak factor. */
  hottest: { burst: BurstName; place: string; pattern: string; worstKey: string; percentOfLimit: number };
  peakFactor: number;
  limitWcuPerSecond: number;
  targetPercent: number;
  /** Write requests metered, and the consistent reads the meter added to read the items' images. */
  meter: { writeRequests: number; imageReads: number };
  seconds: number;
  met: boolean;
}

const DESCRIPTIONS: Record<BurstName, string> = {
  import:
    'a POLICIES CSV of one insurer’s MTPL book as an import job (startBookImport → the imports subscriber, 6 rows in flight), then the commission consumer and every other subscriber',
  renewalTasks:
    'the renewals schedule’s task run (RenewalsService.runTenant) as of 25 days before the imported terms end: one RENEWAL task per policy',
  bulkRenewal:
    'renewPolicy on seeded policies, one request each (new term ACTIVE, old term RENEWED, claim), then the consumers',
  webhooks:
    'one signed 200-event delivery to the webhook route (95 % premium.paid, 5 % policy.issued), then the debtors subscriber’s payments and the commission consumer',
  recompute:
    'the scheme’s receivable rate edited, then recomputeCommissions for the month: RECOMPUTE lines for every policy with lines in it',
};

const HEADER = 'ext;nid;insurer;product;number;premium;written;start;end;plate;vin';
const MAPPING = [
  ['ext', 'externalId'],
  ['nid', 'clientNationalId'],
  ['insurer', 'insurerName'],
  ['product', 'productLineCode'],
  ['number', 'policyNumber'],
  ['premium', 'premium.amount'],
  ['written', 'writtenDate'],
  ['start', 'termStart'],
  ['end', 'termEnd'],
  ['plate', 'vehicle.registrationPlate'],
  ['vin', 'vehicle.vin'],
].map(([column, field]) => ({ column, field }));

/**
 * `npm run bench -- --scale`: replays each burst on a local stack of its own (every stream consumer,
 * bus subscriber and schedule hosted in process, each tagged with its name), meters every item
 * write's partition keys (support/partition-meter.ts) and reports the hottest key values per
 * simulated second against the per-partition limit at 10× the modelled peak.
 */
export async function benchScale(log: (line: string) => void): Promise<ScaleFigures> {
  const started = performance.now();
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { startLocalStack } = await import('../../../infra/local/stack.js');
  const tagged = new ConsumerGate();
  const handlers = gatedHandlers(tagged, ['stream', 'bus', 'schedule']);
  const stack = await startLocalStack({
    port: 0,
    dataDir: null,
    seed: false,
    log: () => undefined,
    handlers,
  });
  try {
    const { getRuntime } = await import('../../../functions/shared/runtime.js');
    const { createDocumentClient, Db } = await import('../../../functions/shared/db.js');
    const { createServices } = await import('../../../functions/modules/services.js');
    const { clientOf } = await import('../support/dynamodb-meter.js');
    const runtime = getRuntime();
    const meter = new PartitionMeter(createDocumentClient(), runtime.db.tableName).attach(
      clientOf(runtime.db),
    );
    // The seed writes through a client of its own (not metered); the bursts through the runtime's.
    const seedDb = new Db(createDocumentClient(), runtime.db.tableName);
    const today = runtime.clock.now().toISOString().slice(0, 10);
    tagged.skip();
    const book = await seedBook(
      createServices(seedDb, runtime.clock),
      seedDb,
      { levels: [2, 6, 12], clients: 300, policiesPerClient: 4 },
      today,
      log,
    );
    await stack.changes.idle();
    tagged.resume();
    if (book.advisors.length !== BENCH_ADVISORS)
      throw new Error(
        `the scale book has ${book.advisors.length} advisors; SCALE_BOUNDS assumes ${BENCH_ADVISORS}`,
      );
    const services = createServices(runtime.db, runtime.clock);
    const scheme = await services.commissions.schemes.create(book.admin, benchScheme());
    const bursts: ScaleBurstFigures[] = [];
    const totals = { requests: 0, imageReads: 0 };

    const measure = async (name: BurstName, run: () => Promise<number>) => {
      meter.reset();
      meter.recording = true;
      const t0 = performance.now();
      // Under a burst the commission consumer is the bottleneck (section 3): records pile up on the
      // stream and it reads full batches of 25. Held while the burst is driven, it does here too.
      tagged.hold(['commissions']);
      const replayed = await run().finally(() => tagged.release());
      await stack.changes.idle();
      meter.recording = false;
      totals.requests += meter.requests;
      totals.imageReads += meter.imageReads;
      const figures = burstFigures(name, replayed, meter);
      bursts.push(figures);
      const top = figures.top[0];
      log(
        `  scale ${name}: ${replayed} events, ${figures.itemWrites} item writes in ${((performance.now() - t0) / 1000).toFixed(1)} s; hottest ${top?.pattern} (${top?.place}) ${top?.percentOfLimit} % at ${PEAK_FACTOR}×`,
      );
    };

    // 1. Import of one insurer's book: terms a month later than the seeded book's, so the renewal
    // run below finds exactly these.
    const termStart = addMonths(today, 1);
    const termEnd = addDays(addMonths(termStart, 12), -1);
    const insurerName = 'Kooperativa';
    const insurerId = book.insurerIds[0] as string;
    await measure('import', async () => {
      const rows = Array.from({ length: SCALE_BURSTS.import.replayed }, (_, i) => {
        const n = book.advisors.length + (i % (book.counts.clients - book.advisors.length));
        const nid = `BK${String(n).padStart(8, '0')}`;
        return `SCALE-${i};${nid};${insurerName};MTPL;IMP-${i};${(900 + (i % 500)).toFixed(2)};${today};${termStart};${termEnd};9S${String(i).padStart(5, '0')};VINSCALE${i}`;
      });
      const job = await services.imports.jobs.startBookImport(book.admin, {
        kind: 'POLICIES',
        format: 'CSV',
        contentBase64: Buffer.from([HEADER, ...rows].join('\n')).toString('base64'),
        mapping: MAPPING,
      });
      // Polled, not waited on with changes.idle(): the held commission consumer keeps the stream busy.
      for (let i = 0; i < 3000; i++) {
        const now = await services.imports.jobs.getJob(book.admin, job.id);
        if (now.status === 'SUCCEEDED' || now.status === 'FAILED') {
          if (now.counts.CREATED !== rows.length)
            throw new Error(`the import created ${JSON.stringify(now.counts)} of ${rows.length} rows`);
          return rows.length;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the import job did not finish');
    });

    // Seeded policies to renew in step 3, read before anything else moves them.
    const seeded: Policy[] = [];
    for (const advisor of book.advisors) {
      const partition = keys.policiesByAdvisor(book.tenantId, advisor.id);
      const items = await readPartition(
        { raw: createDocumentClient(), tableName: runtime.db.tableName, index: 'gsi1', partition },
        Math.ceil(SCALE_BURSTS.bulkRenewal.replayed / book.advisors.length),
      );
      seeded.push(...(items as unknown as Policy[]));
    }

    // 2. The renewals schedule's task run over the imported terms (its first run over a window).
    await measure('renewalTasks', async () => {
      const at = new Date(`${addDays(termEnd, -25)}T06:00:00Z`);
      const result = await services.tasks.renewals.runTenant(book.tenantId, at);
      if (!result.created) throw new Error('the renewals run created no task');
      return result.created;
    });

    // 3. A bulk renewal of seeded policies, one renewPolicy each.
    await measure('bulkRenewal', async () => {
      const chosen = seeded.slice(0, SCALE_BURSTS.bulkRenewal.replayed);
      for (const seen of chosen) {
        const policy = await services.policies.reads.getPolicy(book.admin, seen.id);
        if (!policy) throw new Error(`policy ${seen.id} is gone`);
        const start = addDays(policy.termEnd, 1);
        await services.policies.lifecycle.renewPolicy(book.admin, {
          id: policy.id,
          expectedVersion: policy.version,
          premium: policy.premium,
          writtenDate: today,
          termStart: start,
          termEnd: addDays(addMonths(start, 12), -1),
        });
      }
      return chosen.length;
    });

    // 4. A webhook burst of one insurer for its imported policies.
    await measure('webhooks', async () => {
      const events = SCALE_BURSTS.webhooks.replayed;
      const numbers = Array.from({ length: SCALE_BURSTS.import.replayed }, (_, i) => `IMP-${i}`);
      const ctx = {
        book,
        issuedEvery: 20,
        webhookUrl: (id: string) => `${stack.url}/webhooks/insurers/${id}`,
      };
      const run = `SCALE${Date.now().toString(36).toUpperCase()}`;
      const body = JSON.stringify({
        events: Array.from({ length: events }, (_, n) => eventAt(ctx, n, numbers, run)),
      });
      const report = JSON.parse(await send(ctx, insurerId, `msg_scale_${run}`, body)) as { accepted: number };
      if (report.accepted !== events)
        throw new Error(`the webhook route accepted ${report.accepted} of ${events}`);
      return events;
    });

    // 5. A month recomputed after the receivable rate was corrected.
    await measure('recompute', async () => {
      const stored = await services.commissions.schemes.get(book.admin, scheme.id);
      if (!stored) throw new Error('the bench scheme is gone');
      const version = benchScheme().versions[0];
      if (!version) throw new Error('no scheme version');
      await services.commissions.schemes.editVersion(book.admin, {
        schemeId: scheme.id,
        expectedVersion: stored.version,
        schemeVersion: 1,
        version: {
          ...version,
          rules: version.rules.map((r) =>
            r.id === 'receivable' ? { ...r, computation: { ...r.computation, rate: '16' } } : r,
          ),
        },
      });
      // A month is walked over as many requests as it takes (each answers a nextCursor until done).
      let [written, checked, after] = [0, 0, null as string | null];
      do {
        const result = await services.commissions.recompute.recompute(book.admin, {
          period: today.slice(0, 7),
          after,
        });
        [written, checked, after] = [
          written + result.written,
          checked + result.policiesChecked,
          result.nextCursor,
        ];
      } while (after);
      if (written === 0) throw new Error('the recompute wrote no line');
      return checked;
    });

    const hottestOf = bursts
      .flatMap((b) => b.top.map((t) => ({ burst: b.name, ...t })))
      .reduce((a, b) => (b.percentOfLimit > a.percentOfLimit ? b : a));
    return {
      bursts,
      hottest: {
        burst: hottestOf.burst,
        place: hottestOf.place,
        pattern: hottestOf.pattern,
        worstKey: hottestOf.worstKey,
        percentOfLimit: hottestOf.percentOfLimit,
      },
      peakFactor: PEAK_FACTOR,
      limitWcuPerSecond: PARTITION_WCU_LIMIT,
      targetPercent: TARGET_PERCENT,
      meter: { writeRequests: totals.requests, imageReads: totals.imageReads },
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      met: hottestOf.percentOfLimit <= TARGET_PERCENT,
    };
  } finally {
    await stack.stop();
  }
}

/** One burst's figures from the meter: writers, write units and the hottest key patterns. */
function burstFigures(name: BurstName, events: number, meter: PartitionMeter): ScaleBurstFigures {
  const spec = SCALE_BURSTS[name];
  const rateOf = (writer: string) =>
    writer === spec.driver ? spec.rate : Math.min(spec.rate, CONSUMER_CAPS[writer] ?? spec.rate);
  const perWriter = new Map<string, number>();
  for (const w of meter.writes) perWriter.set(w.writer, (perWriter.get(w.writer) ?? 0) + 1);
  const peaks = peaksOf(meter.writes, events, rateOf);
  return {
    name,
    description: DESCRIPTIONS[name],
    events,
    fullSize: spec.fullSize,
    rate: spec.rate,
    driver: spec.driver,
    writers: [...perWriter.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([writer, itemWrites]) => ({ writer, itemWrites, eventsPerSecond: rateOf(writer) })),
    itemWrites: meter.writes.length,
    writeUnits: meter.writes.reduce((sum, w) => sum + w.writes.reduce((s, k) => s + k.units, 0), 0),
    top: patternsOf(peaks, boundOf).slice(0, 10),
  };
}
