import { Composer, InlineKeyboard, type Context } from 'grammy';
import { createConversation, type Conversation } from '@grammyjs/conversations';
import { callbackPattern, decodeCallback, encodeCallback } from '../../notifications/callback-data';
import { escapeHtml, formatDateTime, MAIN_MENU_DATA, showScreen, withNavigation, type BotLanguage } from '../common';
import type { ShopContext } from './context';
import { errorTextOf, outcome, type FlowArgs, type ShopDeps } from './deps';
import { CloseTicketDocument, MyTicketsDocument, OpenTicketDocument, TicketDocument, WriteTicketDocument, type TicketThreadFragment } from './graphql/generated';
import { translator, type Tr } from './texts';

type Convo = Conversation<ShopContext, Context>;

const SUBJECT_MAX = 120;
const BODY_MAX = 4000;

function threadHtml(t: Tr, th: TicketThreadFragment, lang: BotLanguage): string {
  const lines = [t('ticket-thread', { subject: escapeHtml(th.subject), status: t(`ticket-status-${th.status.toLowerCase()}`) })];
  let size = lines[0].length;
  const shown: string[] = [];
  for (const m of [...th.messages].reverse()) {
    const head = t(m.author === 'CUSTOMER' ? 'ticket-from-me' : 'ticket-from-support', { date: formatDateTime(m.createdAt, lang) });
    const block = `\n<b>${head}</b>\n${escapeHtml(m.body.length > 1500 ? `${m.body.slice(0, 1499)}…` : m.body)}`;
    if (size + block.length > 3800) break;
    shown.unshift(block);
    size += block.length;
  }
  return lines.concat(shown).join('\n');
}

function threadKeyboard(t: Tr, th: TicketThreadFragment): InlineKeyboard {
  const kb = new InlineKeyboard();
  if (th.status !== 'CLOSED') kb.text(t('ticket-write'), encodeCallback('shopTicketWrite', th.id)).text(t('ticket-close'), encodeCallback('shopTicketClose', th.id));
  return withNavigation(t, kb, encodeCallback('shopTickets'));
}

/** Support: the handle (if set), New ticket, My tickets. */
export async function showSupport(ctx: ShopContext, deps: ShopDeps): Promise<void> {
  const info = await deps.shopInfo(ctx.shop.api);
  const text = [ctx.t('support-title'), info.supportHandle ? ctx.t('support-handle', { handle: escapeHtml(info.supportHandle) }) : null].filter(Boolean).join('\n\n');
  await showScreen(ctx, text, withNavigation((id, v) => ctx.t(id, v), new InlineKeyboard().text(ctx.t('support-new'), encodeCallback('shopTicketNew')).text(ctx.t('support-my-tickets'), encodeCallback('shopTickets'))));
}

/** Waits for a text within `max` characters; null when the user cancelled. */
async function askText(conversation: Convo, t: Tr, max: number): Promise<{ ctx: Context; text: string } | { ctx: Context; text: null }> {
  for (;;) {
    const ctx = await conversation.wait();
    if (ctx.callbackQuery) await ctx.answerCallbackQuery();
    const d = decodeCallback(ctx.callbackQuery?.data);
    if (d?.name === 'shopFlow' && d.args[0] === 'cancel') return { ctx, text: null };
    const text = ctx.message?.text?.trim();
    if (!text) {
      await ctx.reply(ctx.callbackQuery ? t('buy-use-buttons') : t('ticket-text-only'));
      continue;
    }
    if (text.length > max) {
      await ctx.reply(t('ticket-too-long', { max }));
      continue;
    }
    return { ctx, text };
  }
}

const cancelKb = (t: Tr) => new InlineKeyboard().text(t('nav-cancel'), encodeCallback('shopFlow', 'cancel')).text(t('nav-main-menu'), MAIN_MENU_DATA);

/** The idempotency key of the ticket a message completes: its chat and message id (stable across retries). */
export function openTicketKey(ctx: Context): string {
  return `tg-msg:${ctx.chat!.id}:${ctx.msg!.message_id}`;
}

export function supportFeature(deps: ShopDeps): Composer<ShopContext> {
  const c = new Composer<ShopContext>();

  c.use(
    createConversation(
      async function ticketNew(conversation: Convo, ctx0: Context, args: FlowArgs): Promise<void> {
        const t = translator(deps.texts, args.lang);
        await ctx0.reply(t('ticket-ask-subject'), { reply_markup: cancelKb(t) });
        const subject = await askText(conversation, t, SUBJECT_MAX);
        if (subject.text === null) return void (await subject.ctx.reply(t('nav-cancelled'), { reply_markup: withNavigation(t) }));
        await subject.ctx.reply(t('ticket-ask-message'), { reply_markup: cancelKb(t) });
        const body = await askText(conversation, t, BODY_MAX);
        if (body.text === null) return void (await body.ctx.reply(t('nav-cancelled'), { reply_markup: withNavigation(t) }));
        const api = deps.gql.forUser(ctx0.from!.id);
        // The message that completes the ticket names it: a replay or a redelivered update opens none twice.
        const key = openTicketKey(body.ctx);
        const r = await conversation.external(() => outcome(async () => (await api.request(OpenTicketDocument, { subject: subject.text, message: body.text, key })).openTicket));
        if (!r.ok) return void (await body.ctx.reply(errorTextOf(deps.texts, t, r.code), { reply_markup: withNavigation(t) }));
        await body.ctx.reply(t('ticket-created', { subject: escapeHtml(r.value.subject) }), { parse_mode: 'HTML', reply_markup: threadKeyboard(t, r.value) });
      },
      { id: 'ticketNew' },
    ),
  );
  c.use(
    createConversation(
      async function ticketWrite(conversation: Convo, ctx0: Context, args: FlowArgs & { ticketId: string }): Promise<void> {
        const t = translator(deps.texts, args.lang);
        await ctx0.reply(t('ticket-ask-message'), { reply_markup: cancelKb(t) });
        const body = await askText(conversation, t, BODY_MAX);
        if (body.text === null) return void (await body.ctx.reply(t('nav-cancelled'), { reply_markup: withNavigation(t) }));
        const api = deps.gql.forUser(ctx0.from!.id);
        const r = await conversation.external(() => outcome(async () => (await api.request(WriteTicketDocument, { id: args.ticketId, body: body.text })).writeTicketMessage));
        if (!r.ok) return void (await body.ctx.reply(errorTextOf(deps.texts, t, r.code), { reply_markup: withNavigation(t) }));
        await body.ctx.reply(t('ticket-message-sent'), { reply_markup: threadKeyboard(t, r.value) });
      },
      { id: 'ticketWrite' },
    ),
  );

  c.callbackQuery(callbackPattern('shopTickets'), async (ctx) => {
    await ctx.answerCallbackQuery();
    const { myTickets } = await ctx.shop.api.request(MyTicketsDocument);
    const t: Tr = (id, v) => ctx.t(id, v);
    const kb = new InlineKeyboard();
    for (const tk of myTickets) kb.text(ctx.t('ticket-item', { status: ctx.t(`ticket-status-${tk.status.toLowerCase()}`).split(' ')[0], subject: tk.subject }).slice(0, 100), encodeCallback('ticketOpen', tk.id)).row();
    kb.text(ctx.t('support-new'), encodeCallback('shopTicketNew'));
    await showScreen(ctx, myTickets.length ? ctx.t('ticket-list-title') : ctx.t('ticket-list-empty'), withNavigation(t, kb, encodeCallback('shopSection', 'support')));
  });
  c.callbackQuery(callbackPattern('ticketOpen'), async (ctx) => {
    await ctx.answerCallbackQuery();
    const { ticket } = await ctx.shop.api.request(TicketDocument, { id: ctx.match[1] });
    const t: Tr = (id, v) => ctx.t(id, v);
    await showScreen(ctx, threadHtml(t, ticket, ctx.shop.lang), threadKeyboard(t, ticket));
  });
  c.callbackQuery(callbackPattern('shopTicketClose'), async (ctx) => {
    const { closeTicket } = await ctx.shop.api.request(CloseTicketDocument, { id: ctx.match[1] });
    await ctx.answerCallbackQuery({ text: ctx.t('ticket-closed') });
    const t: Tr = (id, v) => ctx.t(id, v);
    await showScreen(ctx, threadHtml(t, closeTicket, ctx.shop.lang), threadKeyboard(t, closeTicket));
  });
  c.callbackQuery(callbackPattern('shopTicketNew'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter('ticketNew', { lang: ctx.shop.lang } satisfies FlowArgs);
  });
  c.callbackQuery(callbackPattern('shopTicketWrite'), async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter('ticketWrite', { lang: ctx.shop.lang, ticketId: ctx.match[1] });
  });
  return c;
}
