import { InlineKeyboard } from 'grammy';
import type { Message } from 'grammy/types';
import { errorMessageId, formatDate, formatMoney, formatPlainNumber } from '../common';
import { CatalogPlansDocument, CreateDiscountCodeDocument, DiscountCodesDocument, SetDiscountCodeActiveDocument } from './graphql/generated';
import type { AdminContext, CodeDraft, CodeStep } from './context';
import type { Feature } from './feature';
import { ask, cb, esc, inputProblem, lang, parseWhole, screen } from './ui';

async function listCodes(ctx: AdminContext): Promise<void> {
  const l = lang(ctx);
  const { discountCodes } = await ctx.staff.api.request(DiscountCodesDocument, {});
  const kb = new InlineKeyboard();
  const lines = [ctx.t('codes-title')];
  for (const c of discountCodes) {
    const off = c.percent !== null ? `${formatPlainNumber(c.percent, l)}%` : formatMoney(c.amount ?? 0, l);
    const until = c.validUntil ? ` — ${ctx.t('code-until', { date: formatDate(c.validUntil, l) })}` : '';
    lines.push(`${c.active ? '🟢' : '⏸'} <code>${esc(c.code)}</code> — ${off} — ${formatPlainNumber(c.used, l)}/${c.maxUses !== null ? formatPlainNumber(c.maxUses, l) : '∞'}${until}`);
    if (c.active) kb.text(`⏸ ${c.code}`.slice(0, 60), cb.act('cdoff', c.id)).row();
  }
  if (discountCodes.length === 0) lines.push(ctx.t('codes-none'));
  kb.text(ctx.t('code-add'), cb.open('cdadd'));
  await screen(ctx, lines.join('\n'), kb);
}

// ---- The new-code wizard: code → percent or amount → value → max uses → start → days valid → plans → confirm.

const ORDER: CodeStep[] = ['code', 'kind', 'value', 'uses', 'start', 'days', 'plans', 'confirm'];

/** The API's field names (issues[].path of BAD_USER_INPUT) → the step that asks for them. */
const FIELD_STEP = { code: 'code', percent: 'value', amount: 'value', maxUses: 'uses', validFrom: 'start', validUntil: 'days', planIds: 'plans' } as const satisfies Record<string, CodeStep>;

type Choice = { id: string; title: string };

const DAY_MS = 86_400_000;

/** When the code starts and ends (ISO), from the days typed; taken at save time. */
export function codeValidity(d: Pick<CodeDraft, 'startDays' | 'validDays'>, now = Date.now()): { validFrom: string | null; validUntil: string | null } {
  const from = now + (d.startDays ?? 0) * DAY_MS;
  return { validFrom: d.startDays ? new Date(from).toISOString() : null, validUntil: d.validDays ? new Date(from + d.validDays * DAY_MS).toISOString() : null };
}

function summary(ctx: AdminContext, d: CodeDraft, choices: Choice[]): string {
  const l = lang(ctx);
  const chosen = choices.filter((c) => d.planIds?.includes(c.id)).map((c) => esc(c.title));
  return ctx.t('code-confirm', {
    plans: chosen.length ? chosen.join(l === 'fa' ? '، ' : ', ') : ctx.t('code-all-plans'),
    code: esc(d.code?.toUpperCase()),
    off: d.kind === 'percent' ? `${formatPlainNumber(d.value ?? 0, l)}%` : formatMoney(d.value ?? 0, l),
    uses: d.maxUses ? formatPlainNumber(d.maxUses, l) : '∞',
    days: d.validDays ? formatPlainNumber(d.validDays, l) : '∞',
    start: d.startDays ? formatDate(codeValidity(d).validFrom!, l) : ctx.t('code-starts-at-once'),
  });
}

/** The plans step: one toggle per plan on sale (none chosen = every plan), Done, Back, Cancel. */
function plansKeyboard(ctx: AdminContext, choices: Choice[], chosen: string[]): InlineKeyboard {
  const kb = new InlineKeyboard();
  choices.forEach((c, i) => kb.text(`${chosen.includes(c.id) ? '✅' : '▫️'} ${c.title}`.slice(0, 60), cb.step(`p${i}`)).row());
  return kb.text(ctx.t('code-plans-done'), cb.step('done')).row().text(ctx.t('nav-back'), cb.step('back')).text(ctx.t('nav-cancel'), cb.step('cancel'));
}

async function planChoices(ctx: AdminContext): Promise<Choice[]> {
  const { plans } = await ctx.staff.api.request(CatalogPlansDocument, {});
  return plans.filter((p) => p.active && !p.isTrial).slice(0, 12).map((p) => ({ id: p.id, title: lang(ctx) === 'en' ? p.titleEn : p.titleFa }));
}

async function show(ctx: AdminContext, step: CodeStep, draft: CodeDraft, problem?: string, fixing = false): Promise<void> {
  const pending = ctx.session.pending;
  const choices = step === 'plans' ? await planChoices(ctx) : pending?.kind === 'code' ? (pending.choices ?? []) : [];
  ctx.session.pending = { kind: 'code', step, draft, choices, ...(fixing ? { fixing } : {}) };
  if (step === 'plans') {
    const body = ctx.t('code-ask-plans');
    await ctx.reply(problem ? `${problem}\n\n${body}` : body, { parse_mode: 'HTML', reply_markup: plansKeyboard(ctx, choices, draft.planIds ?? []) });
    return;
  }
  const kb = new InlineKeyboard();
  if (step === 'kind') kb.text(ctx.t('code-kind-percent'), cb.step('percent')).text(ctx.t('code-kind-amount'), cb.step('amount')).row();
  if (step === 'uses' || step === 'days') kb.text(ctx.t('code-no-limit'), cb.step('none')).row();
  if (step === 'start') kb.text(ctx.t('code-start-now'), cb.step('now')).row();
  if (step === 'confirm') kb.text(ctx.t('code-save'), cb.step('ok')).row();
  kb.text(ctx.t('nav-back'), cb.step('back'));
  const body = step === 'confirm' ? summary(ctx, draft, choices) : step === 'value' ? ctx.t(`code-ask-value-${draft.kind ?? 'percent'}`) : ctx.t(`code-ask-${step}`);
  await ask(ctx, problem ? `${problem}\n\n${body}` : body, kb);
}

const next = (step: CodeStep): CodeStep => ORDER[Math.min(ORDER.indexOf(step) + 1, ORDER.length - 1)];

async function save(ctx: AdminContext, d: CodeDraft): Promise<void> {
  try {
    const { createDiscountCode } = await ctx.staff.api.request(CreateDiscountCodeDocument, {
      input: {
        code: d.code!,
        percent: d.kind === 'percent' ? d.value! : null,
        amount: d.kind === 'amount' ? d.value! : null,
        maxUses: d.maxUses ?? null,
        ...codeValidity(d),
        planIds: d.planIds ?? [],
      },
    });
    ctx.session.pending = undefined;
    await ctx.reply(ctx.t('code-created', { code: esc(createDiscountCode.code) }), { parse_mode: 'HTML' });
    await listCodes(ctx);
  } catch (err) {
    // The API's refusal in words from its code; the wizard goes back to the step at fault.
    const problem = inputProblem(err, FIELD_STEP, ['DISCOUNT_CODE_TAKEN', 'PLAN_NOT_FOUND']);
    const step: CodeStep = problem.code === 'DISCOUNT_CODE_TAKEN' ? 'code' : problem.code === 'PLAN_NOT_FOUND' ? 'plans' : (problem.field ?? 'confirm');
    await show(ctx, step, d, ctx.t(problem.field ? `code-bad-${problem.field === 'value' ? `value-${d.kind}` : problem.field}` : errorMessageId(problem.code)), step !== 'confirm');
  }
}

async function input(ctx: AdminContext, message: Message): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'code') return;
  const { step, fixing } = pending;
  const d = { ...pending.draft };
  const text = (message.text ?? '').trim();
  const bad = (id = `code-bad-${step}`) => show(ctx, step, d, ctx.t(id), fixing);
  switch (step) {
    case 'code':
      if (!/^[A-Za-z0-9_-]{3,32}$/.test(text)) return bad();
      d.code = text;
      break;
    case 'value': {
      const n = parseWhole(text);
      if (n === null || n < 1) return bad(`code-bad-value-${d.kind}`);
      d.value = n;
      break;
    }
    case 'uses':
    case 'start':
    case 'days': {
      const n = parseWhole(text, { uses: 1_000_000, start: 365, days: 3650 }[step]);
      if (n === null || n < 1) return bad();
      if (step === 'uses') d.maxUses = n;
      else if (step === 'start') d.startDays = n;
      else d.validDays = n;
      break;
    }
    default:
      // Kind and confirm are answered by buttons: ask again.
      return show(ctx, step, d);
  }
  // A value the API refused, now corrected: straight back to the confirmation.
  await show(ctx, fixing ? 'confirm' : next(step), d);
}

async function button(ctx: AdminContext, word: string): Promise<void> {
  const pending = ctx.session.pending;
  if (pending?.kind !== 'code') return;
  await ctx.answerCallbackQuery().catch(() => undefined);
  const { step, fixing } = pending;
  const d = { ...pending.draft };
  if (word === 'back') {
    const i = ORDER.indexOf(step);
    if (i === 0) {
      ctx.session.pending = undefined;
      return listCodes(ctx);
    }
    return show(ctx, ORDER[i - 1], d);
  }
  if (step === 'kind' && (word === 'percent' || word === 'amount')) return show(ctx, 'value', { ...d, kind: word, value: undefined });
  if ((step === 'uses' || step === 'days') && word === 'none') {
    if (step === 'uses') d.maxUses = null;
    else d.validDays = null;
    return show(ctx, fixing ? 'confirm' : next(step), d);
  }
  if (step === 'start' && word === 'now') {
    d.startDays = null;
    return show(ctx, fixing ? 'confirm' : next(step), d);
  }
  if (step === 'plans' && /^p\d+$/.test(word)) {
    const choice = pending.choices?.[Number(word.slice(1))];
    if (!choice) return;
    const chosen = d.planIds ?? [];
    d.planIds = chosen.includes(choice.id) ? chosen.filter((id) => id !== choice.id) : [...chosen, choice.id];
    ctx.session.pending = { ...pending, draft: d };
    await ctx.editMessageReplyMarkup({ reply_markup: plansKeyboard(ctx, pending.choices ?? [], d.planIds) });
    return;
  }
  if (step === 'plans' && word === 'done') return show(ctx, 'confirm', d);
  if (step === 'confirm' && word === 'ok') return save(ctx, d);
}

/** Discount codes: list, create (wizard), disable. */
export const codesFeature: Feature = {
  opens: { codes: listCodes, cdadd: (ctx) => show(ctx, 'code', {}) },
  acts: {
    cdoff: async (ctx, id) => {
      await ctx.staff.api.request(SetDiscountCodeActiveDocument, { id, active: false });
      await ctx.answerCallbackQuery({ text: ctx.t('code-disabled') }).catch(() => undefined);
      await listCodes(ctx);
    },
  },
  commands: { codes: 'codes', addcode: 'cdadd' },
  inputs: { code: input },
  steps: { code: button },
};
