import { escapeHtml, formatBytes, formatDate, formatMoney, formatNumber, formatPlainNumber, formatQuota, daysLeft, usageBar, type BotLanguage } from '../common';
import type { PlanFieldsFragment, SubscriptionQuery } from './graphql/generated';
import type { Tr } from './texts';

/** A plan or subscription title in the user's language, escaped for HTML. */
export function titleOf(p: { titleFa: string; titleEn: string }, lang: BotLanguage): string {
  return escapeHtml(lang === 'fa' ? p.titleFa : p.titleEn);
}

/** A plan as one button line (plain text: buttons are not parsed). */
export function planButton(t: Tr, p: PlanFieldsFragment, lang: BotLanguage): string {
  return t('buy-plan-button', {
    title: lang === 'fa' ? p.titleFa : p.titleEn,
    traffic: formatQuota(p.trafficBytes, lang),
    days: formatPlainNumber(p.durationDays, lang),
    price: formatMoney(p.price, lang),
  }).slice(0, 120);
}

export function planDetail(t: Tr, p: PlanFieldsFragment, lang: BotLanguage): string {
  return t('buy-plan-detail', {
    title: titleOf(p, lang),
    traffic: formatQuota(p.trafficBytes, lang),
    days: formatPlainNumber(p.durationDays, lang),
    devices: p.deviceLimit > 0 ? formatPlainNumber(p.deviceLimit, lang) : t('buy-devices-unlimited'),
    price: formatMoney(p.price, lang),
  });
}

export function money(amount: number, lang: BotLanguage): string {
  return formatMoney(amount, lang);
}

export function statusText(t: Tr, status: string): string {
  return t(`sub-status-${status.toLowerCase()}`);
}

type Sub = NonNullable<SubscriptionQuery['subscription']>;

/** The subscription detail: status, usage bar, days left, expiry, URL and links in <code>, within 4096 characters. */
export function subscriptionDetail(t: Tr, s: Sub, lang: BotLanguage, now = new Date()): string {
  const head = t('sub-detail', {
    title: titleOf(s.plan, lang),
    status: statusText(t, s.status),
    used: formatBytes(s.usedBytes, lang),
    quota: formatQuota(s.trafficLimitBytes, lang),
    bar: usageBar(s.usedBytes, s.trafficLimitBytes, lang) || '—',
    days: s.expiresAt ? formatPlainNumber(daysLeft(s.expiresAt, now), lang) : '∞',
    expiry: s.expiresAt ? formatDate(s.expiresAt, lang) : t('sub-no-expiry'),
  });
  const parts = [head, '', t('sub-url', { url: escapeHtml(s.subscriptionUrl) })];
  if (s.links.length === 0) parts.push('', t('sub-no-links'));
  else {
    parts.push('', t('sub-links'));
    let used = parts.join('\n').length;
    for (const link of s.links) {
      const line = `<code>${escapeHtml(link)}</code>`;
      if (used + line.length + 2 > 3900) break;
      parts.push(line);
      used += line.length + 1;
    }
  }
  return parts.join('\n');
}

export { formatNumber };
