import { EventEmitter } from 'node:events';
import type { ChangeFeed } from '../../src/db/change-feed';
import { ReadCache } from '../../src/services/read-cache';

/** A change feed without a database: the test emits what NOTIFY would. */
function fakeFeed(): ChangeFeed {
  return Object.assign(new EventEmitter(), { live: true }) as unknown as ChangeFeed;
}

/** A load the test finishes when it likes, counting how often it ran. */
function gate<V>() {
  let release!: (v: V) => void;
  const calls = { n: 0 };
  const promise = new Promise<V>((r) => (release = r));
  return { calls, release, load: () => (calls.n++, promise) };
}

describe('ReadCache', () => {
  it('drops only the entry a keyed notification names, and everything on a bare one', async () => {
    const feed = fakeFeed();
    const cache = new ReadCache<number, string>(feed, { tables: ['customer'], keyOf: Number }, 60_000);
    for (const k of [1, 2, 3]) await cache.get(k, async () => `v${k}`);
    feed.emit('change', 'customer', '2');
    feed.emit('change', 'admin', '1');
    expect(await cache.get(1, async () => 'new')).toBe('v1');
    expect(await cache.get(2, async () => 'new')).toBe('new');
    feed.emit('change', 'customer');
    expect(cache.size).toBe(0);
  });

  it('shares one load among concurrent misses of a key', async () => {
    const cache = new ReadCache<string, string>(fakeFeed(), { tables: ['api_key'], keyOf: String }, 60_000);
    const g = gate<string>();
    const all = Promise.all([cache.get('k', g.load), cache.get('k', g.load), cache.get('k', g.load)]);
    g.release('row');
    expect(await all).toEqual(['row', 'row', 'row']);
    expect(g.calls.n).toBe(1);
  });

  it('neither stores nor shares a load that was in flight when its key changed', async () => {
    const feed = fakeFeed();
    const cache = new ReadCache<string, string>(feed, { tables: ['api_key'], keyOf: String }, 60_000);
    const old = gate<string>();
    const early = cache.get('k', old.load);
    feed.emit('change', 'api_key', 'k');
    // Asked after the change: a load of its own, not the one that may have read the old row.
    const fresh = gate<string>();
    const late = cache.get('k', fresh.load);
    fresh.release('new');
    old.release('old');
    expect(await early).toBe('old');
    expect(await late).toBe('new');
    expect(await cache.get('k', async () => 'reloaded')).toBe('new');
  });

  it('answers from the database while the feed is not listening', async () => {
    const feed = fakeFeed();
    const cache = new ReadCache<string, string>(feed, ['plan'], 60_000);
    await cache.get('all', async () => 'cached');
    (feed as { live: boolean }).live = false;
    expect(await cache.get('all', async () => 'read')).toBe('read');
  });
});
