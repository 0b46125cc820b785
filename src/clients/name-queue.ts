/**
 * Serialises an adapter's work per client name: a call for a name starts only after every earlier
 * call for the same name (in this adapter) has settled, failures included. Across processes the
 * per-subscription lock (src/services/subscription-lock.ts) does the same.
 */
export class NameQueue {
  /** Tail of the queue per key. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /** @param keyOf the identity the panel compares names by (e.g. lower-cased). */
  constructor(private readonly keyOf: (name: string) => string = (name) => name) {}

  /** Runs `fn` after every earlier call for the same name has settled. */
  run<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const key = this.keyOf(name);
    const prev = this.tails.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }
}
