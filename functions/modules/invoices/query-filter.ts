/** Query filters of the invoices module's repositories. */
import type { IndexName, ShardedPartition } from '../../shared/table-design.js';

/** One page of a list: how many items and where the previous page ended. */
export type PageRequest = { limit: number; cursor: string | null };

/** A list's criteria: attributes equal to a value (undefined when the caller did not ask). */
type Criteria = Record<string, string | boolean | undefined>;

/**
 * The Query a list's criteria select: the first candidate index whose attribute is set (candidates
 * go most selective first), else the fallback partition; the other criteria filter that partition.
 */
export function mostSelective<C extends Criteria>(
  criteria: C,
  candidates: Array<
    [attribute: keyof C & string, index: IndexName, partition: (value: string) => string | ShardedPartition]
  >,
  fallback: [IndexName, string | ShardedPartition],
): { index: IndexName; partition: string | ShardedPartition; filter: Record<string, string | boolean> } {
  const chosen = candidates.find(([attribute]) => criteria[attribute]);
  const [index, partition] = chosen ? [chosen[1], chosen[2](String(criteria[chosen[0]]))] : fallback;
  const filter: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(criteria)) if (k !== chosen?.[0] && v !== undefined) filter[k] = v;
  return { index, partition, filter };
}
