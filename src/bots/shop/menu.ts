import { InlineKeyboard, Keyboard } from 'grammy';
import { encodeCallback } from '../../notifications/callback-data';
import { BOT_LANGUAGES, type BotLanguage } from '../common';
import type { ShopTexts } from './texts';

/** The main-menu buttons (reply keyboard), in order. */
export const MENU_ITEMS = ['buy', 'subs', 'trial', 'wallet', 'support', 'help', 'language'] as const;
export type MenuItem = (typeof MENU_ITEMS)[number];

/** The menu labels of a set of texts (fixed once loaded): each label's item, and the labels per language. */
const labelsOf = new WeakMap<ShopTexts, { items: Map<string, MenuItem>; byLang: Map<BotLanguage, Record<MenuItem, string>> }>();
function menuLabels(texts: ShopTexts) {
  let labels = labelsOf.get(texts);
  if (!labels) {
    labels = { items: new Map(), byLang: new Map() };
    for (const lang of BOT_LANGUAGES) {
      const byItem = {} as Record<MenuItem, string>;
      for (const item of MENU_ITEMS) {
        byItem[item] = texts.t(lang, `menu-${item}`);
        if (!labels.items.has(byItem[item])) labels.items.set(byItem[item], item);
      }
      labels.byLang.set(lang, byItem);
    }
    labelsOf.set(texts, labels);
  }
  return labels;
}

/** The main menu as a reply keyboard in one language. */
export function mainMenuKeyboard(texts: ShopTexts, lang: BotLanguage): Keyboard {
  const t = menuLabels(texts).byLang.get(lang)!;
  return new Keyboard().text(t.buy).text(t.subs).row().text(t.trial).text(t.wallet).row().text(t.support).text(t.help).row().text(t.language).resized().persistent();
}

/**
 * Which menu item a text is, in either language (a keyboard sent before a language switch keeps
 * its old labels), or null. Every message asks this, so the labels are looked up, not translated.
 */
export function menuItemOf(texts: ShopTexts, text: string | undefined): MenuItem | null {
  if (!text) return null;
  return menuLabels(texts).items.get(text) ?? null;
}

/** Language choice buttons (both labels in their own language). */
export function languageKeyboard(texts: ShopTexts): InlineKeyboard {
  return new InlineKeyboard().text(texts.t('fa', 'lang-fa'), encodeCallback('shopLanguage', 'fa')).text(texts.t('en', 'lang-en'), encodeCallback('shopLanguage', 'en'));
}
