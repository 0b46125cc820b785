import { InlineKeyboard } from 'grammy';
import { AdminMeDocument, SetAdminLanguageDocument } from './graphql/generated';
import { allowed } from './access';
import type { AdminContext } from './context';
import type { Feature } from './feature';
import { cb, screen } from './ui';

/** Sections of the main menu, in order, with the role check word. */
export const MENU_SECTIONS = ['dash', 'pay', 'cust', 'tkt', 'srv', 'plans', 'codes', 'bc', 'set', 'fail', 'lang'] as const;

export async function showMainMenu(ctx: AdminContext, noticeId?: string): Promise<void> {
  const kb = new InlineKeyboard();
  let inRow = 0;
  for (const s of MENU_SECTIONS) {
    if (!allowed(ctx.staff.role, s)) continue;
    kb.text(ctx.t(`menu-${s}`), cb.open(s));
    if (++inRow % 2 === 0) kb.row();
  }
  const head = ctx.t('menu-title', { name: ctx.staff.name, role: ctx.t(`role-${ctx.staff.role.toLowerCase()}`) });
  await screen(ctx, noticeId ? `${ctx.t(noticeId)}\n\n${head}` : head, kb);
}

async function toggleLanguage(ctx: AdminContext): Promise<void> {
  const next = (ctx.session.lang ?? 'fa') === 'fa' ? 'EN' : 'FA';
  await ctx.staff.api.request(SetAdminLanguageDocument, { language: next });
  ctx.session.lang = next === 'EN' ? 'en' : 'fa';
  await ctx.i18n.renegotiateLocale();
  await showMainMenu(ctx, 'menu-language-set');
}

/** Main menu, /start, /menu, /language. */
export const menuFeature: Feature = {
  opens: { menu: (ctx) => showMainMenu(ctx), lang: toggleLanguage },
  commands: { start: 'menu', menu: 'menu', language: 'lang' },
};

/** Who is this Telegram user to the API: role and language, or null (not an active admin). */
export async function whoIs(ctx: AdminContext): Promise<{ role: 'ADMIN' | 'SUPPORT'; language: 'FA' | 'EN'; name: string } | null> {
  const me = await ctx.staff.api.request(AdminMeDocument, {});
  if (!me.myAdmin) return null;
  return { role: me.myAdmin.role, language: me.myAdmin.language, name: me.myAdmin.displayName ?? String(me.myAdmin.telegramId) };
}
