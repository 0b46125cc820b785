import { Language } from '../entities/customer.entity';

/**
 * Presentation helpers for Telegram messages: money, traffic, dates and HTML escaping, in the
 * recipient's language. Persian uses Persian digits and the Jalali calendar; English uses Latin
 * digits and the Gregorian calendar. Times are shown in the shop's timezone (Asia/Tehran).
 */

/** The timezone dates are shown in. */
export const DISPLAY_TIME_ZONE = 'Asia/Tehran';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const DAY_MS = 24 * 60 * 60 * 1000;

const numberFormats: Record<Language, Intl.NumberFormat> = {
  [Language.FA]: new Intl.NumberFormat('fa-IR', { maximumFractionDigits: 0 }),
  [Language.EN]: new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }),
};

const decimalFormats: Record<Language, Intl.NumberFormat> = {
  [Language.FA]: new Intl.NumberFormat('fa-IR', { maximumFractionDigits: 2 }),
  [Language.EN]: new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }),
};

const dateFormats: Record<Language, Intl.DateTimeFormat> = {
  [Language.FA]: new Intl.DateTimeFormat('fa-IR-u-ca-persian', { timeZone: DISPLAY_TIME_ZONE, year: 'numeric', month: 'long', day: 'numeric' }),
  [Language.EN]: new Intl.DateTimeFormat('en-US-u-ca-gregory', { timeZone: DISPLAY_TIME_ZONE, year: 'numeric', month: 'short', day: 'numeric' }),
};

const timeFormats: Record<Language, Intl.DateTimeFormat> = {
  [Language.FA]: new Intl.DateTimeFormat('fa-IR-u-ca-persian', { timeZone: DISPLAY_TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  [Language.EN]: new Intl.DateTimeFormat('en-US-u-ca-gregory', { timeZone: DISPLAY_TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
};

/** Narrows any string to a supported language; unknown values fall back to Persian (the default). */
export function toLanguage(value: string | null | undefined): Language {
  return value === Language.EN ? Language.EN : Language.FA;
}

/** An integer with thousands separators (Persian digits and `٬` for fa, `,` for en). */
export function formatNumber(n: number, lang: Language): string {
  return numberFormats[lang].format(Math.round(n));
}

/** An integer without grouping (order numbers, counts): Persian digits for fa. */
export function formatPlainNumber(n: number, lang: Language): string {
  const s = String(Math.trunc(n));
  return lang === Language.FA ? toPersianDigits(s) : s;
}

/** Replaces ASCII digits with Persian ones. */
export function toPersianDigits(s: string): string {
  return s.replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d)));
}

/**
 * Money is integer Toman (PRODUCT §3). `currency` is the `currency` setting: `IRT` (Toman) is
 * spelled out; any other code is shown as is after the amount.
 */
export function formatMoney(amount: number, lang: Language, currency = 'IRT'): string {
  const unit = currency === 'IRT' ? (lang === Language.FA ? 'تومان' : 'Toman') : currency;
  return `${formatNumber(amount, lang)} ${unit}`;
}

/** Traffic in GB (≥ 1 GB) or MB; 0 means unlimited, as for plan and subscription quotas. */
export function formatBytes(bytes: number, lang: Language): string {
  if (bytes <= 0) return lang === Language.FA ? 'نامحدود' : 'Unlimited';
  return formatTraffic(bytes, lang);
}

/** Used or remaining traffic: like formatBytes, but 0 is `0 MB`, not unlimited. */
export function formatTraffic(bytes: number, lang: Language): string {
  const value = Math.max(0, bytes);
  if (value >= GIB) return `${decimalFormats[lang].format(value / GIB)} ${lang === Language.FA ? 'گیگابایت' : 'GB'}`;
  return `${decimalFormats[lang].format(value / MIB)} ${lang === Language.FA ? 'مگابایت' : 'MB'}`;
}

/** A calendar date: Jalali for fa (`۱۴ فروردین ۱۴۰۴`), Gregorian for en (`Apr 3, 2025`), Tehran time. */
export function formatDate(date: Date, lang: Language): string {
  return dateFormats[lang].format(date);
}

/** Date and time (24 h), Tehran time. */
export function formatDateTime(date: Date, lang: Language): string {
  const time = timeFormats[lang].format(date);
  return lang === Language.FA ? `${formatDate(date, lang)}، ساعت ${time}` : `${formatDate(date, lang)}, ${time}`;
}

/** Whole days left until `expiresAt` (rounded up, never negative). */
export function daysLeft(expiresAt: Date, now: Date = new Date()): number {
  return Math.max(0, Math.ceil((expiresAt.getTime() - now.getTime()) / DAY_MS));
}

/** `۳ روز` / `3 days` (`1 day`). */
export function formatDays(days: number, lang: Language): string {
  if (lang === Language.FA) return `${formatPlainNumber(days, lang)} روز`;
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}

/** `۵ ساعت` / `5 hours`; 48 hours and more are shown in days. */
export function formatHours(hours: number, lang: Language): string {
  if (hours >= 48) return formatDays(Math.round(hours / 24), lang);
  const h = Math.max(0, Math.round(hours));
  if (lang === Language.FA) return `${formatPlainNumber(h, lang)} ساعت`;
  return `${h} ${h === 1 ? 'hour' : 'hours'}`;
}

/** How long ago, coarse: `۱۲ دقیقه` / `12 min` under an hour, then hours, then days. */
export function formatAge(ms: number, lang: Language): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return lang === Language.FA ? `${formatPlainNumber(minutes, lang)} دقیقه` : `${minutes} min`;
  return formatHours(Math.floor(minutes / 60), lang);
}

/** A percentage without decimals (`۸۰٪` / `80%`). */
export function formatPercent(percent: number, lang: Language): string {
  return lang === Language.FA ? `${formatPlainNumber(Math.round(percent), lang)}٪` : `${Math.round(percent)}%`;
}

/**
 * Escapes text for Telegram's HTML parse mode. Telegram only knows `&lt;`, `&gt;`, `&amp;` and
 * `&quot;` as named entities, so nothing else is produced.
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The length Telegram checks against its limits (4096 for text, 1024 for captions): the text
 * after tags are removed and entities decoded, in UTF-16 code units.
 */
export function telegramTextLength(html: string): number {
  const text = html
    .replace(/<[^>]*>/g, '')
    .replace(/&(lt|gt|amp|quot);/g, 'x')
    .replace(/&#x[0-9a-f]+;/gi, 'x')
    .replace(/&#[0-9]+;/g, 'x');
  return text.length;
}

/** Cuts plain (unescaped) text to at most `max` characters, with an ellipsis when cut. */
export function truncateText(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}
