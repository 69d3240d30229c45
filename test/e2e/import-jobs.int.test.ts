import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusHandler } from '../../infra/local/change-bus.js';
import { type LocalStack, startLocalStack } from '../../infra/local/stack.js';

/**
 * An import job on the local stack: started through GraphQL, run by the `imports` bus subscriber
 * (the real handler, with runs of at most 2 rows so the job advances through several checkpoints,
 * each MODIFY of the job bringing the next run over the local change bus), polled until SUCCEEDED.
 */
let runs = 0;
let real: BusHandler | undefined;
const imports: BusHandler = async (event, context) => {
  if (!real) {
    // Loaded on first use, after the stack has set the environment the runtime reads.
    const { importsHandler } = await import('../../functions/imports/handler.js');
    const { createServices } = await import('../../functions/modules/services.js');
    const { getRuntime } = await import('../../functions/shared/runtime.js');
    const runtime = getRuntime();
    real = importsHandler(
      createServices(runtime.db, runtime.clock, { importRuns: { maxRowsPerRun: 2 } }).imports,
    ) as unknown as BusHandler;
  }
  runs++;
  return real(event, context);
};

describe('import jobs on the local stack', () => {
  let stack: LocalStack;
  let demo: Record<string, string>;

  beforeAll(async () => {
    stack = await startLocalStack({
      port: 0,
      dataDir: null,
      seed: true,
      log: () => undefined,
      handlers: { imports },
    });
    demo = stack.dev.tokens['demo-brokerage'] ?? {};
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  async function gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const response = await fetch(stack.dev.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.backoffice}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return body.data as T;
  }

  it('starts a statement job and polls importJob until it SUCCEEDS with a result per row', async () => {
    const csv = [
      'date,amount,currency,reference',
      ...Array.from({ length: 5 }, (_, i) => `2026-03-0${i + 1},${i + 1}.00,EUR,E2E-JOB-${i}`),
    ].join('\n');
    const { startBankStatementImport: job } = await gql<{
      startBankStatementImport: { id: string; status: string; rowsTotal: number };
    }>(
      'mutation($i: ImportBankStatementInput!) { startBankStatementImport(input: $i) { id status rowsTotal } }',
      {
        i: { csv },
      },
    );
    expect(job).toMatchObject({ status: 'QUEUED', rowsTotal: 5 });

    type Polled = {
      status: string;
      rowsDone: number;
      counts: unknown;
      rows: { edges: Array<{ node: unknown }> };
    };
    const READ = `query($id: ID!) { importJob(id: $id) { status rowsDone counts { outcome rows }
      rows(first: 10) { edges { node { row outcome reason } } } } }`;
    let polled: Polled | undefined;
    for (let i = 0; i < 100; i++) {
      polled = (await gql<{ importJob: Polled }>(READ, { id: job.id })).importJob;
      if (polled.status === 'SUCCEEDED' || polled.status === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(polled).toMatchObject({
      status: 'SUCCEEDED',
      rowsDone: 5,
      counts: [{ outcome: 'UNMATCHED', rows: 5 }],
      rows: {
        edges: [1, 2, 3, 4, 5].map((row) => ({ node: { row, outcome: 'UNMATCHED', reason: 'NO_MATCH' } })),
      },
    });
    // Three runs moved it (2 + 2 + 1 rows), and the final MODIFY's run found nothing left to do.
    expect(runs).toBeGreaterThanOrEqual(3);
  }, 30_000);
});
