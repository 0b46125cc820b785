import { InlineKeyboard } from 'grammy';
import { encodeCallback } from '../../notifications/callback-data';
import { formatDate, formatMoney, showScreen, withNavigation } from '../common';
import type { ShopContext } from './context';
import { WalletDocument } from './graphql/generated';

/** The wallet: balance, the last movements and Top up (one request). */
export async function showWallet(ctx: ShopContext): Promise<void> {
  const { wallet } = await ctx.shop.api.request(WalletDocument);
  const lang = ctx.shop.lang;
  const lines = [ctx.t('wallet-title', { balance: formatMoney(wallet.balance, lang) }), ''];
  const entries = wallet.entries.slice(0, 8);
  if (entries.length === 0) lines.push(ctx.t('wallet-no-entries'));
  else {
    lines.push(ctx.t('wallet-entries-title'));
    for (const e of entries) {
      const sign = e.amount > 0 ? '+' : '−';
      lines.push(ctx.t('wallet-entry', { date: formatDate(e.createdAt, lang), kind: ctx.t(`wallet-kind-${e.kind.toLowerCase().replace(/_/g, '-')}`), amount: `${sign}${formatMoney(Math.abs(e.amount), lang)}` }));
    }
  }
  await showScreen(ctx, lines.join('\n'), withNavigation((id, v) => ctx.t(id, v), new InlineKeyboard().text(ctx.t('wallet-topup'), encodeCallback('shopTopUp'))));
}
