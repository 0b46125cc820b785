import { InlineKeyboard } from 'grammy';
import { formatDateTime, formatPlainNumber } from '../common';
import { CloseTicketDocument, OpenTicketsDocument, ReplyTicketDocument, TicketThreadDocument } from './graphql/generated';
import type { AdminContext } from './context';
import type { Feature } from './feature';
import { ask, cb, esc, lang, screen } from './ui';

async function listTickets(ctx: AdminContext): Promise<void> {
  const l = lang(ctx);
  const { tickets } = await ctx.staff.api.request(OpenTicketsDocument, {});
  const kb = new InlineKeyboard();
  const lines = [ctx.t('tkt-title', { count: formatPlainNumber(tickets.length, l) })];
  if (tickets.length === 0) lines.push('', ctx.t('tkt-none'));
  for (const t of tickets) {
    lines.push(`• ${esc(t.subject)} — ${formatDateTime(t.updatedAt, l)}`);
    kb.text(`💬 ${t.subject}`.slice(0, 60), cb.act('tk', t.id)).row();
  }
  await screen(ctx, lines.join('\n'), kb);
}

/** A ticket's thread (also opened from the new-ticket notification's button). */
export async function showTicket(ctx: AdminContext, id: string): Promise<void> {
  const l = lang(ctx);
  const { ticket: t } = await ctx.staff.api.request(TicketThreadDocument, { id });
  const lines = [ctx.t('tkt-thread', { subject: esc(t.subject), status: ctx.t(`tkt-status-${t.status.toLowerCase()}`) }), ''];
  for (const m of t.messages.slice(-15)) {
    lines.push(`${m.author === 'ADMIN' ? '🛟' : '👤'} <i>${formatDateTime(m.createdAt, l)}</i>`, esc(m.body.slice(0, 600)), '');
  }
  const kb = new InlineKeyboard();
  if (t.status !== 'CLOSED') kb.text(ctx.t('tkt-reply'), cb.act('tkr', t.id)).text(ctx.t('tkt-close'), cb.act('tkc', t.id)).row();
  kb.text(ctx.t('tkt-customer'), cb.act('prof', t.customerId));
  await screen(ctx, lines.join('\n').slice(0, 3900), kb, 'tkt');
}

/** Tickets: the open list, a thread, reply (the customer is told through the shop bot), close. */
export const ticketsFeature: Feature = {
  opens: { tkt: listTickets },
  acts: {
    tk: showTicket,
    tkr: async (ctx, id) => {
      ctx.session.pending = { kind: 'ticket-reply', ticketId: id };
      await ask(ctx, ctx.t('tkt-ask-reply'));
    },
    tkc: async (ctx, id) => {
      await ctx.staff.api.request(CloseTicketDocument, { id });
      await ctx.answerCallbackQuery({ text: ctx.t('tkt-closed') }).catch(() => undefined);
      await showTicket(ctx, id);
    },
  },
  commands: { tickets: 'tkt' },
  inputs: {
    'ticket-reply': async (ctx, message) => {
      const pending = ctx.session.pending;
      if (pending?.kind !== 'ticket-reply') return;
      const body = message.text?.trim() ?? '';
      if (!body) return ask(ctx, ctx.t('tkt-ask-reply'));
      await ctx.staff.api.request(ReplyTicketDocument, { ticketId: pending.ticketId, body: body.slice(0, 4000) });
      ctx.session.pending = undefined;
      await ctx.reply(ctx.t('tkt-replied'));
      await showTicket(ctx, pending.ticketId);
    },
  },
};
