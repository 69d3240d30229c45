import { normalisePolicyNumber } from '../policies/index.js';
import type { Holder, RawEvent } from './webhooks.model.js';

/** An event that passed its envelope and schema checks, in our model. */
export type Prepared = { index: number; event: RawEvent; data: Record<string, unknown> };

/** The keys that tie events together: the policy number, and for new business the holder's ids. */
function linksOf(prepared: Prepared): string[] {
  const d = prepared.data;
  const links = typeof d.policyNumber === 'string' ? [`policy:${normalisePolicyNumber(d.policyNumber)}`] : [];
  if (prepared.event.type === 'policy.issued') {
    const h = d.holder as Holder;
    for (const [kind, value] of [
      ['nid', h.nationalId],
      ['tax', h.taxId],
      ['mail', h.email],
    ] as const) {
      if (value) links.push(`holder:${kind}:${value}`);
    }
  }
  return links;
}

/** Splits events into groups that share a link (union-find), each group in the order sent. */
export function groupEvents(events: Prepared[]): Prepared[][] {
  const parent = events.map((_, i) => i);
  const root = (i: number): number => {
    while (parent[i] !== i) {
      const up = parent[i] as number;
      parent[i] = parent[up] as number;
      i = up;
    }
    return i;
  };
  const owner = new Map<string, number>();
  events.forEach((event, i) => {
    for (const link of linksOf(event)) {
      const other = owner.get(link);
      if (other === undefined) owner.set(link, i);
      else parent[root(i)] = root(other);
    }
  });
  const groups = new Map<number, Prepared[]>();
  events.forEach((event, i) => {
    const r = root(i);
    groups.set(r, [...(groups.get(r) ?? []), event]);
  });
  return [...groups.values()];
}

/** Runs tasks with at most `limit` at a time. */
export async function inParallel<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
