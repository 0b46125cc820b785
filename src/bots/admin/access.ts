import type { StaffRole } from './context';

/**
 * What each role may open, by the feature words the bot's buttons and commands carry. The API
 * enforces the same (and more); the bot checks first so a SUPPORT admin is told politely, by a
 * button, a typed command or a replayed callback alike.
 */
const SUPPORT_FEATURES = new Set(['menu', 'lang', 'dash', 'dashr', 'pay', 'payq', 'rcpt', 'cust', 'search', 'prof', 'ban', 'unban', 'msg', 'rr', 'tkt', 'tk', 'tkr', 'tkc']);

/** Whether `role` may use the feature `word`. ADMIN may use everything. */
export function allowed(role: StaffRole, word: string): boolean {
  if (role === 'ADMIN') return true;
  return SUPPORT_FEATURES.has(word.replace(/\d+$/, ''));
}
