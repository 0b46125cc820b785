import { randomUUID } from 'node:crypto';
import { Composer, InlineKeyboard, type Context } from 'grammy';
import { createConversation, type Conversation } from '@grammyjs/conversations';
import { callbackPattern, decodeCallback, encodeCallback } from '../../notifications/callback-data';
import { escapeHtml, formatDateTime, formatPayableDigits, formatPlainNumber, MAIN_MENU_DATA, normalizeDigits, showScreen, withNavigation, type BotLanguage } from '../common';
import type { ShopContext } from './context';
import { errorTextOf, outcome, type FlowArgs, type ShopDeps } from './deps';
import {
  CancelOrderDocument,
  CreateOrderDocument,
  OpenOrdersDocument,
  PlansDocument,
  QuoteDocument,
  SubmitReceiptDocument,
  SubscriptionDocument,
  type OrderFieldsFragment,
  type OrderKind,
} from './graphql/generated';
import { downloadTelegramFile, uploadReceipt } from './receipts';
import { translator, type Tr } from './texts';
import { money, planButton, planDetail, titleOf } from './views';

type Convo = Conversation<ShopContext, Context>;

/** What the Buy conversation is entered with. */
export interface BuyArgs extends FlowArgs {
  kind: Extract<OrderKind, 'NEW' | 'RENEW' | 'ADD_TRAFFIC'>;
  planId: string;
  subscriptionId?: string;
}

const flow = (step: string) => encodeCallback('shopFlow', step);
/** The flow step a button press names, or null. */
function stepOf(ctx: Context): string | null {
  const d = decodeCallback(ctx.callbackQuery?.data);
  return d?.name === 'shopFlow' ? d.args[0] : null;
}

function cancelRow(t: Tr, cancelStep = 'cancel'): InlineKeyboard {
  return new InlineKeyboard().text(t('nav-cancel'), flow(cancelStep)).text(t('nav-main-menu'), MAIN_MENU_DATA);
}

/** HTML message with link previews off. */
async function say(ctx: Context, html: string, keyboard?: InlineKeyboard): Promise<void> {
  await ctx.reply(html, { parse_mode: 'HTML', reply_markup: keyboard, link_preview_options: { is_disabled: true } });
}

/** The plan list (Buy). One request: the catalogue. */
export async function showPlans(ctx: ShopContext): Promise<void> {
  const { plans } = await ctx.shop.api.request(PlansDocument);
  const lang = ctx.shop.lang;
  const t: Tr = (id, v) => ctx.t(id, v);
  if (plans.length === 0) return showScreen(ctx, ctx.t('buy-no-plans'), withNavigation(t));
  const kb = new InlineKeyboard();
  for (const p of plans) kb.text(planButton(t, p, lang), encodeCallback('shopPlan', p.id)).row();
  await showScreen(ctx, ctx.t('buy-plans-title'), withNavigation(t, kb));
}

/**
 * The card-to-card part every purchase and top-up shares: card, holder, the exact amount and the
 * deadline; "I have paid" → the receipt photo (largest size; an optional tracking code as caption)
 * → downloaded from Telegram, uploaded to the API, submitted → "under review". Text, stickers and
 * documents get a clear hint; a closed payment ends the flow with a way back.
 */
async function cardPayment(conversation: Convo, first: Context, deps: ShopDeps, t: Tr, lang: BotLanguage, order: OrderFieldsFragment): Promise<void> {
  const p = order.payment!;
  const payable = p.payableAmount ?? order.amountDue;
  await say(
    first,
    t('buy-card-instructions', {
      number: formatPlainNumber(order.number, lang),
      amount: money(payable, lang),
      card: escapeHtml(p.cardNumber ?? '—'),
      holder: escapeHtml(p.cardHolder ?? '—'),
      digits: formatPayableDigits(payable),
      deadline: p.expiresAt ? formatDateTime(p.expiresAt, lang) : '—',
    }),
    new InlineKeyboard().text(t('buy-paid'), flow('paid')).row().text(t('buy-cancel-order'), flow('cancel')).text(t('nav-main-menu'), MAIN_MENU_DATA),
  );
  const api = deps.gql.forUser(first.from!.id);
  for (;;) {
    const ctx = await conversation.wait();
    const step = stepOf(ctx);
    if (ctx.callbackQuery) await ctx.answerCallbackQuery();
    if (step === 'cancel') {
      const r = await conversation.external(() => outcome(() => api.request(CancelOrderDocument, { id: order.id })));
      if (r.ok) await say(ctx, t('buy-order-cancelled', { number: formatPlainNumber(order.number, lang) }), withNavigation(t));
      else await say(ctx, `${errorTextOf(deps.texts, t, r.code)}\n${t('buy-payment-closed')}`, withNavigation(t));
      return;
    }
    if (step === 'paid') {
      await say(ctx, t('buy-send-receipt'), new InlineKeyboard().text(t('buy-cancel-order'), flow('cancel')).text(t('nav-main-menu'), MAIN_MENU_DATA));
      continue;
    }
    const photos = ctx.message?.photo;
    if (photos && photos.length > 0) {
      const largest = photos[photos.length - 1];
      const file = await ctx.api.getFile(largest.file_id);
      const caption = ctx.message?.caption ? normalizeDigits(ctx.message.caption).slice(0, 64) : null;
      const r = await conversation.external(() =>
        outcome(async () => {
          const bytes = await downloadTelegramFile(deps.apiRoot, deps.token, file.file_path ?? '');
          const receiptId = await uploadReceipt(deps.apiUrl, deps.apiKey, first.from!.id, bytes);
          await api.request(SubmitReceiptDocument, { paymentId: p.id, receiptId, trackingCode: caption && /^[A-Za-z0-9-]{4,64}$/.test(caption) ? caption : null });
          return true;
        }),
      );
      if (r.ok) {
        await say(ctx, t('buy-receipt-received', { number: formatPlainNumber(order.number, lang) }), withNavigation(t));
        return;
      }
      if (['PAYMENT_EXPIRED', 'PAYMENT_NOT_SUBMITTABLE', 'PAYMENT_ALREADY_REVIEWED', 'ORDER_NOT_FOUND', 'PAYMENT_NOT_FOUND'].includes(r.code)) {
        await say(ctx, `${errorTextOf(deps.texts, t, r.code)}\n${t('buy-payment-closed')}`, withNavigation(t));
        return;
      }
      await say(ctx, errorTextOf(deps.texts, t, r.code), new InlineKeyboard().text(t('buy-cancel-order'), flow('cancel')).text(t('nav-main-menu'), MAIN_MENU_DATA));
      continue;
    }
    if (ctx.message?.document) await say(ctx, t('buy-receipt-document'));
    else if (ctx.message) await say(ctx, t('buy-receipt-not-photo'));
    else if (ctx.callbackQuery) await say(ctx, t('buy-use-buttons'));
  }
}

/** Creates an order once (the idempotency key is drawn once and replayed). */
async function placeOrder(conversation: Convo, deps: ShopDeps, userId: number, input: Parameters<typeof CreateOrderDocument.__apiType & object>[0]['input']) {
  const key = await conversation.external(() => randomUUID());
  const api = deps.gql.forUser(userId);
  return conversation.external(() => outcome(async () => (await api.request(CreateOrderDocument, { input, key })).createOrder));
}

/** The Buy conversation: plan detail → discount code → payment method → wallet or card-to-card. */
export function buyConversation(deps: ShopDeps) {
  return async function buy(conversation: Convo, ctx0: Context, args: BuyArgs): Promise<void> {
    const t = translator(deps.texts, args.lang);
    const lang = args.lang;
    const userId = ctx0.from!.id;
    const api = deps.gql.forUser(userId);
    const planR = await conversation.external(() => outcome(async () => (await api.request(PlansDocument)).plans.find((p) => p.id === args.planId) ?? null));
    if (!planR.ok) return say(ctx0, errorTextOf(deps.texts, t, planR.code), withNavigation(t));
    let subTitle: string | null = null;
    if (args.subscriptionId) {
      const s = await conversation.external(() => outcome(async () => (await api.request(SubscriptionDocument, { id: args.subscriptionId! })).subscription));
      if (!s.ok || !s.value) return say(ctx0, errorTextOf(deps.texts, t, s.ok ? 'SUBSCRIPTION_NOT_FOUND' : s.code), withNavigation(t));
      subTitle = titleOf(s.value.plan, lang);
    }
    const plan = planR.value;
    if (!plan) return say(ctx0, t('error-plan-not-purchasable'), withNavigation(t, undefined, encodeCallback('shopSection', 'buy')));
    const head = [args.kind === 'RENEW' ? t('buy-kind-renew', { title: subTitle ?? '' }) : args.kind === 'ADD_TRAFFIC' ? t('buy-kind-addtr', { title: subTitle ?? '' }) : null, planDetail(t, plan, lang)].filter(Boolean).join('\n\n');
    await say(ctx0, `${head}\n\n${t('buy-discount-ask')}`, new InlineKeyboard().text(t('buy-discount-skip'), flow('skip')).row().text(t('nav-cancel'), flow('cancel')).text(t('nav-main-menu'), MAIN_MENU_DATA));

    const quoteInput = { kind: args.kind, planId: plan.id, subscriptionId: args.subscriptionId ?? null };
    let code: string | null = null;
    let quote: { price: number; discount: number; amountDue: number; discountCode: string | null; walletBalance: number } | null = null;
    let ctx: Context = ctx0;
    while (!quote) {
      ctx = await conversation.wait();
      const step = stepOf(ctx);
      if (ctx.callbackQuery) await ctx.answerCallbackQuery();
      if (step === 'cancel') return say(ctx, t('nav-cancelled'), withNavigation(t));
      let candidate: string | null | undefined;
      if (step === 'skip') candidate = null;
      else if (ctx.message?.text) candidate = ctx.message.text.trim().slice(0, 32);
      else {
        await say(ctx, ctx.message ? t('buy-discount-bad-text') : t('buy-use-buttons'));
        continue;
      }
      const q = await conversation.external(() => outcome(async () => (await api.request(QuoteDocument, { input: { ...quoteInput, discountCode: candidate } })).orderQuote));
      if (q.ok) {
        quote = q.value;
        code = candidate;
        if (code) await say(ctx, t('buy-discount-applied', { code: escapeHtml(q.value.discountCode ?? code), discount: money(q.value.discount, lang) }));
      } else if (candidate && (q.code === 'DISCOUNT_CODE_INVALID' || q.code === 'DISCOUNT_CODE_EXHAUSTED' || q.code === 'BAD_USER_INPUT')) {
        await say(ctx, `${errorTextOf(deps.texts, t, q.code)}\n${t('buy-discount-retry')}`, new InlineKeyboard().text(t('buy-discount-skip'), flow('skip')).row().text(t('nav-cancel'), flow('cancel')).text(t('nav-main-menu'), MAIN_MENU_DATA));
      } else {
        return say(ctx, errorTextOf(deps.texts, t, q.code), withNavigation(t));
      }
    }

    const methods = new InlineKeyboard();
    if (quote.walletBalance >= quote.amountDue) methods.text(t('buy-pay-wallet'), flow('wallet')).row();
    if (quote.amountDue > 0) methods.text(t('buy-pay-card'), flow('card')).row();
    methods.text(t('nav-cancel'), flow('cancel')).text(t('nav-main-menu'), MAIN_MENU_DATA);
    await say(
      ctx,
      t('buy-summary', { title: titleOf(plan, lang), price: money(quote.price, lang), discount: money(quote.discount, lang), due: money(quote.amountDue, lang), balance: money(quote.walletBalance, lang) }),
      methods,
    );
    for (;;) {
      ctx = await conversation.wait();
      const step = stepOf(ctx);
      if (ctx.callbackQuery) await ctx.answerCallbackQuery();
      if (step === 'cancel') return say(ctx, t('nav-cancelled'), withNavigation(t));
      if (step !== 'wallet' && step !== 'card') {
        await say(ctx, t('buy-use-buttons'));
        continue;
      }
      const method = step === 'wallet' ? 'WALLET' : 'CARD_TO_CARD';
      const r = await placeOrder(conversation, deps, userId, { ...quoteInput, discountCode: code, paymentMethod: method });
      if (!r.ok) return say(ctx, errorTextOf(deps.texts, t, r.code), withNavigation(t));
      if (r.value.status !== 'PENDING_PAYMENT') return say(ctx, t('buy-wallet-done', { number: formatPlainNumber(r.value.number, lang) }), withNavigation(t));
      return cardPayment(conversation, ctx, deps, t, lang, r.value);
    }
  };
}

/** Wallet top-up: the amount, then the same card-to-card receipt flow. */
export function topUpConversation(deps: ShopDeps) {
  return async function topup(conversation: Convo, ctx0: Context, args: FlowArgs & { min: number; max: number }): Promise<void> {
    const t = translator(deps.texts, args.lang);
    const lang = args.lang;
    const bounds = { min: money(args.min, lang), max: money(args.max, lang), example: formatPlainNumber(200000, lang) };
    await say(ctx0, t('topup-ask-amount', bounds), cancelRow(t));
    for (;;) {
      const ctx = await conversation.wait();
      if (ctx.callbackQuery) await ctx.answerCallbackQuery();
      if (stepOf(ctx) === 'cancel') return say(ctx, t('nav-cancelled'), withNavigation(t));
      const text = ctx.message?.text ? normalizeDigits(ctx.message.text) : '';
      const amount = /^\d{1,12}$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(amount) || amount < args.min || amount > args.max) {
        await say(ctx, t('topup-bad-amount', bounds), cancelRow(t));
        continue;
      }
      const r = await placeOrder(conversation, deps, ctx0.from!.id, { kind: 'TOP_UP', amount, paymentMethod: 'CARD_TO_CARD' });
      if (!r.ok) return say(ctx, errorTextOf(deps.texts, t, r.code), withNavigation(t));
      return cardPayment(conversation, ctx, deps, t, lang, r.value);
    }
  };
}

/**
 * A receipt photo outside any flow (the user left the flow, or the state was lost): it goes to the
 * latest card payment still waiting for one; otherwise the user is told nothing is waiting.
 */
export async function receiptOutsideFlow(ctx: ShopContext, deps: ShopDeps): Promise<boolean> {
  const photos = ctx.message?.photo;
  if (!photos?.length) return false;
  const { orders } = await ctx.shop.api.request(OpenOrdersDocument);
  const order = orders.nodes.find((o) => o.paymentMethod === 'CARD_TO_CARD' && o.payment?.status === 'PENDING');
  if (!order) {
    await ctx.reply(ctx.t('buy-payment-closed'), { reply_markup: withNavigation((id, v) => ctx.t(id, v)) });
    return true;
  }
  const file = await ctx.api.getFile(photos[photos.length - 1].file_id);
  const bytes = await downloadTelegramFile(deps.apiRoot, deps.token, file.file_path ?? '');
  const receiptId = await uploadReceipt(deps.apiUrl, deps.apiKey, ctx.from!.id, bytes);
  await ctx.shop.api.request(SubmitReceiptDocument, { paymentId: order.payment!.id, receiptId, trackingCode: null });
  await ctx.reply(ctx.t('buy-receipt-received', { number: formatPlainNumber(order.number, ctx.shop.lang) }), { reply_markup: withNavigation((id, v) => ctx.t(id, v)) });
  return true;
}

/** Entry points into Buy: a plan from the list, a deep link, Renew and Add traffic (also from notifications). */
export function buyFeature(deps: ShopDeps): Composer<ShopContext> {
  const c = new Composer<ShopContext>();
  c.use(createConversation(buyConversation(deps), { id: 'buy' }));
  c.use(createConversation(topUpConversation(deps), { id: 'topup' }));

  c.callbackQuery(callbackPattern('shopPlan'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter('buy', { lang: ctx.shop.lang, kind: 'NEW', planId: ctx.match[1] } satisfies BuyArgs);
  });
  const renewOrAdd = (kind: 'RENEW' | 'ADD_TRAFFIC') => async (ctx: ShopContext) => {
    await ctx.answerCallbackQuery();
    const id = (ctx.match as RegExpMatchArray)[1];
    const { subscription } = await ctx.shop.api.request(SubscriptionDocument, { id });
    if (!subscription) return void (await showScreen(ctx, ctx.t('error-subscription-not-found'), withNavigation((id, v) => ctx.t(id, v))));
    if (subscription.isTrial) {
      await ctx.reply(ctx.t('sub-trial-not-renewable'), { reply_markup: withNavigation((id, v) => ctx.t(id, v), undefined, encodeCallback('shopSection', 'buy')) });
      return;
    }
    await ctx.conversation.enter('buy', { lang: ctx.shop.lang, kind, planId: subscription.plan.id, subscriptionId: subscription.id } satisfies BuyArgs);
  };
  c.callbackQuery(callbackPattern('subscriptionRenew'), renewOrAdd('RENEW'));
  c.callbackQuery(callbackPattern('subscriptionAddTraffic'), renewOrAdd('ADD_TRAFFIC'));
  c.callbackQuery(callbackPattern('shopTopUp'), async (ctx) => {
    await ctx.answerCallbackQuery();
    const info = await deps.shopInfo(ctx.shop.api);
    await ctx.conversation.enter('topup', { lang: ctx.shop.lang, min: info.topUpMin, max: info.topUpMax });
  });
  return c;
}

/** Opens a plan by its code (a /start deep link), or the plan list when it is not on sale. */
export async function openPlanByCode(ctx: ShopContext, code: string): Promise<void> {
  const { plans } = await ctx.shop.api.request(PlansDocument);
  const plan = plans.find((p) => p.code === code);
  if (!plan) return showPlans(ctx);
  await ctx.conversation.enter('buy', { lang: ctx.shop.lang, kind: 'NEW', planId: plan.id } satisfies BuyArgs);
}
