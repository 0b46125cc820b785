import type { EntityManager } from '@mikro-orm/postgresql';
import type { InlineButton, OutgoingMessage } from '../clients/telegram.types';
import type { Admin } from '../entities/admin.entity';
import { Language, type Customer } from '../entities/customer.entity';
import type { OrderKind } from '../entities/order.entity';
import type { Plan } from '../entities/plan.entity';
import { Subscription } from '../entities/subscription.entity';
import { daysLeft, escapeHtml, formatBytes, formatDate, formatDays, formatMoney, formatPlainNumber, formatTraffic, telegramTextLength, truncateText } from '../services/format';
import { getSetting } from '../services/setting.service';
import { CALLBACK_DATA_LIMIT, encodeCallback } from './callback-data';
import { notificationTemplates, type OrderItemKind, type SubscriptionView } from './messages/notification.messages';

/*
 * What every notification renderer shares (notification.render.ts dispatches by kind): the render
 * context, Telegram's limits, the error for a row that can never be rendered, and the formatting
 * of money, order numbers, plans, customers and subscriptions.
 */

/** Telegram's limits, after entity parsing. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Room kept below the text limit, so a slightly different count on Telegram's side never trips it. */
const TEXT_BUDGET = TELEGRAM_TEXT_LIMIT - 96;

/**
 * The notification cannot be rendered and never will be (unknown kind, invalid params, the row it
 * names is gone). The sender marks it FAILED instead of retrying.
 */
export class NotificationRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotificationRenderError';
  }
}

/** What a renderer gets: the database, the message language, the public URL, the clock, the currency. */
export interface RenderContext {
  em: EntityManager;
  lang: Language;
  publicUrl: string;
  now: Date;
  currency: string;
}

/** How a reviewer is named in messages: display name, else Telegram id; "—" for a decision made by an API key. */
export function reviewerName(admin: Admin | null): string {
  if (!admin) return '—';
  return truncateText(admin.displayName?.trim() || String(admin.telegramId), 60);
}

/** The Renew action under customer notices about a subscription. */
export function renewButtons(ctx: RenderContext, sub: Subscription): InlineButton[][] {
  return [[{ text: notificationTemplates(ctx.lang).buttons.renew, callbackData: encodeCallback('subscriptionRenew', sub.id) }]];
}

export async function loadSubscription(ctx: RenderContext, id: string): Promise<Subscription> {
  const sub = await ctx.em.findOne(Subscription, { id }, { populate: ['plan'] });
  if (!sub) throw new NotificationRenderError(`Subscription ${id} not found.`);
  return sub;
}

export function subscriptionView(ctx: RenderContext, sub: Subscription): SubscriptionView {
  const { lang } = ctx;
  const used = sub.usedUpBytes + sub.usedDownBytes;
  return {
    plan: escapeHtml(planTitle(sub.plan, lang)),
    name: escapeHtml(sub.panelName),
    quota: formatBytes(sub.trafficLimitBytes, lang),
    used: formatTraffic(used, lang),
    remaining: sub.trafficLimitBytes > 0 ? formatTraffic(sub.trafficLimitBytes - used, lang) : null,
    expiresAt: sub.expiresAt ? formatDate(sub.expiresAt, lang) : null,
    // Nothing "left" is shown once the date has passed (the expiry date alone says it).
    daysLeft: sub.expiresAt && daysLeft(sub.expiresAt, ctx.now) > 0 ? formatDays(daysLeft(sub.expiresAt, ctx.now), lang) : null,
    devices: sub.deviceLimit > 0 ? formatPlainNumber(sub.deviceLimit, lang) : formatBytes(0, lang),
    subUrl: escapeHtml(`${ctx.publicUrl}/sub/${sub.subToken}`),
    links: sub.links.filter((l) => typeof l === 'string' && l.trim() !== '').map((l) => escapeHtml(l.trim())),
    moreLinks: 0,
  };
}

/**
 * Renders with as many config links as fit under Telegram's text limit; the subscription URL is
 * always there, and the rest of the links are counted instead of shown.
 */
export function fitLinks(view: SubscriptionView, render: (v: SubscriptionView) => string): string {
  const all = view.links;
  for (let n = all.length; n >= 0; n--) {
    const html = render({ ...view, links: all.slice(0, n), moreLinks: all.length - n });
    if (telegramTextLength(html) <= TEXT_BUDGET) return html;
  }
  throw new NotificationRenderError('The message does not fit in one Telegram message even without config links.');
}

export function assertWithinLimits(message: OutgoingMessage): void {
  const length = telegramTextLength(message.html);
  if (length === 0 || length > TELEGRAM_TEXT_LIMIT) throw new NotificationRenderError(`Rendered text has ${length} characters (1..${TELEGRAM_TEXT_LIMIT} allowed).`);
  for (const row of message.buttons ?? []) {
    for (const b of row) {
      if ('callbackData' in b && Buffer.byteLength(b.callbackData, 'utf8') > CALLBACK_DATA_LIMIT) {
        throw new NotificationRenderError(`Callback data "${truncateText(b.callbackData, 80)}" is longer than ${CALLBACK_DATA_LIMIT} bytes.`);
      }
    }
  }
}

export function money(ctx: RenderContext, amount: number): string {
  return formatMoney(amount, ctx.lang, ctx.currency);
}

export function orderNo(n: number, lang: Language): string {
  return `#${formatPlainNumber(n, lang)}`;
}

export function planTitle(plan: Plan, lang: Language): string {
  return truncateText(lang === Language.EN ? plan.titleEn || plan.titleFa : plan.titleFa || plan.titleEn, 100);
}

export function itemKind(kind: OrderKind): OrderItemKind {
  return kind;
}

export function customerLabel(c: Customer): string {
  const parts = [c.displayName?.trim(), c.username ? `@${c.username}` : null].filter((s): s is string => !!s);
  const label = parts.length > 0 ? parts.join(' ') : c.telegramId ? String(c.telegramId) : c.id.slice(0, 8);
  return truncateText(label, 100);
}

export async function supportHandle(ctx: RenderContext): Promise<string | null> {
  const handle = (await getSetting(ctx.em, 'support_handle')).trim();
  return handle ? escapeHtml(handle) : null;
}

export function extension(mimeType: string): string {
  return mimeType === 'image/png' ? 'png' : mimeType === 'image/webp' ? 'webp' : 'jpg';
}
