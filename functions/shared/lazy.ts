/**
 * A value loaded on first use and shared afterwards (an SDK client whose package is imported with
 * `import()`, so a cold start neither reads nor evaluates it: decision 0011). A failed load is not
 * kept: the next call tries again.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= load().catch((error: unknown) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

/** A client given as is, or a loader of it, as a loader. */
export type ClientSource<T> = T | (() => Promise<T>);

/** Turns a {@link ClientSource} into one memoized loader. */
export function clientLoader<T extends object>(source: ClientSource<T>): () => Promise<T> {
  return typeof source === 'function' ? lazy(source as () => Promise<T>) : () => Promise.resolve(source);
}
