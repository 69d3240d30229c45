import { TABLE } from './table-design.js';

const ALL_INDEX_ATTRIBUTES = Object.values(TABLE.indexes).flatMap((i) => [i.partitionKey, i.sortKey]);

/**
 * The full set of index attributes for an update: the ones an item should now have, and
 * `undefined` (REMOVE) for every other, so an item leaves an index it no longer belongs to
 * (e.g. a client taken out of the pool, a policy whose status changed).
 */
export function indexAttributeChanges(indexKeys: Record<string, string>): Record<string, string | undefined> {
  return Object.fromEntries(ALL_INDEX_ATTRIBUTES.map((a) => [a, indexKeys[a]]));
}
