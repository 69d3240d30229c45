import type { ScaleFigures } from '../scenarios/scale.js';

const verdict = (met: boolean) => (met ? 'met' : '**missed**');
const n = (x: number) => x.toLocaleString('en');

/** The scale simulation's section of docs/benchmarks.md: the method, then the hottest key patterns of each burst. */
export function scaleSection(s: ScaleFigures | null | undefined): string[] {
  if (!s) return [];
  const lines = [
    '## 8. Scale: writes per partition key value (issue 20)',
    '',
    `\`npm run bench -- --scale\` replays the bursts of [docs/scale.md](scale.md) at a reduced size on a local stack of its own (${s.seconds} s), through the product's write paths, with every stream consumer, bus subscriber and schedule hosted in process. SDK middleware on the product's DynamoDB client (support/partition-meter.ts) sees every write request, consumers' included; for every item a request writes (each member of a transaction or batch) it reads the item just before the write and takes its image after (a Put's input, an UpdateItem's ALL_NEW output, a consistent read after a transaction), and derives the write units on the base table's \`pk\` and on every index key the item carries before or after: ceil(item bytes / 1 KB), an index key that changes counts a delete on the old value and a put on the new, and a write that changes no attribute rewrites no index entry (${n(s.meter.writeRequests)} write requests metered, ${n(s.meter.imageReads)} image reads added). Simulated time: a full-size burst arrives at its modelled rate (docs/scale.md section 3); each writer's item writes, in the order sent, are spread over \`events ÷ its rate\` seconds (consumers capped lower follow at their own pace) and counted per simulated second; a key's peak adds its writers' peak seconds. The commission consumer is held while a burst is driven and then reads the stream in full batches of 25, as it does when a burst outpaces it (its accrual counters are summed per batch). The peak ×${s.peakFactor} is compared with ${n(s.limitWcuPerSecond)} WCU/s per partition key value; the target: no key above ${s.targetPercent} %.`,
    '',
    `Hottest key of the run: \`${s.hottest.pattern}\` (${s.hottest.place}, burst ${s.hottest.burst}) at ${s.hottest.percentOfLimit} % of the limit at ${s.peakFactor}× — ${verdict(s.met)}. What is judged (“% of 1,000”): a key's worst value at ${s.peakFactor}×; for a sharded key (\`…#S<n>\`, shards in brackets) the worst shard expected at full size, mean + √(2 ln shards)·√(mean · units per write) from the load averaged over every shard (“mean %”): a replay of 100–200 events leaves one shard busier by chance (“replay's worst shard”), a full-size burst does not. Keys marked † do not grow busier with the load (docs/scale.md section 6): a client's, a task's or a policy's own items take the writes one entity receives (a bigger burst touches more of them), an import job's rows and a delivery's records the share of the one worker that writes them at a pace the code fixes. Patterns: \`<t>\` tenant, \`<id>\` an id, \`<v>\` another value (a recipient), \`S<n>\` a shard; "values" is how many values of the pattern the burst wrote.`,
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
      `| key pattern | where | values | worst value | WCU/s at 1× | at ${s.peakFactor}× | % of 1,000 | replay's worst shard | mean % over values | |`,
      '|---|---|---:|---|---:|---:|---:|---:|---:|---|',
      ...b.top.map(
        (t) =>
          `| \`${t.pattern}\`${t.bounded ? ' †' : ''} | ${t.place} | ${t.values}${t.shards ? ` (${t.shards})` : ''} | \`${t.worstKey}\` | ${t.wcuPerSecond} | ${t.wcuPerSecondAtPeakFactor} | ${t.percentOfLimit} % | ${t.replayWorstPercent === undefined ? '—' : `${t.replayWorstPercent} %`} | ${t.meanPercentOfLimit ?? '—'} % | ${verdict(t.percentOfLimit <= s.targetPercent)} |`,
      ),
      '',
    );
  }
  return lines;
}
