import { createBotTexts, localesDir, type BotLanguage, type BotTexts } from '../common';
import type { ShopContext } from './context';

/** The shop bot's texts: common (navigation, errors) plus ./locales/{fa,en}.ftl. */
export const SHOP_LOCALES_DIR = localesDir(__dirname);

export type ShopTexts = BotTexts<ShopContext>;

export function createShopTexts(): ShopTexts {
  return createBotTexts<ShopContext>([SHOP_LOCALES_DIR], (ctx) => ctx.session?.lang ?? 'fa');
}

/** A translator bound to one language (conversations, notifications). */
export type Tr = (id: string, vars?: Record<string, string | number>) => string;

export function translator(texts: ShopTexts, lang: BotLanguage): Tr {
  return (id, vars) => texts.t(lang, id, vars);
}
