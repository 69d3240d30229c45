/**
 * Runs tasks one after another per key, tasks of different keys side by side. Writers that would
 * race on one item inside the same process (a Lambda container, the local stack) take turns instead
 * of losing optimistic-locking races to each other; writers in other processes still race, and the
 * caller keeps its retry for them.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
