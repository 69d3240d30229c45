import { describe, expect, it } from 'vitest';
import { newId } from '../../../functions/shared/ids.js';

describe('newId', () => {
  it('returns a 26-character Crockford base32 ULID', () => {
    expect(newId()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('returns ids that sort in creation order, even within the same millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
