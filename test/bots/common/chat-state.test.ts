import { chatStateCache, memoryStateStore, type BotStateStore } from '../../../src/bots/common';

/** A memory store that counts its round trips. */
function countingStore(opts: { readMany: boolean }) {
  const inner = memoryStateStore();
  const calls: string[] = [];
  const store: BotStateStore = {
    read: (key) => (calls.push(`read ${key}`), inner.read(key)),
    write: (key, value) => (calls.push(`write ${key}`), inner.write(key, value)),
    delete: (key) => (calls.push(`delete ${key}`), inner.delete(key)),
    ...(opts.readMany ? { readMany: (keys: string[]) => (calls.push(`readMany ${keys.join(',')}`), inner.readMany!(keys)) } : {}),
  };
  return { inner, store, calls };
}

describe('chat state cache (sessions and conversation state of the bots)', () => {
  it('reads the session and the conversation state of a chat in one round trip', async () => {
    const { inner, store, calls } = countingStore({ readMany: true });
    await inner.write('s:7', { lang: 'fa' });
    await inner.write('c:7', { buy: [{ step: 1 }] });
    const cache = chatStateCache(store);
    expect(await cache.read('s:7')).toEqual({ lang: 'fa' });
    expect(await cache.read('c:7')).toEqual({ buy: [{ step: 1 }] });
    expect(calls).toEqual(['readMany s:7,c:7']);
  });

  it('reads the conversation state from the store again when it is read a second time in one update', async () => {
    const { inner, store, calls } = countingStore({ readMany: true });
    const cache = chatStateCache(store);
    await cache.read('s:7');
    expect(await cache.read('c:7')).toBeUndefined();
    await inner.write('c:7', { x: [1] });
    expect(await cache.read('c:7')).toEqual({ x: [1] });
    expect(calls).toEqual(['readMany s:7,c:7', 'read c:7']);
  });

  it('does not write back a session that did not change, and writes one that did', async () => {
    const { inner, store, calls } = countingStore({ readMany: true });
    await inner.write('s:7', { lang: 'fa', registered: true });
    const cache = chatStateCache(store);
    const same = (await cache.read('s:7')) as Record<string, unknown>;
    await cache.write('s:7', same);
    const changed = (await cache.read('s:7')) as Record<string, unknown>;
    changed.lang = 'en';
    await cache.write('s:7', changed);
    expect(calls).toEqual(['readMany s:7,c:7', 'readMany s:7,c:7', 'write s:7']);
    expect(await inner.read('s:7')).toEqual({ lang: 'en', registered: true });
  });

  it('writes a new session, and a session written without being read', async () => {
    const { inner, store } = countingStore({ readMany: true });
    const cache = chatStateCache(store);
    expect(await cache.read('s:8')).toBeUndefined();
    await cache.write('s:8', { lang: 'fa' });
    await cache.write('s:9', { lang: 'en' });
    expect(await inner.read('s:8')).toEqual({ lang: 'fa' });
    expect(await inner.read('s:9')).toEqual({ lang: 'en' });
  });

  it('stores nothing for a chat whose session is still empty (it reads back as the same empty session)', async () => {
    const { inner, store, calls } = countingStore({ readMany: true });
    const cache = chatStateCache(store);
    expect(await cache.read('s:10')).toBeUndefined();
    await cache.write('s:10', {});
    expect(calls).toEqual(['readMany s:10,c:10']);
    expect(await inner.read('s:10')).toBeUndefined();
  });

  it('passes conversation writes and deletes through and never serves a value older than them', async () => {
    const { inner, store } = countingStore({ readMany: true });
    await inner.write('c:7', { buy: [{ step: 1 }] });
    const cache = chatStateCache(store);
    await cache.read('s:7');
    await cache.write('c:7', { buy: [{ step: 2 }] });
    expect(await cache.read('c:7')).toEqual({ buy: [{ step: 2 }] });
    await cache.read('s:7');
    await cache.delete('c:7');
    expect(await cache.read('c:7')).toBeUndefined();
    expect(await inner.read('c:7')).toBeUndefined();
  });

  it('works over a store without readMany (one read per key)', async () => {
    const { inner, store, calls } = countingStore({ readMany: false });
    await inner.write('s:7', { lang: 'fa' });
    await inner.write('c:7', { buy: [] });
    const cache = chatStateCache(store);
    expect(await cache.read('s:7')).toEqual({ lang: 'fa' });
    expect(await cache.read('c:7')).toEqual({ buy: [] });
    expect(calls).toEqual(['read s:7', 'read c:7']);
  });

  it('keeps at most the configured number of chats', async () => {
    const { store, calls } = countingStore({ readMany: true });
    const cache = chatStateCache(store, 2);
    for (const chat of [1, 2, 3]) await cache.read(`s:${chat}`);
    await cache.read('c:1');
    await cache.read('c:3');
    expect(calls.slice(3)).toEqual(['read c:1']);
  });
});
