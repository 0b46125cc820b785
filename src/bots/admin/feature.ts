import type { Message } from 'grammy/types';
import type { AdminContext, Pending } from './context';

type Handler = (ctx: AdminContext) => Promise<void>;

/**
 * One feature of the admin bot. The bot routes every press and typed value through these tables
 * after one role check per feature word, so a button, a command and a replayed callback are
 * checked alike (see access.ts).
 */
export interface Feature {
  /** Sections it opens (`ao:<word>`), also reachable by `/command` through `commands`. */
  opens?: Record<string, Handler>;
  /** Actions on a row (`ad:<word>:<id>`). */
  acts?: Record<string, (ctx: AdminContext, id: string) => Promise<void>>;
  /** Actions on a numbered item (`an:<word>:<n>`). */
  nums?: Record<string, (ctx: AdminContext, n: number) => Promise<void>>;
  /** Typed commands → section words. */
  commands?: Record<string, string>;
  /** What to do with a message while a pending value of this kind is awaited. */
  inputs?: Partial<Record<Pending['kind'], (ctx: AdminContext, message: Message) => Promise<void>>>;
  /** Flow buttons (`as:<word>`) while a pending value of this kind is awaited. */
  steps?: Partial<Record<Pending['kind'], (ctx: AdminContext, word: string) => Promise<void>>>;
}

/** The feature word of a pending value (for the role check of typed input and flow buttons). */
export const PENDING_FEATURE: Record<Pending['kind'], string> = {
  search: 'search',
  'reject-reason': 'rr',
  'wallet-amount': 'wal',
  'wallet-reason': 'wal',
  'wallet-confirm': 'wal',
  grant: 'grant',
  message: 'msg',
  'extend-days': 'subext',
  'move-target': 'submv',
  'move-confirm': 'submv',
  server: 'srvadd',
  'broadcast-text': 'bc',
  'broadcast-audience': 'bc',
  'broadcast-confirm': 'bc',
  setting: 'set',
  'ticket-reply': 'tkr',
  plan: 'pladd',
  'plan-edit': 'pled',
  code: 'cdadd',
};
