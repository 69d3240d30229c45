import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changeConsumers, createServices } from '../../functions/modules/services.js';
import { systemClock } from '../../functions/shared/clock.js';
import type { Db } from '../../functions/shared/db.js';
import { LiveInbox } from '../../functions/shared/live-inbox.js';
import { CATALOG } from '../../infra/catalog.js';

const root = join(import.meta.dirname, '..', '..');

/**
 * Every function in the catalog logs with its Lambda context, traces and emits metrics through the
 * one set of middlewares, named after its catalog entry (the `function` metric dimension).
 */
describe('catalog handlers', () => {
  it.each(CATALOG.map((spec) => [spec.name, spec.entry] as const))(
    '%s wraps its handler in observability with its own name',
    (name, entry) => {
      const source = readFileSync(join(root, entry), 'utf8');
      expect(source).toContain(`.use(observability('${name}'))`);
      expect(source).not.toContain('injectLambdaContext(');
    },
  );
});

/**
 * A change any consumer gives up on can be replayed (`replayFailedChange`) only through a consumer
 * of the same catalog name: every stream reader and bus subscriber has one.
 */
describe('replayable consumers', () => {
  it('names a replay consumer for every stream reader and bus subscriber of the catalog', () => {
    const services = createServices({} as Db, systemClock);
    const consumers = Object.keys(changeConsumers(services, new LiveInbox({} as Db, systemClock))).sort();
    const changeReaders = CATALOG.filter((s) => s.trigger.kind === 'stream' || s.trigger.kind === 'bus')
      .map((s) => s.name)
      .sort();
    expect(consumers).toEqual(changeReaders);
  });
});
