import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleSize } from '../../../infra/cloud/bundling.js';

type Output = Metafile['outputs'][string];
const out = (bytes: number, imports: Output['imports'] = []): Output => ({
  bytes,
  imports,
  exports: [],
  inputs: {},
});

/** A split build: index → a (static) → shared (static); index ⇢ pdf (dynamic) → shared; b imported by nobody statically. */
const metafile: Metafile = {
  inputs: {},
  outputs: {
    'out/index.mjs': out(100, [
      { path: 'out/chunks/a.mjs', kind: 'import-statement' },
      { path: 'out/chunks/pdf.mjs', kind: 'dynamic-import' },
      { path: 'node:fs', kind: 'import-statement', external: true },
    ]),
    'out/index.mjs.map': out(9_000),
    'out/chunks/a.mjs': out(20, [{ path: 'out/chunks/shared.mjs', kind: 'import-statement' }]),
    'out/chunks/shared.mjs': out(3, [{ path: 'out/chunks/a.mjs', kind: 'import-statement' }]),
    'out/chunks/pdf.mjs': out(500, [
      { path: 'out/chunks/shared.mjs', kind: 'import-statement' },
      { path: 'out/chunks/b.mjs', kind: 'import-statement' },
    ]),
    'out/chunks/b.mjs': out(7),
    'out/chunks/pdf.mjs.map': out(8_000),
  },
};

describe('bundleSize', () => {
  it('counts the entry and its transitive static imports as initial, every chunk as total, no source maps', () => {
    expect(bundleSize(metafile)).toEqual({ initialBytes: 123, totalBytes: 630 });
  });

  it('does not count chunks reached only through a dynamic import as initial', () => {
    const noDynamic = structuredClone(metafile);
    const index = noDynamic.outputs['out/index.mjs'];
    if (!index) throw new Error('fixture');
    index.imports = index.imports.map((i) =>
      i.path === 'out/chunks/pdf.mjs' ? { ...i, kind: 'import-statement' as const } : i,
    );
    expect(bundleSize(noDynamic).initialBytes).toBe(630);
  });

  it('fails when the build has no entry chunk', () => {
    expect(() => bundleSize({ inputs: {}, outputs: { 'out/x.mjs': out(1) } })).toThrow(/No index\.mjs/);
  });
});
