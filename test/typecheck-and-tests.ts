/**
 * The last step of `npm test`: the typecheck and the test suite side by side, since vitest does not
 * typecheck and a two-core machine has a core to spare while integration files wait on DynamoDB
 * Local. Fails when either fails; the typecheck's errors are printed after the tests' report.
 */
import { spawn } from 'node:child_process';

const bin = (name: string) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;

const typecheck = new Promise<{ code: number; output: string }>((resolve) => {
  const child = spawn(bin('tsc'), ['--noEmit'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.on('close', (code) => resolve({ code: code ?? 1, output }));
});

const tests = new Promise<number>((resolve) => {
  const child = spawn(bin('vitest'), ['run', '--config', 'test/vitest.config.ts', ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  child.on('close', (code) => resolve(code ?? 1));
});

const [checked, tested] = await Promise.all([typecheck, tests]);
if (checked.code !== 0) process.stderr.write(`\ntsc --noEmit failed:\n${checked.output}\n`);
else process.stdout.write('tsc --noEmit: no type errors\n');
process.exit(checked.code !== 0 ? checked.code : tested);
