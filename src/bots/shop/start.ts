import { Composer } from 'grammy';
import { callbackPattern } from '../../notifications/callback-data';
import { toBotLanguage, type BotLanguage } from '../common';
import type { ShopContext } from './context';
import { RegisterDocument, SetLanguageDocument, type MeFragment } from './graphql/generated';
import { languageKeyboard, mainMenuKeyboard } from './menu';
import type { ShopTexts } from './texts';

/** `/start <payload>`: `p_<plan code>` opens that plan; anything else is a referral code. */
export function parseStartPayload(payload: string): { planCode?: string; referralCode?: string } {
  const p = payload.trim();
  const plan = /^p_([A-Za-z0-9_-]{1,62})$/.exec(p);
  if (plan) return { planCode: plan[1] };
  if (/^[A-Za-z0-9_-]{4,64}$/.test(p)) return { referralCode: p };
  return {};
}

/** Registers (or refreshes) the Telegram user through the API. */
export async function registerUser(ctx: ShopContext, referralCode?: string): Promise<MeFragment> {
  const from = ctx.from!;
  const displayName = [from.first_name, from.last_name].filter(Boolean).join(' ').slice(0, 100) || null;
  const { registerTelegramUser } = await ctx.shop.api.request(RegisterDocument, {
    input: { username: from.username ?? null, displayName, referralCode: referralCode ?? null },
  });
  // Kept only while true: a session says nothing it does not have to (an unchanged one is not written).
  if (registerTelegramUser.status === 'BANNED') ctx.session.banned = true;
  else delete ctx.session.banned;
  return registerTelegramUser;
}

/** Sends the main menu (reply keyboard) with a text id. */
export async function sendMainMenu(ctx: ShopContext, texts: ShopTexts, textId = 'menu-title'): Promise<void> {
  await ctx.reply(ctx.t(textId), { reply_markup: mainMenuKeyboard(texts, ctx.shop.lang) });
}

/** What the start feature needs from the rest of the bot. */
export interface StartHooks {
  /** Opens the Buy flow on a plan (deep link). */
  openPlan(ctx: ShopContext, planCode: string): Promise<void>;
}

/**
 * /start: registers the user (with a referral code from the link), asks the language the first
 * time, then shows the main menu (or the plan of a deep link). Banned users get one polite message.
 */
export function startFeature(texts: ShopTexts, hooks: StartHooks): Composer<ShopContext> {
  const c = new Composer<ShopContext>();

  c.command('start', async (ctx) => {
    await ctx.conversation.exitAll();
    const { planCode, referralCode } = parseStartPayload(typeof ctx.match === 'string' ? ctx.match : '');
    const me = await registerUser(ctx, referralCode);
    if (me.status === 'BANNED') {
      await ctx.reply(ctx.t('start-banned'), { reply_markup: { remove_keyboard: true } });
      return;
    }
    if (!ctx.session.lang) {
      ctx.session.pendingPlan = planCode;
      await ctx.reply(texts.t('fa', 'start-choose-language'), { reply_markup: languageKeyboard(texts) });
      return;
    }
    await sendMainMenu(ctx, texts, 'start-welcome');
    if (planCode) await hooks.openPlan(ctx, planCode);
  });

  c.callbackQuery(callbackPattern('shopLanguage'), async (ctx) => {
    const lang: BotLanguage = toBotLanguage(ctx.match[1]);
    await ctx.shop.api.request(SetLanguageDocument, { language: lang === 'en' ? 'EN' : 'FA' });
    const first = !ctx.session.lang;
    ctx.session.lang = lang;
    ctx.shop.lang = lang;
    ctx.i18n.useLocale(lang);
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => undefined);
    await sendMainMenu(ctx, texts, first ? 'start-welcome' : 'lang-changed');
    const plan = ctx.session.pendingPlan;
    if (plan) {
      ctx.session.pendingPlan = undefined;
      await hooks.openPlan(ctx, plan);
    }
  });

  return c;
}

/** The language screen (menu button and /language). */
export async function showLanguageChoice(ctx: ShopContext, texts: ShopTexts): Promise<void> {
  await ctx.reply(texts.t('fa', 'start-choose-language'), { reply_markup: languageKeyboard(texts) });
}
