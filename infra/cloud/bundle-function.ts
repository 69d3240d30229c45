/**
 * Bundles one function: `tsx infra/cloud/bundle-function.ts <entry> <outdir>`. The stack runs it as
 * a child process at synth time (`bundleFunctionSync` in bundling.ts).
 */
import { build } from 'esbuild';
import { esbuildOptions } from './bundling.js';

const [entry, outdir] = process.argv.slice(2);
if (!entry || !outdir) throw new Error('Usage: tsx infra/cloud/bundle-function.ts <entry> <outdir>');
await build(esbuildOptions(entry, outdir));
