import { AsyncLocalStorage } from 'node:async_hooks';
import { CATALOG, type FunctionSpec } from '../../../infra/catalog.js';
import { loadHandler } from '../../../infra/local/function-loader.js';

/**
 * Marks DynamoDB calls made by stream consumers the local stack runs in this same process, so the
 * meter on the shared runtime client can leave them out of the operation being measured (in the
 * cloud they run in another Lambda with its own client).
 */
export const backgroundWork = new AsyncLocalStorage<string>();

/**
 * Holds stream consumer invocations while a write path is measured and lets them through after
 * it, so the consumer's work (another Lambda in the cloud) does not share the CPU with the
 * measured requests. Held batches are delivered in order once released; nothing is dropped.
 */
export class ConsumerGate {
  private opened: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;
  private skipping = false;
  /** The consumers a hold applies to (null: every one). */
  private held: ReadonlySet<string> | null = null;

  /**
   * Acknowledges records without running the consumer until `resume`. Only for the seed's own
   * records, which arrive before any commission scheme exists: the consumer would write nothing
   * for them, so skipping changes no data and saves minutes of reads.
   */
  skip(): void {
    this.skipping = true;
  }

  resume(): void {
    this.skipping = false;
  }

  /** Holds every consumer, or only the named ones. */
  hold(only?: readonly string[]): void {
    this.held = only ? new Set(only) : null;
    this.opened = new Promise<void>((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open();
  }

  /** Wraps a consumer: waits for the gate, then runs it as background work. */
  wrap<E, C, R>(name: string, load: () => Promise<(event: E, context: C) => Promise<R>>) {
    return async (event: E, context: C): Promise<R> => {
      if (this.skipping) return { batchItemFailures: [] } as R;
      const handler = await load();
      if (!this.held || this.held.has(name)) await this.opened;
      return backgroundWork.run(name, () => handler(event, context));
    };
  }
}

type LambdaHandler = (event: unknown, context: unknown) => Promise<unknown>;

/** The catalog's functions of these trigger kinds, for the local stack: each loaded on first use and run behind the gate. */
export function gatedHandlers(gate: ConsumerGate, kinds: ReadonlyArray<FunctionSpec['trigger']['kind']>) {
  return Object.fromEntries(
    CATALOG.filter((f) => kinds.includes(f.trigger.kind)).map((f) => [
      f.name,
      gate.wrap(f.name, () => loadHandler<LambdaHandler>(f)),
    ]),
  );
}
