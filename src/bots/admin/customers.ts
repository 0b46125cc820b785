import { randomUUID } from 'node:crypto';
import { InlineKeyboard } from 'grammy';
import { formatBytes, formatDate, formatDateTime, formatMoney, formatPlainNumber, normalizeDigits } from '../common';
import { allowed } from './access';
import {
  AdjustWalletDocument,
  BanCustomerDocument,
  CatalogPlansDocument,
  CustomerProfileDocument,
  FindCustomersDocument,
  GrantPlanDocument,
  MessageCustomerDocument,
  UnbanCustomerDocument,
} from './graphql/generated';
import type { AdminContext } from './context';
import type { Feature } from './feature';
import { ask, cb, customerLabel, esc, lang, screen } from './ui';

async function askSearch(ctx: AdminContext): Promise<void> {
  ctx.session.pending = { kind: 'search' };
  await ask(ctx, ctx.t('cust-ask-search'));
}

async function search(ctx: AdminContext, query: string): Promise<void> {
  ctx.session.pending = undefined;
  const { customers } = await ctx.staff.api.request(FindCustomersDocument, { query: normalizeDigits(query.trim()).slice(0, 64) });
  if (customers.length === 1) return showProfile(ctx, customers[0].id);
  const kb = new InlineKeyboard();
  for (const c of customers) kb.text(`${c.status === 'BANNED' ? '⛔ ' : ''}${customerLabel(c)}`, cb.act('prof', c.id)).row();
  kb.text(ctx.t('cust-search-again'), cb.open('cust'));
  await screen(ctx, customers.length === 0 ? ctx.t('cust-none-found') : ctx.t('cust-found', { count: formatPlainNumber(customers.length, lang(ctx)) }), kb);
}

export async function showProfile(ctx: AdminContext, id: string): Promise<void> {
  const l = lang(ctx);
  const p = await ctx.staff.api.request(CustomerProfileDocument, { id });
  const c = p.customer;
  if (!c) return screen(ctx, ctx.t('error-customer-not-found'), undefined, 'cust');
  const lines = [
    ctx.t('cust-profile', {
      name: esc(customerLabel(c)),
      tg: c.telegramId ? String(c.telegramId) : '—',
      status: ctx.t(c.status === 'BANNED' ? 'cust-banned' : 'cust-active'),
      joined: formatDate(c.createdAt, l),
      balance: formatMoney(p.wallet.balance, l),
    }),
    '',
    ctx.t('cust-subs', { count: formatPlainNumber(p.subscriptions.length, l) }),
  ];
  const kb = new InlineKeyboard();
  for (const s of p.subscriptions) {
    const title = l === 'en' ? s.plan.titleEn : s.plan.titleFa;
    lines.push(`• ${esc(title)} — ${s.status} — ${formatBytes(s.usedBytes, l)} / ${s.trafficLimitBytes ? formatBytes(s.trafficLimitBytes, l) : '∞'}${s.expiresAt ? ` — ${formatDate(s.expiresAt, l)}` : ''}`);
    if (allowed(ctx.staff.role, 'sub')) kb.text(`📶 ${title.slice(0, 30)}`, cb.act('sub', s.id)).row();
  }
  lines.push('', ctx.t('cust-orders'));
  for (const o of p.orders.nodes) lines.push(`• #${formatPlainNumber(o.number, l)} ${o.kind} ${o.status} ${formatMoney(o.amountDue, l)}`);
  lines.push('', ctx.t('cust-tickets'));
  for (const t of p.customerTickets) {
    lines.push(`• ${esc(t.subject)} — ${ctx.t(`tkt-status-${t.status.toLowerCase()}`)} — ${formatDateTime(t.updatedAt, l)}`);
    kb.text(`💬 ${t.subject}`.slice(0, 40), cb.act('tk', t.id)).row();
  }
  kb.text(ctx.t(c.status === 'BANNED' ? 'cust-unban' : 'cust-ban'), cb.act(c.status === 'BANNED' ? 'unban' : 'ban', c.id));
  kb.text(ctx.t('cust-message'), cb.act('msg', c.id)).row();
  if (allowed(ctx.staff.role, 'wal')) kb.text(ctx.t('cust-wallet'), cb.act('wal', c.id));
  if (allowed(ctx.staff.role, 'grant')) kb.text(ctx.t('cust-grant'), cb.act('grant', c.id));
  await screen(ctx, lines.join('\n'), kb, 'cust');
}

async function setBanned(ctx: AdminContext, id: string, banned: boolean): Promise<void> {
  if (banned) await ctx.staff.api.request(BanCustomerDocument, { id });
  else await ctx.staff.api.request(UnbanCustomerDocument, { id });
  await ctx.answerCallbackQuery({ text: ctx.t(banned ? 'cust-banned-done' : 'cust-unbanned-done') }).catch(() => undefined);
  await showProfile(ctx, id);
}

async function walletAmount(ctx: AdminContext, text: string): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'wallet-amount') return;
  const amount = Number(normalizeDigits(text.replace(/[,٬\s]/g, '')));
  if (!Number.isSafeInteger(amount) || amount === 0 || Math.abs(amount) > 1_000_000_000) return ask(ctx, ctx.t('cust-wallet-bad-amount'));
  ctx.session.pending = { kind: 'wallet-reason', customerId: pending.customerId, amount };
  await ask(ctx, ctx.t('cust-wallet-ask-reason'));
}

async function walletReason(ctx: AdminContext, text: string): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'wallet-reason') return;
  const reason = text.trim().slice(0, 200);
  if (reason.length < 2) return ask(ctx, ctx.t('cust-wallet-ask-reason'));
  ctx.session.pending = { kind: 'wallet-confirm', customerId: pending.customerId, amount: pending.amount, reason, key: randomUUID() };
  const kb = new InlineKeyboard().text(ctx.t('flow-confirm'), cb.step('ok'));
  await ask(ctx, ctx.t('cust-wallet-confirm', { amount: formatMoney(pending.amount, lang(ctx)), reason: esc(reason) }), kb);
}

async function walletConfirm(ctx: AdminContext, word: string): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'wallet-confirm' || word !== 'ok') return;
  // The idempotency key was fixed when the confirmation was shown: a double press adjusts once.
  const res = await ctx.staff.api.request(AdjustWalletDocument, { customerId: pending.customerId, amount: pending.amount, reason: pending.reason, key: pending.key });
  ctx.session.pending = undefined;
  await ctx.answerCallbackQuery().catch(() => undefined);
  await ctx.reply(ctx.t('cust-wallet-done', { balance: formatMoney(res.adjustWallet.balance, lang(ctx)) }));
  await showProfile(ctx, pending.customerId);
}

async function chooseGrantPlan(ctx: AdminContext, customerId: string): Promise<void> {
  const l = lang(ctx);
  const { plans } = await ctx.staff.api.request(CatalogPlansDocument, {});
  ctx.session.pending = { kind: 'grant', customerId, key: randomUUID() };
  const kb = new InlineKeyboard();
  for (const p of plans.filter((x) => !x.isTrial && x.active)) kb.text(`${l === 'en' ? p.titleEn : p.titleFa} — ${formatMoney(p.price, l)}`, cb.act('gp', p.id)).row();
  await ask(ctx, ctx.t('cust-grant-choose'), kb);
}

async function grant(ctx: AdminContext, planId: string): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'grant') {
    await ctx.answerCallbackQuery({ text: ctx.t('nav-stale-button') }).catch(() => undefined);
    return;
  }
  const res = await ctx.staff.api.request(GrantPlanDocument, { customerId: pending.customerId, planId, key: pending.key });
  ctx.session.pending = undefined;
  await ctx.answerCallbackQuery().catch(() => undefined);
  await ctx.reply(ctx.t('cust-grant-done', { order: formatPlainNumber(res.grantPlan.number, lang(ctx)) }));
}

async function sendMessage(ctx: AdminContext, text: string): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'message') return;
  await ctx.staff.api.request(MessageCustomerDocument, { customerId: pending.customerId, text: text.slice(0, 3500) });
  ctx.session.pending = undefined;
  await ctx.reply(ctx.t('cust-message-sent'));
}

/** Customers: search, profile, ban / unban, wallet adjustment, grant, message. */
export const customersFeature: Feature = {
  opens: { cust: askSearch },
  acts: {
    prof: showProfile,
    ban: (ctx, id) => setBanned(ctx, id, true),
    unban: (ctx, id) => setBanned(ctx, id, false),
    wal: async (ctx, id) => {
      ctx.session.pending = { kind: 'wallet-amount', customerId: id };
      await ask(ctx, ctx.t('cust-wallet-ask-amount'));
    },
    grant: chooseGrantPlan,
    gp: grant,
    msg: async (ctx, id) => {
      ctx.session.pending = { kind: 'message', customerId: id };
      await ask(ctx, ctx.t('cust-message-ask'));
    },
  },
  commands: { customers: 'cust', find: 'cust' },
  inputs: {
    search: (ctx, m) => search(ctx, m.text ?? ''),
    'wallet-amount': (ctx, m) => walletAmount(ctx, m.text ?? ''),
    'wallet-reason': (ctx, m) => walletReason(ctx, m.text ?? ''),
    message: (ctx, m) => sendMessage(ctx, m.text ?? ''),
  },
  steps: { 'wallet-confirm': walletConfirm },
};
