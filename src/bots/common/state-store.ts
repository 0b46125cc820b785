import type { StorageAdapter } from 'grammy';
import type { VersionedStateStorage } from '@grammyjs/conversations';

/**
 * Where a bot keeps its sessions and conversation state: a JSON value per key, outside the
 * process (PostgreSQL in production, see src/main/bot-state.pg.ts), so a restart in the middle of a
 * flow — between "I have paid" and the receipt photo — resumes where the user was. Bots may not
 * import the database (lint), so the store is created in src/main and injected.
 */
export interface BotStateStore {
  read(key: string): Promise<unknown>;
  /** Several keys in one round trip (absent keys are missing from the map); optional. */
  readMany?(keys: string[]): Promise<Map<string, unknown>>;
  write(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

/** grammY session storage over a state store (keys `s:<session key>`). */
export function sessionStorage<T>(store: BotStateStore): StorageAdapter<T> {
  return {
    read: async (key) => (await store.read(`s:${key}`)) as T | undefined,
    write: (key, value) => store.write(`s:${key}`, value),
    delete: (key) => store.delete(`s:${key}`),
  };
}

/** @grammyjs/conversations storage over a state store (keys `c:<chat id>`). */
export function conversationStorage<S>(store: BotStateStore): VersionedStateStorage<string, S> {
  return {
    read: async (key) => (await store.read(`c:${key}`)) as Awaited<ReturnType<VersionedStateStorage<string, S>['read']>>,
    write: (key, value) => store.write(`c:${key}`, value),
    delete: (key) => store.delete(`c:${key}`),
  };
}

/** An in-process store (unit tests, a throw-away bot); production uses PostgreSQL. */
export function memoryStateStore(): BotStateStore & { size(): number } {
  const map = new Map<string, string>();
  return {
    read: async (key) => (map.has(key) ? JSON.parse(map.get(key)!) : undefined),
    readMany: async (keys) => new Map(keys.filter((k) => map.has(k)).map((k) => [k, JSON.parse(map.get(k)!)])),
    write: async (key, value) => void map.set(key, JSON.stringify(value)),
    delete: async (key) => void map.delete(key),
    size: () => map.size,
  };
}
