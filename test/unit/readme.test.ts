import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ARCHITECTURE_PATH,
  README_PATH,
  withGeneratedArchitecture,
  withGeneratedTables,
} from '../../infra/docs/readme-tables.js';

describe('README', () => {
  it('lists exactly the access patterns of the table design (run `npm run docs` after changing them)', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme).toBe(withGeneratedTables(readme));
  });

  it('lists exactly the functions of the catalog in docs/architecture.md (run `npm run docs`)', () => {
    const doc = readFileSync(ARCHITECTURE_PATH, 'utf8');
    expect(doc).toBe(withGeneratedArchitecture(doc));
    expect(doc).toContain('| `graphql` | GraphQL API for front ends and partner portals |');
  });
});
