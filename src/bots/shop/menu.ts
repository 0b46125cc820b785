import { InlineKeyboard, Keyboard } from 'grammy';
import { encodeCallback } from '../../notifications/callback-data';
import type { BotLanguage } from '../common';
import type { ShopTexts } from './texts';

/** The main-menu buttons (reply keyboard), in order. */
export const MENU_ITEMS = ['buy', 'subs', 'trial', 'wallet', 'support', 'help', 'language'] as const;
export type MenuItem = (typeof MENU_ITEMS)[number];

/** The main menu as a reply keyboard in one language. */
export function mainMenuKeyboard(texts: ShopTexts, lang: BotLanguage): Keyboard {
  const t = (item: MenuItem) => texts.t(lang, `menu-${item}`);
  return new Keyboard().text(t('buy')).text(t('subs')).row().text(t('trial')).text(t('wallet')).row().text(t('support')).text(t('help')).row().text(t('language')).resized().persistent();
}

/**
 * Which menu item a text is, in either language (a keyboard sent before a language switch keeps
 * its old labels), or null.
 */
export function menuItemOf(texts: ShopTexts, text: string | undefined): MenuItem | null {
  if (!text) return null;
  for (const item of MENU_ITEMS) {
    if (text === texts.t('fa', `menu-${item}`) || text === texts.t('en', `menu-${item}`)) return item;
  }
  return null;
}

/** Language choice buttons (both labels in their own language). */
export function languageKeyboard(texts: ShopTexts): InlineKeyboard {
  return new InlineKeyboard().text(texts.t('fa', 'lang-fa'), encodeCallback('shopLanguage', 'fa')).text(texts.t('en', 'lang-en'), encodeCallback('shopLanguage', 'en'));
}
