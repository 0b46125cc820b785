import { Composer, InlineKeyboard, InputFile } from 'grammy';
import QRCode from 'qrcode';
import { callbackPattern, encodeCallback } from '../../notifications/callback-data';
import { formatDate, formatPlainNumber, isNotModified, showScreen, withNavigation } from '../common';
import type { ShopContext } from './context';
import { MySubscriptionsDocument, SubscriptionDocument } from './graphql/generated';
import type { Tr } from './texts';
import { statusText, subscriptionDetail } from './views';

/** Subscriptions per page in "My subscriptions". */
export const SUBS_PAGE_SIZE = 5;

const tr = (ctx: ShopContext): Tr => (id, v) => ctx.t(id, v);

/** "My subscriptions": a page of the list (one request), each a button to its detail. */
export async function showSubscriptions(ctx: ShopContext, page = 0): Promise<void> {
  const { subscriptions } = await ctx.shop.api.request(MySubscriptionsDocument);
  const lang = ctx.shop.lang;
  if (subscriptions.length === 0) {
    return showScreen(ctx, ctx.t('subs-empty'), withNavigation(tr(ctx), new InlineKeyboard().text(ctx.t('menu-buy'), encodeCallback('shopSection', 'buy')).text(ctx.t('menu-trial'), encodeCallback('shopSection', 'trial'))));
  }
  const pages = Math.ceil(subscriptions.length / SUBS_PAGE_SIZE);
  const p = Math.min(Math.max(0, page), pages - 1);
  const kb = new InlineKeyboard();
  for (const s of subscriptions.slice(p * SUBS_PAGE_SIZE, (p + 1) * SUBS_PAGE_SIZE)) {
    const title = lang === 'fa' ? s.plan.titleFa : s.plan.titleEn;
    const expiry = s.expiresAt ? formatDate(s.expiresAt, lang) : ctx.t('sub-no-expiry');
    kb.text(ctx.t('subs-item', { status: statusText(tr(ctx), s.status).split(' ')[0], title, expiry }).slice(0, 100), encodeCallback('subscriptionOpen', s.id)).row();
  }
  if (p > 0) kb.text(ctx.t('subs-prev'), encodeCallback('shopSubsPage', p - 1));
  if (p < pages - 1) kb.text(ctx.t('subs-next'), encodeCallback('shopSubsPage', p + 1));
  await showScreen(ctx, ctx.t('subs-title', { page: formatPlainNumber(p + 1, lang), pages: formatPlainNumber(pages, lang) }), withNavigation(tr(ctx), kb));
}

function detailKeyboard(ctx: ShopContext, id: string, isTrial: boolean): InlineKeyboard {
  const kb = new InlineKeyboard();
  if (!isTrial) kb.text(ctx.t('sub-renew'), encodeCallback('subscriptionRenew', id)).text(ctx.t('sub-addtr'), encodeCallback('subscriptionAddTraffic', id)).row();
  kb.text(ctx.t('sub-refresh'), encodeCallback('shopSubRefresh', id));
  return withNavigation(tr(ctx), kb, encodeCallback('shopSubsPage', 0));
}

/** A subscription's detail (edits the list message) and a QR photo of its URL; Refresh edits only. */
async function showSubscription(ctx: ShopContext, id: string, withQr: boolean): Promise<void> {
  const { subscription: s } = await ctx.shop.api.request(SubscriptionDocument, { id });
  if (!s) return showScreen(ctx, ctx.t('error-subscription-not-found'), withNavigation(tr(ctx), undefined, encodeCallback('shopSubsPage', 0)));
  const html = subscriptionDetail(tr(ctx), s, ctx.shop.lang);
  if (!withQr && ctx.callbackQuery?.message && 'text' in ctx.callbackQuery.message) {
    try {
      await ctx.editMessageText(html, { parse_mode: 'HTML', reply_markup: detailKeyboard(ctx, s.id, s.isTrial), link_preview_options: { is_disabled: true } });
      await ctx.answerCallbackQuery();
    } catch (err) {
      if (!isNotModified(err)) throw err;
      await ctx.answerCallbackQuery({ text: ctx.t('sub-refreshed') });
    }
    return;
  }
  await showScreen(ctx, html, detailKeyboard(ctx, s.id, s.isTrial));
  if (withQr) {
    const qr = await QRCode.toBuffer(s.subscriptionUrl, { type: 'png', width: 512, margin: 2, errorCorrectionLevel: 'M' });
    await ctx.replyWithPhoto(new InputFile(qr, 'subscription-qr.png'), { caption: ctx.t('sub-qr-caption') });
  }
}

export function subscriptionsFeature(): Composer<ShopContext> {
  const c = new Composer<ShopContext>();
  c.callbackQuery(callbackPattern('shopSubsPage'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showSubscriptions(ctx, Number(ctx.match[1]));
  });
  c.callbackQuery(callbackPattern('subscriptionOpen'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await showSubscription(ctx, ctx.match[1], true);
  });
  c.callbackQuery(callbackPattern('shopSubRefresh'), (ctx) => showSubscription(ctx, ctx.match[1], false));
  c.command('subs', (ctx) => showSubscriptions(ctx));
  return c;
}
