import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../../functions/shared/db.js';
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
  it('pairs every item with its own cursor and exposes the last one as endCursor', () => {
    const cursors = [
      encodeCursor({ pk: 'T#t1#ORG#BRANCH', sk: 'a' }),
      encodeCursor({ pk: 'T#t1#ORG#BRANCH', sk: 'b' }),
    ];
    const next = cursors[1] ?? null;
    const connection = toConnection({ items: ['A', 'B'], cursors, nextCursor: next });
    expect(connection.edges).toEqual([
      { node: 'A', cursor: cursors[0] },
      { node: 'B', cursor: cursors[1] },
    ]);
    expect(connection.pageInfo).toEqual({ hasNextPage: true, endCursor: cursors[1] });
  });

  it('reports no next page and a null endCursor for an empty last page', () => {
    expect(toConnection({ items: [], cursors: [], nextCursor: null }).pageInfo).toEqual({
      hasNextPage: false,
      endCursor: null,
    });
  });

  it('issues opaque URL-safe cursors that do not reveal table keys', () => {
    const cursor = encodeCursor({ pk: 'T#tenant-a#ORG#BRANCH', sk: '01J0000000000000000000000' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('T#');
    expect(cursor).not.toContain('tenant-a');
  });
});
