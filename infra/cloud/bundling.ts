import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';

/** Repository root: catalog entries are relative to it, and esbuild resolves node_modules from it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * An ESM bundle still meets CommonJS dependencies that call `require` (Node built-ins through
 * transitive packages); this banner gives them one, plus `__dirname`/`__filename` for the few that read them.
 * Every chunk is its own module, so every chunk carries it.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);";

/**
 * How every function is bundled, shared by the stack, `bundle-sizes.ts` and the cold-start bench, so
 * the sizes printed for the README are the sizes deployed. The AWS SDK is bundled rather than taken
 * from the runtime: the lockfile pins it, and the runtime's copy changes under us without a deploy.
 * `module` before `main` makes graphql resolve to one copy (its ESM build) for Apollo and our code.
 */
export const BUNDLE = {
  target: 'node22',
  minify: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
} as const;

/** The file the Lambda handler `index.handler` names: the entry chunk of every function's asset. */
export const ENTRY_FILE = 'index.mjs';

/** Apollo plugins functions/graphql/server.ts disables explicitly, so Apollo never `import()`s them. */
const UNREACHABLE_APOLLO_PLUGIN =
  /\/plugin\/(usageReporting|schemaReporting|inlineTrace|landingPage\/default)\/index\.js$/;

/**
 * Keeps Apollo to one copy and out of code it cannot reach:
 * - @as-integrations/aws-lambda is CommonJS and `require`s @apollo/server, which would bundle Apollo's
 *   CJS build beside the ESM one our code imports; a require of it resolves to the ESM build instead
 *   (esbuild wraps it), so there is one ApolloServer and its plugins stay `import()`ed chunks.
 * - The usage-reporting, schema-reporting, inline-trace and default landing-page plugins (with the
 *   usage-reporting protobuf) are replaced by a module that throws: the server installs their
 *   `…Disabled` plugins, so Apollo never imports them (test/e2e/graphql-bundle.int.test.ts answers a
 *   request through the bundle).
 */
export const apolloBundlePlugin: Plugin = {
  name: 'apollo-one-copy-no-reporting',
  setup(build) {
    build.onResolve({ filter: /^@apollo\/server(\/.*)?$/ }, (args) =>
      args.kind === 'require-call'
        ? build.resolve(args.path, {
            kind: 'import-statement',
            resolveDir: args.resolveDir,
            importer: args.importer,
          })
        : undefined,
    );
    build.onResolve({ filter: UNREACHABLE_APOLLO_PLUGIN }, (args) =>
      args.importer.includes('@apollo/server')
        ? { path: args.path, namespace: 'apollo-unreachable' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'apollo-unreachable' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`Apollo ${args.path} is not bundled: install its Disabled plugin (decision 0011)`)});`,
      loader: 'js',
    }));
  },
};

/**
 * A bundle carries no node_modules, so functions/shared/pdf-fonts.ts, which reads the DejaVu TTFs
 * from the npm package at run time, is replaced by a module that embeds the same files (esbuild's
 * binary loader). Only code that renders PDFs imports it, behind an `import()`, so the fonts land in
 * a chunk a cold start does not read.
 */
export const pdfFontsPlugin: Plugin = {
  name: 'embedded-pdf-fonts',
  setup(build) {
    build.onLoad({ filter: /functions[\\/]shared[\\/]pdf-fonts\.ts$/ }, async () => {
      const { PDF_FONT_FILES } = await import('../../functions/shared/pdf-fonts.js');
      return {
        contents: [
          `import regular from ${JSON.stringify(PDF_FONT_FILES.regular)};`,
          `import bold from ${JSON.stringify(PDF_FONT_FILES.bold)};`,
          `export const PDF_FONT_FILES = ${JSON.stringify(PDF_FONT_FILES)};`,
          'export function loadPdfFonts() { return Promise.resolve({ regular, bold }); }',
        ].join('\n'),
        loader: 'js',
        resolveDir: REPO_ROOT,
      };
    });
  },
};

/**
 * esbuild options for one function (decision 0011): ESM with code splitting, so what a handler
 * imports with `import()` lands in chunks under `chunks/` that a cold start does not read; `.mjs`
 * everywhere so Node loads every chunk as ESM without a package.json; linked source maps
 * (`--enable-source-maps`).
 */
export function esbuildOptions(entry: string, outdir: string): BuildOptions & { metafile: true } {
  return {
    entryPoints: { index: join(REPO_ROOT, entry) },
    absWorkingDir: REPO_ROOT,
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE.target,
    minify: BUNDLE.minify,
    sourcemap: true,
    sourcesContent: BUNDLE.sourcesContent,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [apolloBundlePlugin, pdfFontsPlugin],
    loader: { '.ttf': 'binary' },
    metafile: true,
    logLevel: 'warning',
  };
}

/**
 * Bundles functions (entry → outdir pairs) and waits for them: CDK's local bundling is synchronous
 * and esbuild's synchronous API takes no plugins, so the builds run in a child process
 * (infra/cloud/bundle-function.ts), concurrently.
 */
function bundleSync(pairs: ReadonlyArray<readonly [entry: string, outdir: string]>): void {
  const script = join(REPO_ROOT, 'infra', 'cloud', 'bundle-function.ts');
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...pairs.flat()], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const entries = pairs.map(([entry]) => entry).join(', ');
  if (run.status !== 0) throw new Error(`Bundling ${entries} failed (exit ${run.status ?? run.signal})`);
}

/** Bundles one function into `outdir` and waits for it. */
export function bundleFunctionSync(entry: string, outdir: string): void {
  bundleSync([[entry, outdir]]);
}

/**
 * The bundles of a whole catalog, built together the first time CDK asks for one of them: one child
 * process and concurrent esbuild builds instead of a process per function, which is most of a
 * synth's time. Each asset then gets a copy of its own bundle, so what is deployed is unchanged.
 * The build folder goes when every bundle has been handed out, or when the process exits.
 */
export class BundleBatch {
  private readonly outdirs = new Map<string, string>();
  private root: string | null = null;
  private pending: number;

  constructor(entries: readonly string[]) {
    this.pending = new Set(entries).size;
    for (const entry of new Set(entries)) this.outdirs.set(entry, '');
  }

  /** Copies `entry`'s bundle into `outputDir`; false when the entry is not in this batch. */
  copyTo(entry: string, outputDir: string): boolean {
    if (!this.outdirs.has(entry)) return false;
    if (this.root === null) this.buildAll();
    cpSync(this.outdirs.get(entry) as string, outputDir, { recursive: true });
    if (--this.pending === 0) this.dispose();
    return true;
  }

  private buildAll(): void {
    const root = mkdtempSync(join(tmpdir(), 'broker-crm-bundles-'));
    this.root = root;
    process.once('exit', () => this.dispose());
    const pairs = [...this.outdirs.keys()].map((entry, i) => [entry, join(root, String(i))] as const);
    for (const [entry, outdir] of pairs) this.outdirs.set(entry, outdir);
    bundleSync(pairs);
  }

  private dispose(): void {
    if (this.root) rmSync(this.root, { recursive: true, force: true });
  }
}

/** Sizes of one function's bundle, in bytes (source maps excluded). */
export interface BundleSize {
  /** The entry chunk and every chunk it statically imports, transitively: what a cold start reads. */
  readonly initialBytes: number;
  /** Every chunk, including those only `import()` loads. */
  readonly totalBytes: number;
}

/**
 * Initial and total size of a split build from its metafile. Only `import-statement` edges count as
 * initial: `dynamic-import` chunks are read when (if ever) the code path that imports them runs.
 */
export function bundleSize(metafile: Metafile, entryName = ENTRY_FILE): BundleSize {
  const outputs = metafile.outputs;
  const code = Object.keys(outputs).filter((file) => !file.endsWith('.map'));
  const entry = code.find((file) => file === entryName || file.endsWith(`/${entryName}`));
  if (!entry) throw new Error(`No ${entryName} among the outputs (${code.join(', ')})`);
  const initial = new Set<string>();
  const visit = (file: string): void => {
    if (initial.has(file)) return;
    initial.add(file);
    for (const i of outputs[file]?.imports ?? []) {
      if (i.kind === 'import-statement' && !i.external && outputs[i.path]) visit(i.path);
    }
  };
  visit(entry);
  const bytes = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + (outputs[f]?.bytes ?? 0), 0);
  return { initialBytes: bytes(initial), totalBytes: bytes(code) };
}
