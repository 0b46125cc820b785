import { InlineKeyboard } from 'grammy';
import { formatBytes, formatMoney, formatPlainNumber } from '../common';
import { CatalogPlansDocument, DiscountCodesDocument, SetDiscountCodeActiveDocument, SetPlanActiveDocument } from './graphql/generated';
import type { AdminContext } from './context';
import type { Feature } from './feature';
import { cb, esc, lang, screen } from './ui';

async function listPlans(ctx: AdminContext): Promise<void> {
  const l = lang(ctx);
  const { plans } = await ctx.staff.api.request(CatalogPlansDocument, {});
  const kb = new InlineKeyboard();
  const lines = [ctx.t('plans-title')];
  for (const p of plans) {
    const title = l === 'en' ? p.titleEn : p.titleFa;
    lines.push(
      `${p.active ? '🟢' : '⏸'} ${esc(title)} (<code>${esc(p.code)}</code>)${p.isTrial ? ' 🎁' : ''} — ${formatMoney(p.price, l)} — ${p.trafficBytes ? formatBytes(p.trafficBytes, l) : '∞'} — ${formatPlainNumber(p.durationDays, l)}d`,
    );
    kb.text(`${p.active ? '⏸' : '▶️'} ${title}`.slice(0, 60), cb.act(p.active ? 'ploff' : 'plon', p.id)).row();
  }
  if (plans.length === 0) lines.push(ctx.t('plans-none'));
  await screen(ctx, lines.join('\n'), kb);
}

async function listCodes(ctx: AdminContext): Promise<void> {
  const l = lang(ctx);
  const { discountCodes } = await ctx.staff.api.request(DiscountCodesDocument, {});
  const kb = new InlineKeyboard();
  const lines = [ctx.t('codes-title')];
  for (const c of discountCodes) {
    const off = c.percent !== null ? `${formatPlainNumber(c.percent, l)}%` : formatMoney(c.amount ?? 0, l);
    lines.push(`${c.active ? '🟢' : '⏸'} <code>${esc(c.code)}</code> — ${off} — ${formatPlainNumber(c.used, l)}/${c.maxUses !== null ? formatPlainNumber(c.maxUses, l) : '∞'}`);
    if (c.active) kb.text(`⏸ ${c.code}`.slice(0, 60), cb.act('cdoff', c.id)).row();
  }
  if (discountCodes.length === 0) lines.push(ctx.t('codes-none'));
  await screen(ctx, lines.join('\n'), kb);
}

/** Plans (list, activate / deactivate) and discount codes (list, disable). */
export const catalogFeature: Feature = {
  opens: { plans: listPlans, codes: listCodes },
  acts: {
    plon: async (ctx, id) => {
      await ctx.staff.api.request(SetPlanActiveDocument, { id, active: true });
      await listPlans(ctx);
    },
    ploff: async (ctx, id) => {
      await ctx.staff.api.request(SetPlanActiveDocument, { id, active: false });
      await listPlans(ctx);
    },
    cdoff: async (ctx, id) => {
      await ctx.staff.api.request(SetDiscountCodeActiveDocument, { id, active: false });
      await listCodes(ctx);
    },
  },
  commands: { plans: 'plans', codes: 'codes' },
};
