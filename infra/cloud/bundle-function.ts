/**
 * Bundles functions: `tsx infra/cloud/bundle-function.ts <entry> <outdir> [<entry> <outdir> …]`. The
 * stack runs it as a child process at synth time (`bundleFunctionSync` and {@link BundleBatch} in
 * bundling.ts); several pairs build concurrently in the one esbuild service.
 */
import { build } from 'esbuild';
import { esbuildOptions } from './bundling.js';

const args = process.argv.slice(2);
if (args.length === 0 || args.length % 2 !== 0) {
  throw new Error('Usage: tsx infra/cloud/bundle-function.ts <entry> <outdir> [<entry> <outdir> …]');
}
const pairs = Array.from({ length: args.length / 2 }, (_, i) => [args[2 * i], args[2 * i + 1]] as const);
await Promise.all(pairs.map(([entry, outdir]) => build(esbuildOptions(entry as string, outdir as string))));
