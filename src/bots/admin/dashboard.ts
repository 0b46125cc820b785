import { InlineKeyboard } from 'grammy';
import { formatMoney, formatPlainNumber } from '../common';
import { DashboardDocument, DashboardServersDocument } from './graphql/generated';
import type { AdminContext } from './context';
import type { Feature } from './feature';
import { cb, esc, lang, screen } from './ui';

async function showDashboard(ctx: AdminContext): Promise<void> {
  const l = lang(ctx);
  const n = (v: number) => formatPlainNumber(v, l);
  const { dashboard: d } = await ctx.staff.api.request(DashboardDocument, {});
  const active = d.subscriptionsByStatus.find((s) => s.status === 'ACTIVE')?.count ?? 0;
  const lines = [
    ctx.t('dash-title'),
    '',
    ctx.t('dash-customers', { total: n(d.customers), today: n(d.customersToday) }),
    ctx.t('dash-active-subs', { count: n(active) }),
    ctx.t('dash-revenue', { today: formatMoney(d.revenueToday, l), week: formatMoney(d.revenueLast7Days, l), month: formatMoney(d.revenueLast30Days, l) }),
    ctx.t('dash-orders-today', { count: n(d.ordersPaidToday) }),
    ctx.t('dash-receipts', { count: n(d.paymentsToReview) }),
    ctx.t('dash-failed', { count: n(d.failedOrders) }),
  ];
  if (ctx.staff.role === 'ADMIN') {
    const { servers } = await ctx.staff.api.request(DashboardServersDocument, {});
    lines.push('', ctx.t('dash-servers'));
    for (const s of servers) {
      lines.push(`${statusIcon(s.status, s.active)} ${esc(s.name)} — ${n(s.activeSubscriptions)}/${n(s.capacity)} (${n(Math.round(s.load * 100))}%)`);
    }
    if (servers.length === 0) lines.push(ctx.t('dash-no-servers'));
  }
  const kb = new InlineKeyboard().text(ctx.t('dash-refresh'), cb.open('dashr'));
  if (d.paymentsToReview > 0) kb.text(ctx.t('menu-pay'), cb.open('pay'));
  await screen(ctx, lines.join('\n'), kb);
}

export function statusIcon(status: string, active: boolean): string {
  if (!active) return '⏸';
  return status === 'HEALTHY' ? '🟢' : status === 'DEGRADED' ? '🟡' : status === 'DOWN' ? '🔴' : '⚪️';
}

/** The dashboard; Refresh edits it in place (an unchanged dashboard is not an error). */
export const dashboardFeature: Feature = {
  opens: {
    dash: showDashboard,
    dashr: async (ctx) => {
      await ctx.answerCallbackQuery({ text: ctx.t('dash-refreshed') }).catch(() => undefined);
      await showDashboard(ctx);
    },
  },
  commands: { dashboard: 'dash' },
};
