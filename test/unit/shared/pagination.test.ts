import { describe, expect, it } from 'vitest';
import { ValidationFailedError } from '../../../functions/shared/errors.js';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  pageArgs,
  toConnection,
} from '../../../functions/shared/pagination.js';

describe('pageArgs', () => {
  it('defaults to 20 items and no cursor', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    expect(pageArgs({})).toEqual({ limit: 20, cursor: null });
    expect(pageArgs({ first: null, after: null })).toEqual({ limit: 20, cursor: null });
  });

  it('accepts a page of exactly 100 and passes the cursor through', () => {
    expect(MAX_PAGE_SIZE).toBe(100);
    expect(pageArgs({ first: 100, after: 'abc' })).toEqual({ limit: 100, cursor: 'abc' });
  });

  it.each([
    [101, 'must be at most 100'],
    [0, 'must be at least 1'],
    [-5, 'must be at least 1'],
  ])('refuses first=%d with BAD_USER_INPUT on the first field', (first, message) => {
    let error: unknown;
    try {
      pageArgs({ first });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).fieldErrors).toEqual([{ path: 'first', message }]);
  });

  it('refuses an absurdly long cursor', () => {
    expect(() => pageArgs({ after: 'x'.repeat(4001) })).toThrow(ValidationFailedError);
  });
});

describe('toConnection', () => {
  it('pairs every item with its own cursor and gives the first and last as start and end cursors', () => {
    const connection = toConnection({ items: ['A', 'B'], cursors: ['c1', 'c2'], nextCursor: 'c2' });
    expect(connection.edges).toEqual([
      { node: 'A', cursor: 'c1' },
      { node: 'B', cursor: 'c2' },
    ]);
    expect(connection.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: 'c1',
      endCursor: 'c2',
    });
  });

  it('reports a previous page for a page read after a cursor', () => {
    const page = { items: ['C'], cursors: ['c3'], nextCursor: null, afterCursor: true };
    expect(toConnection(page).pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: 'c3',
      endCursor: 'c3',
    });
  });

  it('reports no next page and null cursors for an empty last page', () => {
    expect(toConnection({ items: [], cursors: [], nextCursor: null }).pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: null,
      endCursor: null,
    });
  });
});
