import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_PATH, withGeneratedTables } from '../../infra/docs/readme-tables.js';

describe('README', () => {
  it('lists exactly the access patterns of the table design (run `npm run docs` after changing them)', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme).toBe(withGeneratedTables(readme));
  });
});
