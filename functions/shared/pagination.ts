import * as z from 'zod';
import type { Page } from './db.js';
import { parseInput } from './validation.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const PageArgsSchema = z.object({
  first: z
    .number()
    .int()
    .min(1, 'must be at least 1')
    .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
    .nullish(),
  after: z.string().max(4000).nullish(),
});

/** Validates Relay `first`/`after` (page size capped at 100) into a limit and cursor. */
export function pageArgs(args: { first?: number | null; after?: string | null }): {
  limit: number;
  cursor: string | null;
} {
  const parsed = parseInput(PageArgsSchema, { first: args.first, after: args.after }, '');
  return { limit: parsed.first ?? DEFAULT_PAGE_SIZE, cursor: parsed.after ?? null };
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/**
 * Maps a data-layer page onto a Relay connection. Pagination is forward only (`first`/`after`):
 * `hasPreviousPage` is true when the page was read after a cursor, which the Relay connection spec
 * allows ("if the server can efficiently determine that elements exist prior to `after`"): an item
 * precedes the cursor, since the cursor was issued for one.
 */
export function toConnection<T>(page: Page<T>): Connection<T> {
  const edges = page.items.map((node, i) => ({ node, cursor: page.cursors[i] ?? '' }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.nextCursor !== null,
      hasPreviousPage: page.afterCursor === true,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/**
 * The items of a page that pass a test, each with its cursor; the next cursor stays, so a page
 * filtered after its Query (scope checks that no index key expresses) may come back shorter.
 */
export function keepInPage<T>(page: Page<T>, test: (item: T) => boolean): Page<T> {
  const kept = page.items
    .map((item, i) => ({ item, cursor: page.cursors[i] ?? '' }))
    .filter((x) => test(x.item));
  return { ...page, items: kept.map((x) => x.item), cursors: kept.map((x) => x.cursor) };
}

/** Every item of a paged read, page after page (100 at a time). */
export async function allPages<T>(
  fetch: (page: { limit: number; cursor: string | null }) => Promise<Page<T>>,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await fetch({ limit: 100, cursor });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}
