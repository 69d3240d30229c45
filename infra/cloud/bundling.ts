import { fileURLToPath } from 'node:url';

/** Repository root: catalog entries are relative to it, and esbuild resolves node_modules from it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * An ESM bundle still meets CommonJS dependencies that call `require` (Node built-ins through
 * transitive packages); this banner gives them one, plus `__dirname`/`__filename` for the few that read them.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);";

/**
 * How every function is bundled, shared by the stack (NodejsFunction) and `bundle-sizes.ts`, so the
 * sizes printed for the README are the sizes deployed. The AWS SDK is bundled rather than taken from
 * the runtime: the lockfile pins it, and the runtime's copy changes under us without a deploy.
 * `module` before `main` makes graphql resolve to one copy (its ESM build) for Apollo and our code.
 */
export const BUNDLE = {
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
} as const;
