import { InlineKeyboard } from 'grammy';
import { encodeCallback } from '../../notifications/callback-data';
import { escapeHtml, showScreen, withNavigation, type BotLanguage } from '../common';
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
