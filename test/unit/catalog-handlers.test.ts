import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../infra/catalog.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * Every function in the catalog logs with its Lambda context, traces and emits metrics through the
 * one set of middlewares, named after its catalog entry (the `function` metric dimension).
 */
describe('catalog handlers', () => {
  it.each(CATALOG.map((spec) => [spec.name, spec.entry] as const))(
    '%s wraps its handler in observability with its own name',
    (name, entry) => {
      const source = readFileSync(join(root, entry), 'utf8');
      expect(source).toContain(`.use(observability('${name}'))`);
      expect(source).not.toContain('injectLambdaContext(');
    },
  );
});
