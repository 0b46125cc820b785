import { InlineKeyboard } from 'grammy';
import type { Message } from 'grammy/types';
import { errorMessageId, formatBytes, formatMoney, formatPlainNumber } from '../common';
import { CatalogPlansDocument, SetPlanActiveDocument, UpdatePlanLimitsDocument, type CatalogPlansQuery, type UpdatePlanInput } from './graphql/generated';
import type { AdminContext, PlanLimit } from './context';
import type { Feature } from './feature';
import { planWizard } from './plan-wizard';
import { ask, cb, esc, inputProblem, lang, parseGigabytes, parseWhole, screen } from './ui';

type PlanRow = CatalogPlansQuery['plans'][number];

/** A plan's traffic: GB, or ∞ for unlimited (0). */
export function trafficText(bytes: number, l: 'fa' | 'en'): string {
  return bytes ? formatBytes(bytes, l) : '∞';
}

async function listPlans(ctx: AdminContext): Promise<void> {
  const l = lang(ctx);
  const { plans } = await ctx.staff.api.request(CatalogPlansDocument, {});
  const kb = new InlineKeyboard();
  const lines = [ctx.t('plans-title')];
  for (const p of plans) {
    const title = l === 'en' ? p.titleEn : p.titleFa;
    lines.push(`${p.active ? '🟢' : '⏸'} ${esc(title)} (<code>${esc(p.code)}</code>)${p.isTrial ? ' 🎁' : ''} — ${formatMoney(p.price, l)} — ${trafficText(p.trafficBytes, l)} — ${formatPlainNumber(p.durationDays, l)}d`);
    kb.text(`${p.active ? '🟢' : '⏸'} ${title}`.slice(0, 60), cb.act('pl', p.id)).row();
  }
  if (plans.length === 0) lines.push(ctx.t('plans-none'));
  kb.text(ctx.t('plan-add'), cb.open('pladd'));
  await screen(ctx, lines.join('\n'), kb);
}

async function findPlan(ctx: AdminContext, id: string): Promise<PlanRow | undefined> {
  const { plans } = await ctx.staff.api.request(CatalogPlansDocument, {});
  return plans.find((p) => p.id === id);
}

/** One plan: every field, its price and limits to edit, activate / deactivate. */
export async function showPlan(ctx: AdminContext, id: string): Promise<void> {
  const l = lang(ctx);
  const p = await findPlan(ctx, id);
  if (!p) return screen(ctx, ctx.t('error-plan-not-found'), undefined, 'plans');
  const html = ctx.t('plan-detail', {
    titleFa: esc(p.titleFa),
    titleEn: esc(p.titleEn),
    code: esc(p.code),
    status: ctx.t(p.active ? 'plan-active' : 'plan-inactive'),
    price: formatMoney(p.price, l),
    traffic: trafficText(p.trafficBytes, l),
    days: formatPlainNumber(p.durationDays, l),
    devices: p.deviceLimit ? formatPlainNumber(p.deviceLimit, l) : '∞',
    group: esc(p.serverGroup),
    trial: ctx.t(p.isTrial ? 'plan-trial-yes' : 'plan-trial-no'),
  });
  const kb = new InlineKeyboard()
    .text(ctx.t('plan-edit-title-fa'), cb.act('plfa', p.id))
    .text(ctx.t('plan-edit-title-en'), cb.act('plen', p.id))
    .row()
    .text(ctx.t('plan-edit-price'), cb.act('plp', p.id))
    .text(ctx.t('plan-edit-traffic'), cb.act('plt', p.id))
    .row()
    .text(ctx.t('plan-edit-days'), cb.act('pld', p.id))
    .text(ctx.t('plan-edit-devices'), cb.act('plv', p.id))
    .row()
    .text(ctx.t(p.active ? 'plan-deactivate' : 'plan-activate'), cb.act(p.active ? 'ploff' : 'plon', p.id));
  await screen(ctx, html, kb, 'plans');
}

async function setActive(ctx: AdminContext, id: string, active: boolean): Promise<void> {
  await ctx.staff.api.request(SetPlanActiveDocument, { id, active });
  await ctx.answerCallbackQuery({ text: ctx.t(active ? 'plan-activated' : 'plan-deactivated') }).catch(() => undefined);
  await showPlan(ctx, id);
}

const LIMIT_FIELD: Record<PlanLimit, keyof UpdatePlanInput> = { price: 'price', traffic: 'trafficBytes', days: 'durationDays', devices: 'deviceLimit', 'title-fa': 'titleFa', 'title-en': 'titleEn' };

async function askLimit(ctx: AdminContext, planId: string, field: PlanLimit): Promise<void> {
  const p = await findPlan(ctx, planId);
  if (!p) return screen(ctx, ctx.t('error-plan-not-found'), undefined, 'plans');
  const l = lang(ctx);
  const now = {
    price: formatMoney(p.price, l),
    traffic: trafficText(p.trafficBytes, l),
    days: formatPlainNumber(p.durationDays, l),
    devices: p.deviceLimit ? formatPlainNumber(p.deviceLimit, l) : '∞',
    'title-fa': esc(p.titleFa),
    'title-en': esc(p.titleEn),
  }[field];
  ctx.session.pending = { kind: 'plan-edit', planId, field };
  // The wizard's title questions carry their step number; an edit asks without it.
  const question = field === 'title-fa' || field === 'title-en' ? `plan-edit-ask-${field}` : `plan-ask-${field}`;
  await ask(ctx, `${ctx.t(question)}\n${ctx.t('plan-now', { value: now })}`, new InlineKeyboard().text(ctx.t('nav-back'), cb.act('pl', planId)));
}

/**
 * A typed plan value: a title as sent (trimmed, 1–100 characters); GB for traffic (decimals
 * allowed, 0 = unlimited) as bytes; whole numbers otherwise. Null when it cannot be one.
 */
export function parsePlanValue(field: PlanLimit, text: string): number | string | null {
  if (field === 'title-fa' || field === 'title-en') {
    const title = text.trim();
    return title.length >= 1 && title.length <= 100 ? title : null;
  }
  return field === 'traffic' ? parseGigabytes(text) : parseWhole(text);
}

async function saveLimit(ctx: AdminContext, message: Message): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'plan-edit') return;
  const value = parsePlanValue(pending.field, message.text ?? '');
  const back = () => new InlineKeyboard().text(ctx.t('nav-back'), cb.act('pl', pending.planId));
  if (value === null) return ask(ctx, ctx.t(`plan-bad-${pending.field}`), back());
  try {
    await ctx.staff.api.request(UpdatePlanLimitsDocument, { id: pending.planId, input: { [LIMIT_FIELD[pending.field]]: value } });
  } catch (err) {
    const problem = inputProblem(err, { price: 'price', trafficBytes: 'traffic', durationDays: 'days', deviceLimit: 'devices', titleFa: 'title-fa', titleEn: 'title-en' } as const);
    return ask(ctx, ctx.t(problem.field ? `plan-bad-${problem.field}` : errorMessageId(problem.code)), back());
  }
  ctx.session.pending = undefined;
  await ctx.reply(ctx.t('plan-saved-limit'));
  await showPlan(ctx, pending.planId);
}

const wizard = planWizard(showPlan, listPlans);

/** Plans: list, detail, add wizard, edit titles, price and limits, activate / deactivate. */
export const plansFeature: Feature = {
  opens: { plans: listPlans, pladd: wizard.start },
  acts: {
    pl: (ctx, id) => {
      ctx.session.pending = undefined;
      return showPlan(ctx, id);
    },
    plon: (ctx, id) => setActive(ctx, id, true),
    ploff: (ctx, id) => setActive(ctx, id, false),
    plfa: (ctx, id) => askLimit(ctx, id, 'title-fa'),
    plen: (ctx, id) => askLimit(ctx, id, 'title-en'),
    plp: (ctx, id) => askLimit(ctx, id, 'price'),
    plt: (ctx, id) => askLimit(ctx, id, 'traffic'),
    pld: (ctx, id) => askLimit(ctx, id, 'days'),
    plv: (ctx, id) => askLimit(ctx, id, 'devices'),
  },
  commands: { plans: 'plans', addplan: 'pladd' },
  inputs: { 'plan-edit': saveLimit, plan: wizard.input },
  steps: { plan: wizard.step },
};
