import type { BotStateStore } from './state-store';

/**
 * Fewer round trips to the state store per update, same stored layout (`s:<chat>` session,
 * `c:<chat>` conversation state):
 *
 * - the session read that starts every update also fetches the chat's conversation state in the
 *   same statement (when the store has `readMany`), and the conversations plugin's read right
 *   after it is served from that;
 * - the session write that ends every update is skipped when the session is unchanged since it
 *   was read (grammY writes back every session it read), and so is an empty session of a chat that
 *   had none stored: the bots' sessions start empty (`initial: {}` in useBotBasics), so nothing
 *   stored and `{}` read the same.
 *
 * Safe because one chat's updates run one after another (per-chat order is the first middleware)
 * and each update reads the session before anything else: what is kept here lives from the start
 * of one update of a chat to its end. Entries of updates that ended by throwing (grammY then does
 * not write the session) are replaced by the chat's next update, and at most `maxEntries` are kept.
 */
/** The session every chat starts with (useBotBasics' `initial`), as JSON. */
const EMPTY_SESSION = '{}';

export function chatStateCache(store: BotStateStore, maxEntries = 10_000): BotStateStore {
  /** Per chat: the session as read (JSON) and, when prefetched, the conversation state. */
  const chats = new Map<string, { session: string | undefined; conversation?: { value: unknown } }>();
  const remember = (chat: string, entry: { session: string | undefined; conversation?: { value: unknown } }) => {
    chats.delete(chat);
    if (chats.size >= maxEntries) chats.delete(chats.keys().next().value!);
    chats.set(chat, entry);
  };
  return {
    async read(key) {
      if (key.startsWith('s:')) {
        const chat = key.slice(2);
        let session: unknown;
        let conversation: { value: unknown } | undefined;
        if (store.readMany) {
          const both = await store.readMany([key, `c:${chat}`]);
          session = both.get(key);
          conversation = { value: both.get(`c:${chat}`) };
        } else {
          session = await store.read(key);
        }
        remember(chat, { session: session === undefined ? undefined : JSON.stringify(session), conversation });
        return session;
      }
      if (key.startsWith('c:')) {
        const entry = chats.get(key.slice(2));
        const prefetched = entry?.conversation;
        if (entry && prefetched) {
          entry.conversation = undefined;
          return prefetched.value;
        }
      }
      return store.read(key);
    },
    readMany: store.readMany ? (keys) => store.readMany!(keys) : undefined,
    async write(key, value) {
      if (key.startsWith('s:')) {
        const entry = chats.get(key.slice(2));
        chats.delete(key.slice(2));
        const json = JSON.stringify(value);
        if (entry && (entry.session === json || (entry.session === undefined && json === EMPTY_SESSION))) return;
      } else if (key.startsWith('c:')) {
        const entry = chats.get(key.slice(2));
        if (entry) entry.conversation = undefined;
      }
      await store.write(key, value);
    },
    async delete(key) {
      if (key.startsWith('s:')) chats.delete(key.slice(2));
      else if (key.startsWith('c:')) {
        const entry = chats.get(key.slice(2));
        if (entry) entry.conversation = undefined;
      }
      await store.delete(key);
    },
  };
}
