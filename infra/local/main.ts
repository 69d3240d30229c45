import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startLocalStack } from './stack.js';

/**
 * `npm start`: the whole product on this machine. Flags: `--no-seed` (no demo data),
 * `--in-memory` (nothing kept), `--data-dir <dir>` (keep data there instead of .local/).
 * PORT sets the HTTP port (default 4000).
 */
// The AWS SDK warns on Node 20 that versions published after January 2027 will need Node 22. Our
// SDK versions are pinned and Lambda runs Node 22; the README's Node 20.19+ is for this local host.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const argv = process.argv.slice(2);
const args = new Set(argv);
const dataDirFlag = argv.indexOf('--data-dir');
const started = Date.now();
const log = (line: string) => process.stdout.write(`${line}\n`);
const localDir =
  dataDirFlag >= 0 && argv[dataDirFlag + 1]
    ? resolve(argv[dataDirFlag + 1] as string)
    : resolve(import.meta.dirname, '..', '..', '.local');

try {
  const stack = await startLocalStack({
    port: Number(process.env.PORT ?? 4000),
    dataDir: args.has('--in-memory') ? null : localDir,
    seed: !args.has('--no-seed'),
    log,
  });
  log('');
  log(`Broker CRM is running (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  log(`  GraphQL        POST ${stack.dev.graphqlUrl}   (IDE: open it in a browser)`);
  log(`  Live updates   POST ${stack.dev.streamUrl}   (GraphQL over server-sent events)`);
  log(`  Webhooks       POST ${stack.url}/webhooks/insurers/{insurerId}`);
  log(`  Health         GET  ${stack.dev.healthUrl}`);
  log(`  Captured mail  GET  ${stack.dev.mailUrl}    SMS: GET ${stack.dev.smsUrl}   (JSON: add .json)`);
  log(`  Schedules      POST ${stack.dev.schedulesUrl}/{name}/run[?at=<ISO instant>]`);
  for (const [tenant, roles] of Object.entries(stack.dev.tokens)) {
    log('');
    log(`  Demo tokens for ${tenant} (valid 8 days):`);
    for (const [role, token] of Object.entries(roles)) log(`    ${role.padEnd(10)} ${token}`);
  }
  if (args.has('--in-memory')) {
    // Nothing else is kept, but how to call this run must still be where the README says.
    mkdirSync(localDir, { recursive: true });
    writeFileSync(join(localDir, 'dev.json'), `${JSON.stringify(stack.dev, null, 2)}\n`, { mode: 0o600 });
  }
  log(`\n  Tokens, insurer ids and webhook secrets: ${join(localDir, 'dev.json')}`);
  log('\nCtrl-C stops everything.');

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    log('\nStopping…');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  process.stderr.write(`Could not start the local stack: ${(error as Error).message}\n`);
  process.exit(1);
}
