import { createBotTexts, localesDir, type BotTexts } from '../common';
import type { AdminContext } from './context';

/** The admin bot's texts: common (navigation, errors) plus ./locales/{fa,en}/*.ftl, one file per feature. */
export const ADMIN_LOCALES_DIR = localesDir(__dirname);

export type AdminTexts = BotTexts<AdminContext>;

export function createAdminTexts(): AdminTexts {
  return createBotTexts<AdminContext>([ADMIN_LOCALES_DIR], (ctx) => ctx.session?.lang ?? 'fa');
}
