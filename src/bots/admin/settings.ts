import { InlineKeyboard } from 'grammy';
import { BotApiError } from '../common';
import { FailedJobsDocument, FailedOrdersDocument, RetryJobDocument, RetryOrderDocument, SettingsDocument, UpdateSettingDocument } from './graphql/generated';
import type { AdminContext } from './context';
import type { Feature } from './feature';
import { ask, cb, esc, screen } from './ui';

/** The settings an admin edits from the bot, in this order (the rest stay in GraphiQL). */
export const BOT_SETTINGS = [
  'card_number',
  'card_holder',
  'payment_deadline_minutes',
  'warning_traffic_percents',
  'warning_expiry_hours',
  'grace_days',
  'trial_plan_code',
  'support_handle',
  'required_channel',
  'daily_report_hour_utc',
] as const;

function show(value: unknown): string {
  return value === null || value === undefined ? '—' : typeof value === 'string' ? value || '—' : JSON.stringify(value);
}

async function listSettings(ctx: AdminContext): Promise<void> {
  const { settings } = await ctx.staff.api.request(SettingsDocument, {});
  const byKey = new Map(settings.map((s) => [s.key, s]));
  const lines = [ctx.t('set-title')];
  const kb = new InlineKeyboard();
  BOT_SETTINGS.forEach((key, i) => {
    const s = byKey.get(key);
    if (!s) return;
    lines.push(`• ${ctx.t(`set-${key.replace(/_/g, '-')}`)}: <code>${esc(show(s.value))}</code>`);
    kb.text(ctx.t(`set-${key.replace(/_/g, '-')}`), cb.num('set', i));
    if (i % 2 === 1) kb.row();
  });
  await screen(ctx, lines.join('\n'), kb);
}

async function editSetting(ctx: AdminContext, index: number): Promise<void> {
  const key = BOT_SETTINGS[index];
  if (!key) return listSettings(ctx);
  ctx.session.pending = { kind: 'setting', key };
  const kb = key === 'trial_plan_code' || key === 'required_channel' || key === 'daily_report_hour_utc' ? new InlineKeyboard().text(ctx.t('set-clear'), cb.step('clear')) : undefined;
  await ask(ctx, ctx.t('set-ask', { name: ctx.t(`set-${key.replace(/_/g, '-')}`), hint: ctx.t(`set-hint-${key.replace(/_/g, '-')}`) }), kb);
}

/** A typed value: numbers and lists of numbers as numbers, anything else as text. */
export function parseSettingValue(key: string, text: string): unknown {
  const t = text.trim();
  if (['payment_deadline_minutes', 'grace_days', 'daily_report_hour_utc'].includes(key) && /^\d+$/.test(t)) return Number(t);
  if (key === 'warning_traffic_percents' || key === 'warning_expiry_hours') return t.split(/[\s,،]+/).filter(Boolean).map(Number);
  return t;
}

async function saveSetting(ctx: AdminContext, value: unknown): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'setting') return;
  try {
    await ctx.staff.api.request(UpdateSettingDocument, { key: pending.key, value });
  } catch (err) {
    // The API's validation message says what is wrong with the value (admins only; escaped).
    if (err instanceof BotApiError && err.code === 'BAD_USER_INPUT') return ask(ctx, ctx.t('set-invalid', { reason: esc(err.message.slice(0, 300)) }));
    throw err;
  }
  ctx.session.pending = undefined;
  await ctx.reply(ctx.t('set-saved'));
  await listSettings(ctx);
}

async function listFailures(ctx: AdminContext): Promise<void> {
  const [{ failedOrders }, { failedJobs }] = await Promise.all([ctx.staff.api.request(FailedOrdersDocument, {}), ctx.staff.api.request(FailedJobsDocument, {})]);
  const lines = [ctx.t('fail-orders', { count: String(failedOrders.length) })];
  const kb = new InlineKeyboard();
  for (const o of failedOrders.slice(0, 10)) {
    lines.push(`• #${o.number}: ${esc((o.failureReason ?? '').slice(0, 80))}`);
    kb.text(ctx.t('fail-retry-order', { number: String(o.number) }), cb.act('ford', o.id)).row();
  }
  lines.push('', ctx.t('fail-jobs', { count: String(failedJobs.length) }));
  for (const j of failedJobs) {
    lines.push(`• ${esc(j.taskIdentifier)} #${esc(j.id)} (${j.attempts}): ${esc((j.lastError ?? '').slice(0, 80))}`);
    if (/^\d+$/.test(j.id)) kb.text(ctx.t('fail-retry-job', { id: j.id }), cb.num('fjob', Number(j.id))).row();
  }
  await screen(ctx, lines.join('\n'), kb);
}

/** Settings (validated by the API, its message shown) and failed orders / jobs with retry. */
export const settingsFeature: Feature = {
  opens: { set: listSettings, fail: listFailures },
  nums: {
    set: editSetting,
    fjob: async (ctx, id) => {
      await ctx.staff.api.request(RetryJobDocument, { id: String(id) });
      await ctx.answerCallbackQuery({ text: ctx.t('fail-retried') }).catch(() => undefined);
      await listFailures(ctx);
    },
  },
  acts: {
    ford: async (ctx, id) => {
      await ctx.staff.api.request(RetryOrderDocument, { id });
      await ctx.answerCallbackQuery({ text: ctx.t('fail-retried') }).catch(() => undefined);
      await listFailures(ctx);
    },
  },
  commands: { settings: 'set', failed: 'fail' },
  inputs: { setting: (ctx, m) => saveSetting(ctx, parseSettingValue((ctx.session.pending as { key: string }).key, m.text ?? '')) },
  steps: { setting: (ctx, w) => (w === 'clear' ? saveSetting(ctx, null) : Promise.resolve()) },
};
