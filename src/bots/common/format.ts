/**
 * What the bots show: money, traffic, dates and HTML escaping in the user's language. Persian uses
 * Persian digits and the Jalali calendar (Node's full ICU, `fa-IR-u-ca-persian`, no dependency);
 * English uses Latin digits and the Gregorian calendar. Times are shown in the shop's timezone.
 *
 * Bots may not import services (lint), so this is the bots' own copy of the presentation rules the
 * notification renderer (src/services/format.ts) follows; both are tested to the same outputs.
 */

/** The languages the bots speak; Persian is the default. */
export type BotLanguage = 'fa' | 'en';

/** The timezone dates are shown in. */
export const DISPLAY_TIME_ZONE = 'Asia/Tehran';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const DAY_MS = 24 * 60 * 60 * 1000;

const integer: Record<BotLanguage, Intl.NumberFormat> = {
  fa: new Intl.NumberFormat('fa-IR', { maximumFractionDigits: 0 }),
  en: new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }),
};
const decimal: Record<BotLanguage, Intl.NumberFormat> = {
  fa: new Intl.NumberFormat('fa-IR', { maximumFractionDigits: 2 }),
  en: new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }),
};
const dates: Record<BotLanguage, Intl.DateTimeFormat> = {
  fa: new Intl.DateTimeFormat('fa-IR-u-ca-persian', { timeZone: DISPLAY_TIME_ZONE, year: 'numeric', month: 'long', day: 'numeric' }),
  en: new Intl.DateTimeFormat('en-US-u-ca-gregory', { timeZone: DISPLAY_TIME_ZONE, year: 'numeric', month: 'short', day: 'numeric' }),
};
const times: Record<BotLanguage, Intl.DateTimeFormat> = {
  fa: new Intl.DateTimeFormat('fa-IR-u-ca-persian', { timeZone: DISPLAY_TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  en: new Intl.DateTimeFormat('en-US-u-ca-gregory', { timeZone: DISPLAY_TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
};

/** Narrows any value (API `language`, Telegram `language_code`) to a bot language; unknown is Persian. */
export function toBotLanguage(value: string | null | undefined): BotLanguage {
  return typeof value === 'string' && value.toLowerCase().startsWith('en') ? 'en' : 'fa';
}

/** Replaces ASCII digits with Persian ones. */
export function toPersianDigits(s: string): string {
  return s.replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
}

/**
 * Reads digits a user typed in any script (Persian `۰-۹`, Arabic-Indic `٠-٩`, ASCII) as ASCII,
 * dropping separators and spaces: `۱۲٬۰۰۰` → `12000`. Anything else is kept for the caller to refuse.
 */
export function normalizeDigits(s: string): string {
  return s
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\s,٬_]/g, '');
}

/** An integer with thousands separators (Persian digits and `٬` for fa, `,` for en). */
export function formatNumber(n: number, lang: BotLanguage): string {
  return integer[lang].format(Math.round(n));
}

/** An integer without grouping (order numbers, counts); Persian digits for fa. */
export function formatPlainNumber(n: number, lang: BotLanguage): string {
  const s = String(Math.trunc(n));
  return lang === 'fa' ? toPersianDigits(s) : s;
}

/** Money is integer Toman; `IRT` is spelled out, any other currency code is shown after the amount. */
export function formatMoney(amount: number, lang: BotLanguage, currency = 'IRT'): string {
  const unit = currency === 'IRT' ? (lang === 'fa' ? 'تومان' : 'Toman') : currency;
  return `${formatNumber(amount, lang)} ${unit}`;
}

/**
 * The exact amount to transfer, as digits a banking app accepts when pasted (ASCII, no
 * separators), for a `<code>` block beside the readable {@link formatMoney}.
 */
export function formatPayableDigits(amount: number): string {
  return String(Math.round(amount));
}

/** A quota in GB (≥ 1 GB) or MB; 0 means unlimited, as for plan and subscription quotas. */
export function formatQuota(bytes: number, lang: BotLanguage): string {
  if (bytes <= 0) return lang === 'fa' ? 'نامحدود' : 'Unlimited';
  return formatBytes(bytes, lang);
}

/** Used or remaining traffic in GB (≥ 1 GB) or MB; 0 is `0 MB`. */
export function formatBytes(bytes: number, lang: BotLanguage): string {
  const value = Math.max(0, bytes);
  if (value >= GIB) return `${decimal[lang].format(value / GIB)} ${lang === 'fa' ? 'گیگابایت' : 'GB'}`;
  return `${decimal[lang].format(value / MIB)} ${lang === 'fa' ? 'مگابایت' : 'MB'}`;
}

/** A text usage bar of `width` cells, e.g. `▰▰▰▱▱▱▱▱▱▱ 30%`; an unlimited quota (0) shows no bar. */
export function usageBar(used: number, quota: number, lang: BotLanguage, width = 10): string {
  if (quota <= 0) return '';
  const ratio = Math.min(1, Math.max(0, used / quota));
  const filled = Math.round(ratio * width);
  const percent = Math.round(ratio * 100);
  const pct = lang === 'fa' ? `${toPersianDigits(String(percent))}٪` : `${percent}%`;
  return `${'▰'.repeat(filled)}${'▱'.repeat(width - filled)} ${pct}`;
}

/** Accepts a Date or an ISO string (GraphQL DateTime). */
function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** A calendar date: Jalali for fa (`۱۴ فروردین ۱۴۰۴`), Gregorian for en (`Apr 3, 2025`), Tehran time. */
export function formatDate(value: Date | string, lang: BotLanguage): string {
  return dates[lang].format(asDate(value));
}

/** Date and time (24 h), Tehran time. */
export function formatDateTime(value: Date | string, lang: BotLanguage): string {
  const date = asDate(value);
  const time = times[lang].format(date);
  return lang === 'fa' ? `${formatDate(date, lang)}، ساعت ${time}` : `${formatDate(date, lang)}, ${time}`;
}

/** Whole days left until `expiresAt` (rounded up, never negative). */
export function daysLeft(expiresAt: Date | string, now: Date = new Date()): number {
  return Math.max(0, Math.ceil((asDate(expiresAt).getTime() - now.getTime()) / DAY_MS));
}

/**
 * Escapes text for Telegram's HTML parse mode: every string a user or the API provides goes
 * through this before it is put in a message. Telegram knows only these four named entities.
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
