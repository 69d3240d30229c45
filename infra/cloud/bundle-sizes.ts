/**
 * Prints the size of every catalog function's bundle, built the way the stack builds it (esbuild,
 * ESM with the require banner, minified, Node 22, AWS SDK bundled), as a Markdown table for the
 * README. Run: `npx tsx infra/cloud/bundle-sizes.ts`.
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { CATALOG } from '../catalog.js';
import { BUNDLE, REPO_ROOT } from './bundling.js';

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

const rows: string[] = [];
for (const spec of CATALOG) {
  const result = await build({
    entryPoints: [join(REPO_ROOT, spec.entry)],
    absWorkingDir: REPO_ROOT,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: BUNDLE.target,
    minify: BUNDLE.minify,
    sourcemap: 'external',
    sourcesContent: BUNDLE.sourcesContent,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    outfile: join(REPO_ROOT, 'cdk.out', 'bundle-sizes', spec.name, 'index.mjs'),
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  if (!code) throw new Error(`No bundle for ${spec.name}`);
  rows.push(
    `| ${spec.name} | ${kib(code.contents.byteLength)} | ${kib(gzipSync(code.contents).byteLength)} | ${kib(map?.contents.byteLength ?? 0)} |`,
  );
}

console.log('| function | bundle (minified) | gzipped | source map |');
console.log('|---|---:|---:|---:|');
for (const row of rows) console.log(row);
