import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/**
 * Test kinds, visible in file names:
 * - unit:        test/unit/**\/*.test.ts        no network, no DynamoDB
 * - integration: test/integration/**\/*.int.test.ts  against DynamoDB Local, started once by a global setup
 * - stack:       test/e2e/**\/*.int.test.ts and the files that run handlers or a local stack in process
 * - infra:       test/infra/**\/*.test.ts       CDK assertions, offline
 */
/**
 * Integration files that run Lambda handlers or a local stack in process: those read the
 * process-wide runtime (environment, memoized clients, caches), so each gets a fresh module graph.
 */
const STACK_FILES = [
  'test/integration/access/api-keys-http.int.test.ts',
  'test/integration/commissions/commissions-local-stack.int.test.ts',
  'test/integration/failures/failure-drain.int.test.ts',
  'test/integration/graphql/persisted-queries.int.test.ts',
  'test/integration/graphql/tenant-rate-limit.int.test.ts',
  'test/integration/invoices/dunning.int.test.ts',
  'test/integration/live/live-inbox.int.test.ts',
  'test/integration/local-stack/**/*.int.test.ts',
  'test/integration/webhooks/webhooks-local-stack.int.test.ts',
];

export default defineConfig({
  resolve: {
    // graphql 16 ships ESM (index.mjs) and CJS (index.js) without an exports map: Vite would pick the
    // ESM build for our code while Node loads the CJS one for Apollo, and `instanceof GraphQLError`
    // would fail across the two. Node's choice is what runs in production (tsx, esbuild with
    // mainFields module→main resolves one copy), so tests use the same single copy.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    root,
    // Two test files at a time even on two cores (vitest's default there is one): integration and
    // e2e files spend most of their time waiting on DynamoDB Local and the stacks they start, so a
    // second file fills the other core. Each file works in its own tenant (README, "Tests").
    maxWorkers: 2,
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_REGION: 'eu-central-1',
      // Pinned SDK versions, Lambda on Node 22: the SDK's Node 20 notice is noise in test output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    projects: [
      {
        extends: true,
        // Property tests and handler imports take seconds on a busy 2-core machine: room above the 5 s default.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000, hookTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int.test.ts'],
          exclude: STACK_FILES,
          globalSetup: ['test/support/dynamodb-global-setup.ts'],
          // Files here compose services against the shared DynamoDB Local and hold no process-wide
          // state: a worker keeps the modules it has imported from one file to the next, which saves
          // each file importing (and transforming) the same service graph again.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: ['test/e2e/**/*.int.test.ts', ...STACK_FILES],
          globalSetup: ['test/support/dynamodb-global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
