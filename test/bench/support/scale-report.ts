import type { ScaleFigures } from '../scenarios/scale.js';

const verdict = (met: boolean) => (met ? 'met' : '**missed**');
const n = (x: number) => x.toLocaleString('en');

/** The scale simulation's section of docs/benchmarks.md: the method, then the hottest key patterns of each burst. */
export function scaleSection(s: ScaleFigures | null | undefined): string[] {
  if (!s) return [];
  const lines = [
    '## 8. Scale: writes per partition key value (issue 20)',
    '',
    `\`npm run bench -- --scale\` replays the bursts of [docs/scale.md](scale.md) at a reduced size on a local stack of its own (${s.seconds} s), through the product's write paths, with every stream consumer, bus subscriber and schedule hosted in process. SDK middleware on the product's DynamoDB client (support/partition-meter.ts) sees every write request, consumers' included; for every item a request writes (each member of a transaction or batch) it reads the item just before the write and takes its image after (a Put's input, an UpdateItem's ALL_NEW output, a consistent read after a transaction), and derives the write units on the base table's \`pk\` and on every index key the item carries before or after: ceil(item bytes / 1 KB), an index key that changes counts a delete on the old value and a put on the new (${n(s.meter.writeRequests)} write requests metered, ${n(s.meter.imageReads)} image reads added). Simulated time: a full-size burst arrives at its modelled rate (docs/scale.md section 3); each writer's item writes, in the order sent, are spread over \`events ÷ its rate\` seconds (consumers capped lower follow at their own pace) and counted per simulated second; a key's peak adds its writers' peak seconds. The peak ×${s.peakFactor} is compared with ${n(s.limitWcuPerSecond)} WCU/s per partition key value; the target: no key above ${s.targetPercent} %.`,
    '',
    `Hottest key of the run: \`${s.hottest.pattern}\` (${s.hottest.place}, burst ${s.hottest.burst}) at ${s.hottest.percentOfLimit} % of the limit at ${s.peakFactor}× — ${verdict(s.met)}. “Mean %” averages the pattern's values: for a sharded key, what its 16 shards approach at full size (the worst shard of a small replay is busier by chance). Patterns: \`<t>\` tenant, \`<id>\` an id, \`<v>\` another value (a recipient), \`S<n>\` a shard; "values" is how many values of the pattern the burst wrote. Base-table keys of many items (\`UNIQUE#…\`, \`IMPORT_JOB#<id>\`, a client's collection) are split by DynamoDB for heat on their sort keys; see docs/scale.md section 6.`,
    '',
  ];
  for (const b of s.bursts) {
    lines.push(
      `### ${b.name}: ${n(b.events)} of ${n(b.fullSize)} events at ${n(b.rate)}/s`,
      '',
      `${b.description}. ${n(b.itemWrites)} item writes, ${n(b.writeUnits)} write units; writers: ${b.writers
        .map((w) => `${w.writer} ${n(w.itemWrites)} (at ${n(w.eventsPerSecond)} events/s)`)
        .join(', ')}.`,
      '',
      '| key pattern | where | values | worst value | WCU/s at 1× | at 10× | % of 1,000 | mean % over values | |',
      '|---|---|---:|---|---:|---:|---:|---:|---|',
      ...b.top.map(
        (t) =>
          `| \`${t.pattern}\` | ${t.place} | ${t.values} | \`${t.worstKey}\` | ${t.wcuPerSecond} | ${t.wcuPerSecondAtPeakFactor} | ${t.percentOfLimit} % | ${t.meanPercentOfLimit ?? '—'} % | ${verdict(t.percentOfLimit <= s.targetPercent)} |`,
      ),
      '',
    );
  }
  return lines;
}
