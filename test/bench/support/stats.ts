/** A figure measured over repeated runs: the median of the runs, with the best and worst run. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Nearest-rank percentile of a sample (p in 0..100); the sample need not be sorted. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** Median, min and max of per-run figures, rounded to `digits` decimals for the report. */
export function spread(values: readonly number[], digits = 2): Spread {
  const round = (v: number) => Number(v.toFixed(digits));
  return {
    median: round(percentile(values, 50)),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    runs: values.length,
  };
}

/** Milliseconds taken by `work`, measured with the monotonic clock. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

/** `median (min–max)` for a Markdown cell. */
export function cell(s: Spread, unit = ''): string {
  return `${s.median}${unit} (${s.min}–${s.max})`;
}
