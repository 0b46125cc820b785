import { InlineKeyboard } from 'grammy';
import { formatBytes, formatDate, formatPlainNumber, normalizeDigits, usageBar } from '../common';
import {
  ExtendSubscriptionDocument,
  MoveSubscriptionDocument,
  MoveTargetsDocument,
  ResetSubscriptionTrafficDocument,
  SetSubscriptionEnabledDocument,
  SubscriptionDetailDocument,
  SubscriptionMoveDocument,
  type SubscriptionMoveQuery,
} from './graphql/generated';
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
    .row();
  if (s.status === 'ACTIVE') kb.text(ctx.t('sub-move'), cb.act('submv', s.id)).row();
  kb.text(ctx.t('sub-customer'), cb.act('prof', s.customerId));
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

// ---- Move to another server: choose an active server → confirm → the move (a job) and its result.

/** The active servers the subscription could go to (not its own; the API checks room and inbounds). */
async function chooseTarget(ctx: AdminContext, id: string): Promise<void> {
  const l = lang(ctx);
  const [{ subscription: s }, { servers }] = await Promise.all([ctx.staff.api.request(SubscriptionDetailDocument, { id }), ctx.staff.api.request(MoveTargetsDocument, {})]);
  if (!s) return screen(ctx, ctx.t('error-subscription-not-found'), undefined, 'cust');
  const targets = servers.filter((v) => v.active && v.status !== 'DOWN' && v.name !== s.serverName);
  const back = new InlineKeyboard();
  if (targets.length === 0) return screen(ctx, ctx.t('sub-move-none'), back.text(ctx.t('sub-move-back'), cb.act('sub', id)));
  ctx.session.pending = { kind: 'move-target', subscriptionId: id, targets: targets.map((v) => v.id) };
  targets.forEach((v, i) => {
    const load = `${formatPlainNumber(v.activeSubscriptions, l)}/${formatPlainNumber(v.capacity, l)}`;
    back.text(`${v.name} — ${load}`.slice(0, 60), cb.num('submvto', i)).row();
  });
  back.text(ctx.t('sub-move-back'), cb.act('sub', id));
  await screen(ctx, ctx.t('sub-move-choose', { from: esc(s.serverName) }), back);
}

async function confirmTarget(ctx: AdminContext, n: number): Promise<void> {
  const pending = ctx.session.pending;
  const toServerId = pending?.kind === 'move-target' ? pending.targets[n] : undefined;
  if (pending?.kind !== 'move-target' || !toServerId) {
    await ctx.answerCallbackQuery({ text: ctx.t('nav-stale-button') }).catch(() => undefined);
    return;
  }
  const [{ subscription: s }, { servers }] = await Promise.all([
    ctx.staff.api.request(SubscriptionDetailDocument, { id: pending.subscriptionId }),
    ctx.staff.api.request(MoveTargetsDocument, {}),
  ]);
  const to = servers.find((v) => v.id === toServerId);
  if (!s || !to) return screen(ctx, ctx.t('error-not-found'), undefined, 'cust');
  ctx.session.pending = { kind: 'move-confirm', subscriptionId: pending.subscriptionId, toServerId };
  const kb = new InlineKeyboard().text(ctx.t('flow-confirm'), cb.step('ok')).text(ctx.t('sub-move-back'), cb.act('sub', pending.subscriptionId));
  await screen(ctx, ctx.t('sub-move-confirm', { from: esc(s.serverName), to: esc(to.name) }), kb);
}

async function startMove(ctx: AdminContext, word: string): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'move-confirm' || word !== 'ok') return;
  // Cleared first: a refusal (full, inactive...) is shown by the error boundary and nothing is retried by a second press.
  ctx.session.pending = undefined;
  const { moveSubscription: m } = await ctx.staff.api.request(MoveSubscriptionDocument, { id: pending.subscriptionId, toServerId: pending.toServerId });
  await ctx.answerCallbackQuery().catch(() => undefined);
  await showMove(ctx, m);
}

type MoveView = NonNullable<SubscriptionMoveQuery['evacuation']>;

/** The move's state: running (with Refresh), done, or failed with the reason. */
async function showMove(ctx: AdminContext, m: MoveView): Promise<void> {
  const names = { from: esc(m.fromServerName), to: esc(m.toServerName) };
  const kb = new InlineKeyboard();
  let html: string;
  if (m.status === 'RUNNING') {
    html = ctx.t('sub-move-running', names);
    kb.text(ctx.t('sub-refresh'), cb.act('submvp', m.id)).row();
  } else if (m.status === 'COMPLETED') {
    html = ctx.t('sub-move-done', names);
  } else {
    html = ctx.t('sub-move-failed', { ...names, reason: esc(m.lastError) });
  }
  if (m.subscriptionId) kb.text(ctx.t('sub-move-back'), cb.act('sub', m.subscriptionId));
  await screen(ctx, html, kb);
}

async function refreshMove(ctx: AdminContext, id: string): Promise<void> {
  const { evacuation: m } = await ctx.staff.api.request(SubscriptionMoveDocument, { id });
  if (!m) return screen(ctx, ctx.t('error-not-found'), undefined, 'cust');
  await showMove(ctx, m);
}

/** Subscriptions: view with usage, disable / enable, reset traffic, extend, move to another server. */
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
    submv: chooseTarget,
    submvp: refreshMove,
  },
  nums: { submvto: confirmTarget },
  inputs: { 'extend-days': (ctx, m) => extend(ctx, m.text ?? '') },
  steps: { 'move-confirm': startMove },
};
