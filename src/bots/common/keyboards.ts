import { InlineKeyboard } from 'grammy';
import { encodeCallback } from '../../notifications/callback-data';

/** Translates a message id in the current user's language (ctx.t of @grammyjs/i18n). */
export type Translate = (id: string, vars?: Record<string, string | number>) => string;

/** The "Main menu" button's callback data; a bot answers it anywhere (it also ends a flow). */
export const MAIN_MENU_DATA = encodeCallback('menuMain');

/**
 * Adds the navigation row every inline screen ends with: « Back (when the screen has a parent,
 * given as that screen's callback data) and 🏠 Main menu.
 */
export function withNavigation(t: Translate, keyboard: InlineKeyboard = new InlineKeyboard(), backData?: string): InlineKeyboard {
  if (keyboard.inline_keyboard.length > 0 && keyboard.inline_keyboard[keyboard.inline_keyboard.length - 1].length > 0) keyboard.row();
  if (backData) keyboard.text(t('nav-back'), backData);
  return keyboard.text(t('nav-main-menu'), MAIN_MENU_DATA);
}

/** A flow step's keyboard: ✖️ Cancel and 🏠 Main menu (both leave the flow without changing anything). */
export function cancelKeyboard(t: Translate, cancelData: string = MAIN_MENU_DATA): InlineKeyboard {
  return new InlineKeyboard().text(t('nav-cancel'), cancelData).text(t('nav-main-menu'), MAIN_MENU_DATA);
}
