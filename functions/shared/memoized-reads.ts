/**
 * A view of a repository whose reads (`get…`, `list…` methods) are remembered for the life of the
 * view, keyed by method and arguments; writes pass through. For one unit of work that looks up the
 * same rarely-changing data again and again, such as a webhook delivery of 500 policies that all
 * need the same insurer, product line and seller hierarchy. Never keep a view across requests: it
 * does not see writes made after a read.
 */
export function memoizedReads<T extends object>(repository: T): T {
  const memo = new Map<string, Promise<unknown>>();
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || !/^(get|list)/.test(property))
        return value;
      return (...args: unknown[]) =>
        readOnce(memo, `${property}\u0000${JSON.stringify(args)}`, () =>
          Promise.resolve(value.apply(target, args)),
        );
    },
  });
}

/**
 * The promise remembered under `key`, or `read()` remembered there. A failed read is not
 * remembered: the next caller tries again.
 */
export function readOnce<T>(memo: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let hit = memo.get(key);
  if (!hit) {
    hit = read();
    memo.set(key, hit);
    hit.catch(() => memo.delete(key));
  }
  return hit;
}
