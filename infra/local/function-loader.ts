import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionSpec } from '../catalog.js';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const STATIC_IMPORT = /^import\s+(?!type\b)[^'"]*?from\s+'([^']+)';?$/gm;

/** Loads a catalog function's module and returns its `handler` export. */
export async function loadHandler<T>(spec: FunctionSpec): Promise<T> {
  const module = (await import(pathToFileURL(join(REPO_ROOT, spec.entry)).href)) as { handler?: T };
  if (!module.handler) throw new Error(`${spec.entry} does not export a handler`);
  return module.handler;
}

/**
 * Imports what the catalog's handlers import, but not the handlers: a handler's top level builds
 * its runtime from the environment, which is set only once the emulators' endpoints are known. The
 * stack runs this while DynamoDB Local's JVM boots on the other core, so compiling and evaluating
 * the functions' module graph (about two seconds) no longer waits for the engine. A module that
 * fails here is skipped: loading its handler later reports the error where it belongs.
 */
export async function prewarmFunctionModules(catalog: readonly FunctionSpec[]): Promise<void> {
  const targets = new Set<string>();
  for (const spec of catalog) {
    const file = join(REPO_ROOT, spec.entry);
    if (!existsSync(file)) continue;
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (!specifier) continue;
      targets.add(
        specifier.startsWith('.') ? pathToFileURL(resolve(dirname(file), specifier)).href : specifier,
      );
    }
  }
  for (const target of targets) await import(target).catch(() => undefined);
}
