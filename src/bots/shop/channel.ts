import { GrammyError, InlineKeyboard, type MiddlewareFn } from 'grammy';
import { callbackPattern, encodeCallback } from '../../notifications/callback-data';
import { escapeHtml } from '../common';
import type { ShopContext } from './context';
import type { ShopDeps } from './deps';

const MEMBER = new Set(['creator', 'administrator', 'member', 'restricted']);

/** Whether the user is in the channel; a channel the bot cannot see (not an admin there) does not lock everyone out. */
async function isMember(ctx: ShopContext, channel: string, log: (msg: string) => void): Promise<boolean> {
  try {
    const m = await ctx.api.getChatMember(channel, ctx.from!.id);
    return MEMBER.has(m.status) && !(m.status === 'restricted' && 'is_member' in m && !m.is_member);
  } catch (err) {
    if (err instanceof GrammyError && err.error_code === 400 && /user not found|participant/i.test(err.description)) return false;
    log(`required channel cannot be checked: ${err instanceof Error ? err.message : String(err)}`);
    return true;
  }
}

/**
 * Required channel (setting `required_channel`): users who have not joined are asked to join, with
 * a "check again" button; the membership is remembered in the session and checked again on /start.
 */
export function requiredChannel(deps: ShopDeps, log: (msg: string) => void, showMenu: (ctx: ShopContext) => Promise<void>): MiddlewareFn<ShopContext> {
  return async (ctx, next) => {
    const isStart = ctx.message?.text?.startsWith('/start') ?? false;
    const isCheck = callbackPattern('shopJoinCheck').test(ctx.callbackQuery?.data ?? '');
    if (ctx.session.joined && !isStart && !isCheck) return next();
    // The language choice comes first (a new user cannot read the request yet).
    if (!ctx.session.lang || callbackPattern('shopLanguage').test(ctx.callbackQuery?.data ?? '')) return next();
    const info = await deps.shopInfo(ctx.shop.api);
    const channel = info.requiredChannel;
    if (!channel) return next();
    if (await isMember(ctx, channel, log)) {
      ctx.session.joined = true;
      if (isCheck) {
        await ctx.answerCallbackQuery();
        await ctx.deleteMessage().catch(() => undefined);
        return showMenu(ctx);
      }
      return next();
    }
    ctx.session.joined = false;
    if (isCheck) {
      await ctx.answerCallbackQuery({ text: ctx.t('join-not-yet'), show_alert: true });
      return;
    }
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t('join-not-yet') });
    const kb = new InlineKeyboard();
    const handle = channel.startsWith('@') ? channel.slice(1) : null;
    if (handle && /^[A-Za-z][A-Za-z0-9_]{3,}$/.test(handle)) kb.url(ctx.t('join-open'), `https://t.me/${handle}`).row();
    kb.text(ctx.t('join-check'), encodeCallback('shopJoinCheck'));
    await ctx.reply(ctx.t('join-required', { channel: escapeHtml(channel) }), { parse_mode: 'HTML', reply_markup: kb });
  };
}
