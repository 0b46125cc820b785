import { InlineKeyboard } from 'grammy';
import { formatBytes, formatDate, normalizeDigits, usageBar } from '../common';
import { ExtendSubscriptionDocument, ResetSubscriptionTrafficDocument, SetSubscriptionEnabledDocument, SubscriptionDetailDocument } from './graphql/generated';
import type { AdminContext } from './context';
import type { Feature } from './feature';
import { ask, cb, esc, lang, screen } from './ui';

async function showSubscription(ctx: AdminContext, id: string): Promise<void> {
  const l = lang(ctx);
  const { subscription: s } = await ctx.staff.api.request(SubscriptionDetailDocument, { id });
  if (!s) return screen(ctx, ctx.t('error-subscription-not-found'), undefined, 'cust');
  const html = ctx.t('sub-detail', {
    plan: esc(l === 'en' ? s.plan.titleEn : s.plan.titleFa),
    status: s.status,
    server: esc(s.serverName ?? '—'),
    used: formatBytes(s.usedBytes, l),
    quota: s.trafficLimitBytes ? formatBytes(s.trafficLimitBytes, l) : '∞',
    bar: s.trafficLimitBytes ? usageBar(s.usedBytes, s.trafficLimitBytes, l) : '',
    expires: s.expiresAt ? formatDate(s.expiresAt, l) : '—',
    url: esc(s.subscriptionUrl),
  });
  const kb = new InlineKeyboard()
    .text(ctx.t(s.status === 'DISABLED' ? 'sub-enable' : 'sub-disable'), cb.act(s.status === 'DISABLED' ? 'subon' : 'suboff', s.id))
    .text(ctx.t('sub-reset'), cb.act('subrst', s.id))
    .row()
    .text(ctx.t('sub-extend'), cb.act('subext', s.id))
    .text(ctx.t('sub-refresh'), cb.act('sub', s.id))
    .row()
    .text(ctx.t('sub-customer'), cb.act('prof', s.customerId));
  await screen(ctx, html, kb);
}

async function setEnabled(ctx: AdminContext, id: string, enabled: boolean): Promise<void> {
  await ctx.staff.api.request(SetSubscriptionEnabledDocument, { id, enabled });
  await ctx.answerCallbackQuery({ text: ctx.t(enabled ? 'sub-enabled' : 'sub-disabled') }).catch(() => undefined);
  await showSubscription(ctx, id);
}

async function extend(ctx: AdminContext, text: string): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'extend-days') return;
  const days = Number(normalizeDigits(text));
  if (!Number.isInteger(days) || days < 1 || days > 3650) return ask(ctx, ctx.t('sub-extend-ask'));
  await ctx.staff.api.request(ExtendSubscriptionDocument, { id: pending.subscriptionId, days });
  ctx.session.pending = undefined;
  await ctx.reply(ctx.t('sub-extended'));
  await showSubscription(ctx, pending.subscriptionId);
}

/** Subscriptions: view with usage, disable / enable, reset traffic, extend. */
export const subscriptionsFeature: Feature = {
  acts: {
    sub: showSubscription,
    subon: (ctx, id) => setEnabled(ctx, id, true),
    suboff: (ctx, id) => setEnabled(ctx, id, false),
    subrst: async (ctx, id) => {
      await ctx.staff.api.request(ResetSubscriptionTrafficDocument, { id });
      await ctx.answerCallbackQuery({ text: ctx.t('sub-reset-queued') }).catch(() => undefined);
      await showSubscription(ctx, id);
    },
    subext: async (ctx, id) => {
      ctx.session.pending = { kind: 'extend-days', subscriptionId: id };
      await ask(ctx, ctx.t('sub-extend-ask'));
    },
  },
  inputs: { 'extend-days': (ctx, m) => extend(ctx, m.text ?? '') },
};
