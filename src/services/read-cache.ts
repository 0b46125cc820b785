import type { CachedTable, ChangeFeed } from '../db/change-feed';

/**
 * An in-process read cache that is dropped whenever one of its tables changes (Postgres
 * NOTIFY through {@link ChangeFeed}) and bypassed while the feed is not listening, so it never
 * answers from memory when a change could have been missed. Entries also expire after `ttlMs`.
 *
 * A load that started before an invalidation is not stored (generation check), so a slow read
 * cannot put an old row back after the change was announced.
 */
export class ReadCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
  private generation = 0;

  constructor(
    private readonly feed: ChangeFeed | null,
    tables: readonly CachedTable[],
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {
    feed?.on('change', (table: CachedTable) => {
      if (tables.includes(table)) this.clear();
    });
    feed?.on('reset', () => this.clear());
  }

  clear(): void {
    this.generation += 1;
    this.entries.clear();
  }

  /** The cached value, or `load()`'s (stored unless `cacheable` says no, e.g. for "not found"). */
  async get(key: K, load: () => Promise<V>, cacheable: (v: V) => boolean = () => true): Promise<V> {
    if (!this.feed?.live) return load();
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    const generation = this.generation;
    const value = await load();
    if (generation === this.generation && this.feed.live && cacheable(value)) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, { value, expires: now + this.ttlMs });
    }
    return value;
  }
}
