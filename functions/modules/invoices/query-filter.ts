/** Query filters of the invoices module's repositories. */

/** One page of a list: how many items and where the previous page ended. */
export type PageRequest = { limit: number; cursor: string | null };

/**
 * A filter expression for a Query: every attribute equal to its value, and optionally one numeric
 * attribute at least a minimum. Filters narrow an index partition; they never replace a key.
 */
export function matchAll(
  equal: Record<string, string | boolean>,
  atLeast: [string, number] | null,
): { filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> } } {
  const terms: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  Object.entries(equal).forEach(([attribute, value], i) => {
    terms.push(`#f${i} = :f${i}`);
    names[`#f${i}`] = attribute;
    values[`:f${i}`] = value;
  });
  if (atLeast) {
    terms.push('#min >= :min');
    names['#min'] = atLeast[0];
    values[':min'] = atLeast[1];
  }
  return terms.length > 0 ? { filter: { expression: terms.join(' AND '), names, values } } : {};
}
