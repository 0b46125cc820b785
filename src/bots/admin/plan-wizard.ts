import { InlineKeyboard } from 'grammy';
import type { Message } from 'grammy/types';
import { errorMessageId, formatBytes, formatMoney, formatPlainNumber } from '../common';
import { CreatePlanDocument, PlanServerGroupsDocument } from './graphql/generated';
import type { AdminContext, PlanDraft, PlanStep } from './context';
import { ask, cb, esc, inputProblem, lang, parseGigabytes, parseWhole } from './ui';

/** The add-plan wizard: code → titles → traffic → days → devices → price → server group → trial → confirm. */
const ORDER: PlanStep[] = ['code', 'titleFa', 'titleEn', 'traffic', 'days', 'devices', 'price', 'group', 'trial', 'confirm'];

/** The API's field names (issues[].path of BAD_USER_INPUT) → the step that asks for them. */
const FIELD_STEP = {
  code: 'code',
  titleFa: 'titleFa',
  titleEn: 'titleEn',
  trafficBytes: 'traffic',
  durationDays: 'days',
  deviceLimit: 'devices',
  price: 'price',
  serverGroup: 'group',
} as const satisfies Record<string, PlanStep>;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function summary(ctx: AdminContext, d: PlanDraft): string {
  const l = lang(ctx);
  return ctx.t('plan-confirm', {
    titleFa: esc(d.titleFa),
    titleEn: esc(d.titleEn),
    code: esc(d.code),
    price: formatMoney(d.price ?? 0, l),
    traffic: d.trafficBytes ? formatBytes(d.trafficBytes, l) : '∞',
    days: formatPlainNumber(d.durationDays ?? 0, l),
    devices: d.deviceLimit ? formatPlainNumber(d.deviceLimit, l) : '∞',
    group: esc(d.serverGroup ?? 'default'),
    trial: ctx.t(d.isTrial ? 'plan-trial-yes' : 'plan-trial-no'),
  });
}

async function show(ctx: AdminContext, step: PlanStep, draft: PlanDraft, groups: string[], problem?: string, fixing = false): Promise<void> {
  ctx.session.pending = { kind: 'plan', step, draft, groups, ...(fixing ? { fixing } : {}) };
  const kb = new InlineKeyboard();
  if (step === 'traffic' || step === 'devices') kb.text(ctx.t('plan-unlimited'), cb.step('zero')).row();
  if (step === 'group') {
    groups.slice(0, 8).forEach((g, i) => kb.text(g, cb.step(`g${i}`)));
    kb.row();
  }
  if (step === 'trial') kb.text(ctx.t('plan-trial-yes'), cb.step('yes')).text(ctx.t('plan-trial-no'), cb.step('no')).row();
  if (step === 'confirm') kb.text(ctx.t('plan-save'), cb.step('ok')).row();
  kb.text(ctx.t('nav-back'), cb.step('back'));
  const body = step === 'confirm' ? summary(ctx, draft) : ctx.t(`plan-ask-${kebab(step)}`);
  await ask(ctx, problem ? `${problem}\n\n${body}` : body, kb);
}

const next = (step: PlanStep): PlanStep => ORDER[Math.min(ORDER.indexOf(step) + 1, ORDER.length - 1)];

export function planWizard(showPlan: (ctx: AdminContext, id: string) => Promise<void>, listPlans: (ctx: AdminContext) => Promise<void>) {
  async function start(ctx: AdminContext): Promise<void> {
    const { servers } = await ctx.staff.api.request(PlanServerGroupsDocument, {});
    const groups = [...new Set(['default', ...servers.map((s) => s.serverGroup)])].sort();
    await show(ctx, 'code', {}, groups);
  }

  async function save(ctx: AdminContext, d: PlanDraft, groups: string[]): Promise<void> {
    try {
      const { createPlan } = await ctx.staff.api.request(CreatePlanDocument, {
        input: {
          code: d.code!,
          titleFa: d.titleFa!,
          titleEn: d.titleEn!,
          trafficBytes: d.trafficBytes ?? 0,
          durationDays: d.durationDays!,
          deviceLimit: d.deviceLimit ?? 0,
          price: d.price!,
          serverGroup: d.serverGroup ?? 'default',
          isTrial: d.isTrial ?? false,
        },
      });
      ctx.session.pending = undefined;
      await ctx.reply(ctx.t('plan-created', { code: esc(createPlan.code) }), { parse_mode: 'HTML' });
      await showPlan(ctx, createPlan.id);
    } catch (err) {
      // The API's refusal in words from its code; the wizard goes back to the step at fault.
      const problem = inputProblem(err, FIELD_STEP, ['PLAN_CODE_TAKEN']);
      const step: PlanStep = problem.code === 'PLAN_CODE_TAKEN' ? 'code' : (problem.field ?? 'confirm');
      await show(ctx, step, d, groups, ctx.t(problem.field ? `plan-bad-${kebab(problem.field)}` : errorMessageId(problem.code)), step !== 'confirm');
    }
  }

  async function input(ctx: AdminContext, message: Message): Promise<void> {
    const pending = ctx.session.pending;
    if (pending?.kind !== 'plan') return;
    const { step, groups, fixing } = pending;
    const d = { ...pending.draft };
    const text = (message.text ?? '').trim();
    const bad = () => show(ctx, step, d, groups, ctx.t(`plan-bad-${kebab(step)}`), fixing);
    switch (step) {
      case 'code':
        if (!/^[a-z0-9][a-z0-9_-]{0,49}$/i.test(text)) return bad();
        d.code = text;
        break;
      case 'titleFa':
      case 'titleEn':
        if (text.length < 1 || text.length > 100) return bad();
        d[step] = text;
        break;
      case 'traffic':
      case 'days':
      case 'devices':
      case 'price': {
        const n = step === 'traffic' ? parseGigabytes(text) : parseWhole(text);
        if (n === null) return bad();
        if (step === 'traffic') d.trafficBytes = n;
        else if (step === 'days') d.durationDays = n;
        else if (step === 'devices') d.deviceLimit = n;
        else d.price = n;
        break;
      }
      case 'group':
        if (!/^[A-Za-z0-9_-]{1,50}$/.test(text)) return bad();
        d.serverGroup = text;
        break;
      default:
        // Trial and confirm are answered by buttons: ask again.
        return show(ctx, step, d, groups);
    }
    // A value the API refused, now corrected: straight back to the confirmation.
    await show(ctx, fixing ? 'confirm' : next(step), d, groups);
  }

  async function button(ctx: AdminContext, word: string): Promise<void> {
    const pending = ctx.session.pending;
    if (pending?.kind !== 'plan') return;
    await ctx.answerCallbackQuery().catch(() => undefined);
    const { step, groups, fixing } = pending;
    const d = { ...pending.draft };
    const after = (s: PlanStep): PlanStep => (fixing ? 'confirm' : next(s));
    if (word === 'back') {
      const i = ORDER.indexOf(step);
      if (i === 0) {
        ctx.session.pending = undefined;
        return listPlans(ctx);
      }
      return show(ctx, ORDER[i - 1], d, groups);
    }
    if (word === 'zero' && (step === 'traffic' || step === 'devices')) {
      if (step === 'traffic') d.trafficBytes = 0;
      else d.deviceLimit = 0;
      return show(ctx, after(step), d, groups);
    }
    if (step === 'group' && /^g\d+$/.test(word) && groups[Number(word.slice(1))]) {
      d.serverGroup = groups[Number(word.slice(1))];
      return show(ctx, after(step), d, groups);
    }
    if (step === 'trial' && (word === 'yes' || word === 'no')) {
      d.isTrial = word === 'yes';
      return show(ctx, 'confirm', d, groups);
    }
    if (step === 'confirm' && word === 'ok') return save(ctx, d, groups);
  }

  return { start, input, step: button };
}
