import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { README_PATH } from '../../infra/docs/readme-tables.js';
import { type LocalStack, startLocalStack } from '../../infra/local/stack.js';
import { firstUnmatched, type ReadmeBlock, readmeBlocks, runBlocks } from '../support/readme-blocks.js';

/**
 * The README as a new user follows it: its bash blocks, in order, against the stack `npm start` runs
 * (in memory, on a free port), from a folder that holds only `.local/dev.json` — the user's checkout
 * in the README's words — and then once more, as a user who runs them again.
 */
describe('the README, run twice as a new user would', () => {
  let stack: LocalStack;
  let cwd: string;
  const runnable: ReadmeBlock[] = readmeBlocks(readFileSync(README_PATH, 'utf8')).filter((b) => !b.skip);

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, dataDir: null, seed: true, log: () => undefined });
    // The seed's commission lines are what the commissions block shows.
    await stack.changes.idle();
    cwd = mkdtempSync(join(tmpdir(), 'broker-crm-readme-'));
    mkdirSync(join(cwd, '.local'));
    writeFileSync(join(cwd, '.local', 'dev.json'), JSON.stringify(stack.dev, null, 2));
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  for (const run of [1, 2] as const) {
    it(`prints what each block promises (run ${run})`, async () => {
      const { outputs, stderr, code } = await runBlocks(runnable, cwd);
      expect(code, stderr).toBe(0);
      const misses = runnable.flatMap((block, i) => {
        const patterns = (run === 2 ? block.expectAgain : null) ?? block.expect ?? [];
        const missing = firstUnmatched(outputs[i] ?? '', patterns);
        return missing === null ? [] : [{ line: block.line, missing, output: outputs[i], stderr }];
      });
      expect(misses).toEqual([]);
      // Nothing lands in the folder the blocks run from (a user's checkout): the PDF goes to the temp folder.
      expect(readdirSync(cwd)).toEqual(['.local']);
    }, 60_000);
  }

  it("answers the browser's /favicon.ico with an icon", async () => {
    const response = await fetch(`${stack.url}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/x-icon');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 1, 0]);
  });
});
