/**
 * The module rules of docs/architecture.md, checked by `npm run lint:deps` (part of `npm test`).
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles between files: a cycle hides which side owns the behaviour.',
      from: { path: '^(functions|infra)/' },
      to: { circular: true },
    },
    {
      name: 'functions-not-infra',
      severity: 'error',
      comment: 'Lambda code never imports infra/: infra builds from what functions declare.',
      from: { path: '^functions/' },
      to: { path: '^infra/' },
    },
    {
      name: 'shared-not-modules',
      severity: 'error',
      comment: 'functions/shared/ is below every module: it imports none of them.',
      from: { path: '^functions/shared/' },
      to: { path: '^functions/modules/' },
    },
    {
      name: 'module-through-index',
      severity: 'error',
      comment:
        'A module reaches another only through its index.ts (narrow lookups and public types), never its repository or internal files.',
      from: { path: '^functions/modules/([^/]+)/' },
      to: {
        path: '^functions/modules/[^/]+/',
        pathNot: ['^functions/modules/$1/', '^functions/modules/[^/]+/index\\.ts$'],
      },
    },
    {
      name: 'entry-through-index',
      severity: 'error',
      comment: 'Entry points, the composition root and infra/ use a module through its index.ts only.',
      from: { path: '^(functions/(?!modules/[^/]+/|graphql/)|infra/)' },
      to: {
        path: '^functions/modules/[^/]+/',
        pathNot: '^functions/modules/[^/]+/index\\.ts$',
      },
    },
    {
      name: 'graphql-through-index',
      severity: 'error',
      comment:
        "The GraphQL server uses a module through its index.ts, and assembles each module's resolvers file.",
      from: { path: '^functions/graphql/' },
      to: {
        path: '^functions/modules/[^/]+/',
        pathNot: ['^functions/modules/[^/]+/index\\.ts$', '^functions/modules/[^/]+/[^/]+\\.resolvers\\.ts$'],
      },
    },
    {
      name: 'resolvers-only-to-graphql',
      severity: 'error',
      comment:
        "A module's resolvers are the GraphQL server's to assemble (functions/graphql/ only): exported from index.ts they would close a type loop (index → resolvers → generated types → index).",
      from: { pathNot: '^functions/graphql/' },
      to: { path: '^functions/modules/[^/]+/[^/]+\\.resolvers\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^functions/graphql/__generated__/', '^cdk\\.out/'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
