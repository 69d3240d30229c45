/** A filter expression of a Query, as the data layer passes it on. */
export interface QueryFilter {
  expression: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** What a filter asks of every item: attributes equal to values, any one of some pairs, a numeric minimum. */
export interface FilterConditions {
  equals?: Record<string, string | boolean>;
  anyOf?: Array<[string, string]> | null;
  atLeast?: [string, number] | null;
}

/**
 * The one filter-expression builder of the data layer, spread into a Query's input: `{ filter }`
 * when there is a condition, `{}` otherwise. Filters narrow an index partition; they never replace
 * a key condition.
 */
export function queryFilter(conditions: FilterConditions): { filter?: QueryFilter } {
  const terms: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  Object.entries(conditions.equals ?? {}).forEach(([attribute, value], i) => {
    terms.push(`#f${i} = :f${i}`);
    names[`#f${i}`] = attribute;
    values[`:f${i}`] = value;
  });
  if (conditions.anyOf && conditions.anyOf.length > 0) {
    const alternatives = conditions.anyOf.map(([attribute, value], i) => {
      names[`#o${i}`] = attribute;
      values[`:o${i}`] = value;
      return `#o${i} = :o${i}`;
    });
    terms.push(`(${alternatives.join(' OR ')})`);
  }
  if (conditions.atLeast) {
    terms.push('#min >= :min');
    names['#min'] = conditions.atLeast[0];
    values[':min'] = conditions.atLeast[1];
  }
  return terms.length > 0 ? { filter: { expression: terms.join(' AND '), names, values } } : {};
}
