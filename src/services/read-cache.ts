import type { CachedTable, ChangeFeed } from '../db/change-feed';

/** Which change notifications drop what: the tables, and how a notification's key names an entry. */
export interface ReadCacheSource<K> {
  tables: readonly CachedTable[];
  /**
   * The entry a keyed notification (`<table>:<key>`) names; without it every change of the
   * tables drops the whole cache. A notification without a key always drops everything.
   */
  keyOf?: (key: string) => K;
}

/**
 * An in-process read cache whose entries are dropped when their rows change (Postgres NOTIFY
 * through {@link ChangeFeed}: the one entry a keyed notification names, else everything) and
 * that is bypassed while the feed is not listening, so it never answers from memory when a change
 * could have been missed. Entries also expire after `ttlMs`.
 *
 * Concurrent misses of one key share one load. A load that started before its entry was dropped
 * is not stored (nor shared with later callers), so a slow read cannot put an old row back after
 * the change was announced.
 */
export class ReadCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
  /** Loads in flight by key; dropping the key detaches them (their result is then not stored). */
  private readonly loading = new Map<K, Promise<V>>();
  private readonly keyOf: ((key: string) => K) | undefined;

  constructor(
    private readonly feed: ChangeFeed | null,
    source: readonly CachedTable[] | ReadCacheSource<K>,
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {
    const { tables, keyOf } = Array.isArray(source) ? { tables: source as readonly CachedTable[], keyOf: undefined } : (source as ReadCacheSource<K>);
    this.keyOf = keyOf;
    feed?.on('change', (table: CachedTable, key?: string) => {
      if (!tables.includes(table)) return;
      if (key === undefined || !this.keyOf) this.clear();
      else this.drop(this.keyOf(key));
    });
    feed?.on('reset', () => this.clear());
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }

  /** Drops one entry (and detaches its load in flight). */
  drop(key: K): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  /** How many entries are held (tests). */
  get size(): number {
    return this.entries.size;
  }

  /** The cached value, or `load()`'s (stored unless `cacheable` says no, e.g. for "not found"). */
  async get(key: K, load: () => Promise<V>, cacheable: (v: V) => boolean = () => true): Promise<V> {
    if (!this.feed?.live) return load();
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    const shared = this.loading.get(key);
    if (shared) return shared;
    const loading = load();
    this.loading.set(key, loading);
    const settle = () => {
      // Still ours unless the key was dropped (or another load replaced it) meanwhile.
      const current = this.loading.get(key) === loading;
      if (current) this.loading.delete(key);
      return current;
    };
    let value: V;
    try {
      value = await loading;
    } catch (err) {
      settle();
      throw err;
    }
    if (settle() && this.feed.live && cacheable(value)) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, { value, expires: now + this.ttlMs });
    }
    return value;
  }
}
