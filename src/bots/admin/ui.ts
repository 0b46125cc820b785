import { InlineKeyboard } from 'grammy';
import { encodeCallback } from '../../notifications/callback-data';
import { BotApiError, escapeHtml, normalizeDigits, showScreen, withNavigation, type BotLanguage } from '../common';
import type { AdminContext } from './context';

/** Callback data of the admin bot's buttons. */
export const cb = {
  open: (word: string) => encodeCallback('adminOpen', word),
  act: (word: string, id: string) => encodeCallback('adminDo', word, id),
  num: (word: string, n: number) => encodeCallback('adminNum', word, n),
  step: (word: string) => encodeCallback('adminStep', word),
};

export function lang(ctx: AdminContext): BotLanguage {
  return ctx.session.lang ?? 'fa';
}

/** Escaped user/server text for HTML messages. */
export function esc(text: string | null | undefined): string {
  return escapeHtml(text ?? '—');
}

/** A screen with the Back (to `back`, a section word) and Main menu row. */
export async function screen(ctx: AdminContext, html: string, keyboard: InlineKeyboard = new InlineKeyboard(), back?: string): Promise<void> {
  await showScreen(ctx, html, withNavigation(ctx.t, keyboard, back ? cb.open(back) : undefined));
}

/** Asks for a typed value: a new message with Cancel. */
export async function ask(ctx: AdminContext, html: string, extra?: InlineKeyboard): Promise<void> {
  const kb = extra ?? new InlineKeyboard();
  if (kb.inline_keyboard.length > 0 && kb.inline_keyboard[kb.inline_keyboard.length - 1].length > 0) kb.row();
  kb.text(ctx.t('nav-cancel'), cb.step('cancel'));
  await ctx.reply(html, { parse_mode: 'HTML', reply_markup: kb, link_preview_options: { is_disabled: true } });
}

/** A customer as the admin bot names them. */
export function customerLabel(c: { username?: string | null; displayName?: string | null; telegramId?: number | null; id: string }): string {
  return c.username ? `@${c.username}` : c.displayName || (c.telegramId ? String(c.telegramId) : c.id.slice(0, 8));
}

/**
 * What to tell an admin when the API refuses a typed value, in words from the stable error code:
 * BAD_USER_INPUT on a field of `fields` (the API's `issues[].path`) gives that field and its text;
 * any other BAD_USER_INPUT the generic text; a code of `expected` its common `error-…` text.
 * Anything else is thrown again for the error boundary.
 */
export function inputProblem<F extends string>(err: unknown, fields: Record<string, F>, expected: readonly string[] = []): { field: F | null; code: string } {
  if (!(err instanceof BotApiError)) throw err;
  if (err.code === 'BAD_USER_INPUT') {
    const issues = Array.isArray(err.extensions.issues) ? (err.extensions.issues as Array<{ path?: unknown }>) : [];
    const path = issues.map((i) => String(i.path ?? '')).find((p) => p in fields);
    return { field: path ? fields[path] : null, code: err.code };
  }
  if (expected.includes(err.code)) return { field: null, code: err.code };
  throw err;
}

/** A whole number typed by an admin (Persian or Latin digits, thousands separators allowed); null if it is not one. */
export function parseWhole(text: string, max = 2_000_000_000): number | null {
  const digits = normalizeDigits(text.trim().replace(/[,٬\s]/g, ''));
  if (!/^\d{1,16}$/.test(digits)) return null;
  const n = Number(digits);
  return n <= max ? n : null;
}

/** Gigabytes typed by an admin (decimals allowed, 0 = unlimited) as bytes; null if it is not a number. */
export function parseGigabytes(text: string): number | null {
  const t = normalizeDigits(text.trim()).replace(/[٫/]/, '.');
  if (!/^\d{1,7}(\.\d{1,3})?$/.test(t)) return null;
  return Math.round(Number(t) * 1024 ** 3);
}
