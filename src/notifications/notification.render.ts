import type { EntityManager } from '@mikro-orm/postgresql';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { InlineButton, OutgoingMessage } from '../clients/telegram.types';
import { Admin } from '../entities/admin.entity';
import { Customer, Language } from '../entities/customer.entity';
import { NotificationChannel, type Notification } from '../entities/notification.entity';
import { Order, OrderKind } from '../entities/order.entity';
import { Payment, PaymentStatus } from '../entities/payment.entity';
import type { Plan } from '../entities/plan.entity';
import { Receipt } from '../entities/receipt.entity';
import { Subscription } from '../entities/subscription.entity';
import {
  daysLeft,
  escapeHtml,
  formatAge,
  formatBytes,
  formatDate,
  formatDateTime,
  formatDays,
  formatHours,
  formatMoney,
  formatPercent,
  formatPlainNumber,
  formatTraffic,
  telegramTextLength,
  toLanguage,
  truncateText,
} from '../services/format';
import { notificationTemplates, type OrderItemKind, type SubscriptionView } from './messages/notification.messages';
import type { NotificationKind, NotificationParams } from './notification.queue';
import { getSetting } from '../services/setting.service';
import { alertBody, type AlertFormat } from './alert-codes';
import { CALLBACK_DATA_LIMIT, encodeCallback } from './callback-data';

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

/** Options of {@link renderNotification}. */
export interface RenderOptions {
  /** PUBLIC_URL (no trailing slash): subscription URLs are `${publicUrl}/sub/<token>`. */
  publicUrl: string;
  /** The clock (tests). */
  now?: Date;
}

const uuid = z.string().min(1).max(64);
const int = z.number().int();

/** Params are re-validated: outbox rows outlive deploys. */
const PARAM_SCHEMAS: { [K in NotificationKind]: z.ZodType<NotificationParams[K]> } = {
  PAYMENT_APPROVED: z.object({ orderId: uuid, orderNumber: int, amount: int }),
  PAYMENT_REJECTED: z.object({ orderId: uuid, orderNumber: int, reason: z.string() }),
  PAYMENT_EXPIRED: z.object({ orderId: uuid, orderNumber: int }),
  CONFIG_READY: z.object({ subscriptionId: uuid }),
  SUBSCRIPTION_UPDATED: z.object({ subscriptionId: uuid, orderNumber: int }),
  PROVISIONING_FAILED: z.object({ orderId: uuid, orderNumber: int, refunded: int }),
  WALLET_CREDITED: z.object({ orderId: uuid, orderNumber: int, amount: int }),
  CUSTOMER_MESSAGE: z.object({ text: z.string().min(1) }),
  ADMIN_NEW_RECEIPT: z.object({
    paymentId: uuid,
    orderNumber: int,
    receiptId: uuid.nullable(),
    payableAmount: int,
    trackingCode: z.string().nullable(),
    customerLabel: z.string(),
  }),
  ADMIN_ALERT: z.object({
    code: z.string(),
    facts: z.record(z.string(), z.unknown()).optional(),
    message: z.string().optional(),
    subject: z.string().optional(),
    orderNumber: int.optional(),
    serverName: z.string().optional(),
  }),
  USAGE_WARNING: z.object({ subscriptionId: uuid, percent: z.number() }),
  EXPIRY_WARNING: z.object({ subscriptionId: uuid, hoursLeft: z.number() }),
  SUBSCRIPTION_ENDED: z.object({ subscriptionId: uuid, reason: z.enum(['EXPIRED', 'DEPLETED']) }),
  TICKET_REPLY: z.object({ ticketId: uuid, subject: z.string(), body: z.string() }),
  ADMIN_TICKET_MESSAGE: z.object({ ticketId: uuid, subject: z.string(), customerLabel: z.string(), body: z.string(), isNew: z.boolean() }),
};

/** Messages use the recipient's language: the admin's or the customer's (default Persian). */
export async function recipientLanguage(em: EntityManager, notification: Notification): Promise<Language> {
  if (notification.channel === NotificationChannel.ADMIN_BOT) {
    const admin = await em.findOne(Admin, { telegramId: notification.recipientTelegramId }, { fields: ['language'] });
    return toLanguage(admin?.language);
  }
  const customer = await em.findOne(Customer, { telegramId: notification.recipientTelegramId }, { fields: ['language'] });
  return toLanguage(customer?.language);
}

/**
 * Turns an outbox row into a Telegram message in `language`: HTML with every user-supplied value
 * escaped, within Telegram's length limits (link lists are shortened, the subscription URL always
 * first), buttons with callback data of at most 64 bytes. Throws {@link NotificationRenderError}
 * when the row can never be rendered.
 */
export async function renderNotification(
  em: EntityManager,
  notification: Notification,
  language: Language,
  options: RenderOptions,
): Promise<OutgoingMessage> {
  const kind = notification.kind;
  if (!isNotificationKind(kind)) throw new NotificationRenderError(`Unknown notification kind "${truncateText(kind, 60)}".`);
  const parsed = PARAM_SCHEMAS[kind].safeParse(notification.params);
  if (!parsed.success) throw new NotificationRenderError(`Invalid params for ${kind}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const ctx: RenderContext = { em, lang: language, publicUrl: options.publicUrl, now: options.now ?? new Date(), currency: await getSetting(em, 'currency') };
  const message = await RENDERERS[kind](ctx, parsed.data as never);
  assertWithinLimits(message);
  return message;
}

function isNotificationKind(kind: string): kind is NotificationKind {
  return Object.prototype.hasOwnProperty.call(PARAM_SCHEMAS, kind);
}

interface RenderContext {
  em: EntityManager;
  lang: Language;
  publicUrl: string;
  now: Date;
  currency: string;
}

type Renderer<K extends NotificationKind> = (ctx: RenderContext, params: NotificationParams[K]) => Promise<OutgoingMessage>;

const RENDERERS: { [K in NotificationKind]: Renderer<K> } = {
  PAYMENT_APPROVED: renderInvoice,
  async PAYMENT_REJECTED(ctx, p) {
    const t = notificationTemplates(ctx.lang);
    return {
      html: t.paymentRejected({ orderNumber: orderNo(p.orderNumber, ctx.lang), reason: escapeHtml(truncateText(p.reason.trim() || '—', 1000)), support: await supportHandle(ctx) }),
    };
  },
  async PAYMENT_EXPIRED(ctx, p) {
    const t = notificationTemplates(ctx.lang);
    return { html: t.paymentExpired({ orderNumber: orderNo(p.orderNumber, ctx.lang), support: await supportHandle(ctx) }) };
  },
  async CONFIG_READY(ctx, p) {
    const sub = await loadSubscription(ctx, p.subscriptionId);
    const t = notificationTemplates(ctx.lang);
    const view = subscriptionView(ctx, sub);
    // A QR code of the subscription URL: most VPN apps import by scanning it.
    const qr = await QRCode.toBuffer(`${ctx.publicUrl}/sub/${sub.subToken}`, { type: 'png', width: 512, margin: 2, errorCorrectionLevel: 'M' });
    return { html: fitLinks(view, (v) => t.configReady(v)), photo: { bytes: qr, filename: 'subscription-qr.png' } };
  },
  async SUBSCRIPTION_UPDATED(ctx, p) {
    const sub = await loadSubscription(ctx, p.subscriptionId);
    const order = await ctx.em.findOne(Order, { number: p.orderNumber }, { fields: ['kind'] });
    const t = notificationTemplates(ctx.lang);
    return {
      html: t.subscriptionUpdated({ ...subscriptionView(ctx, sub), links: [], orderNumber: orderNo(p.orderNumber, ctx.lang), itemKind: order ? itemKind(order.kind) : null }),
    };
  },
  async PROVISIONING_FAILED(ctx, p) {
    const t = notificationTemplates(ctx.lang);
    return {
      html: t.provisioningFailed({
        orderNumber: orderNo(p.orderNumber, ctx.lang),
        refunded: p.refunded > 0 ? money(ctx, p.refunded) : null,
        support: await supportHandle(ctx),
      }),
    };
  },
  async WALLET_CREDITED(ctx, p) {
    const t = notificationTemplates(ctx.lang);
    return { html: t.walletCredited({ orderNumber: orderNo(p.orderNumber, ctx.lang), amount: money(ctx, p.amount) }) };
  },
  async CUSTOMER_MESSAGE(ctx, p) {
    return { html: notificationTemplates(ctx.lang).customerMessage({ text: escapeHtml(truncateText(p.text, 3500)) }) };
  },
  ADMIN_NEW_RECEIPT: renderReceiptReview,
  async ADMIN_ALERT(ctx, p) {
    const t = notificationTemplates(ctx.lang);
    return {
      html: t.alert({
        code: escapeHtml(truncateText(p.code, 64)),
        message: alertBodyHtml(ctx, p),
        orderNumber: p.orderNumber !== undefined ? orderNo(p.orderNumber, ctx.lang) : null,
        serverName: p.serverName !== undefined ? escapeHtml(truncateText(p.serverName, 100)) : null,
      }),
    };
  },
  async USAGE_WARNING(ctx, p) {
    const sub = await loadSubscription(ctx, p.subscriptionId);
    const t = notificationTemplates(ctx.lang);
    return {
      html: t.usageWarning({ ...subscriptionView(ctx, sub), links: [], percent: formatPercent(p.percent, ctx.lang), depleted: p.percent >= 100 }),
      buttons: renewButtons(ctx, sub),
    };
  },
  async EXPIRY_WARNING(ctx, p) {
    const sub = await loadSubscription(ctx, p.subscriptionId);
    const t = notificationTemplates(ctx.lang);
    return { html: t.expiryWarning({ ...subscriptionView(ctx, sub), links: [], timeLeft: formatHours(p.hoursLeft, ctx.lang) }), buttons: renewButtons(ctx, sub) };
  },
  async SUBSCRIPTION_ENDED(ctx, p) {
    const sub = await loadSubscription(ctx, p.subscriptionId);
    const grace = await getSetting(ctx.em, 'grace_days');
    const t = notificationTemplates(ctx.lang);
    return {
      html: t.subscriptionEnded({ ...subscriptionView(ctx, sub), links: [], reason: p.reason, graceDays: grace > 0 ? formatDays(grace, ctx.lang) : null }),
      buttons: renewButtons(ctx, sub),
    };
  },
  async TICKET_REPLY(ctx, p) {
    const t = notificationTemplates(ctx.lang);
    return {
      html: t.ticketReply({ subject: escapeHtml(truncateText(p.subject, 120)), body: escapeHtml(truncateText(p.body, 3000)) }),
      buttons: [[{ text: t.buttons.openTicket, callbackData: encodeCallback('ticketOpen', p.ticketId) }]],
    };
  },
  async ADMIN_TICKET_MESSAGE(ctx, p) {
    const t = notificationTemplates(ctx.lang);
    return {
      html: t.ticketMessage({ subject: escapeHtml(truncateText(p.subject, 120)), customer: escapeHtml(truncateText(p.customerLabel, 100)), body: escapeHtml(truncateText(p.body, 3000)), isNew: p.isNew }),
      buttons: [[{ text: t.buttons.openTicket, callbackData: encodeCallback('ticketOpen', p.ticketId) }]],
    };
  },
};

/** The alert's body in the message language: from its facts, or an old row's stored text. */
function alertBodyHtml(ctx: RenderContext, p: NotificationParams['ADMIN_ALERT']): string {
  const format: AlertFormat = { num: (n) => formatPlainNumber(n, ctx.lang), text: (s, max = 2000) => escapeHtml(truncateText(s, max)) };
  const body = alertBody(p.code, p.facts, ctx.lang === Language.EN ? 'en' : 'fa', format);
  return body ?? escapeHtml(truncateText(p.message ?? '—', 2000));
}

async function renderInvoice(ctx: RenderContext, p: NotificationParams['PAYMENT_APPROVED']): Promise<OutgoingMessage> {
  const order = await ctx.em.findOne(Order, { id: p.orderId }, { populate: ['plan', 'customer'] });
  if (!order) throw new NotificationRenderError(`Order ${p.orderId} not found.`);
  const payment = await ctx.em.findOne(Payment, { order: order.id });
  const t = notificationTemplates(ctx.lang);
  const date = payment?.reviewedAt ?? order.paidAt ?? ctx.now;
  const method = payment?.method ?? order.paymentMethod;
  return {
    html: t.invoice({
      invoiceNumber: orderNo(order.number, ctx.lang),
      date: formatDateTime(date, ctx.lang),
      customer: escapeHtml(customerLabel(order.customer)),
      itemKind: itemKind(order.kind),
      plan: order.plan ? escapeHtml(planTitle(order.plan, ctx.lang)) : null,
      price: money(ctx, order.price),
      discount: order.discount > 0 ? money(ctx, order.discount) : null,
      amountPaid: money(ctx, p.amount),
      method: t.paymentMethod[method],
      trackingCode: payment?.trackingCode ? escapeHtml(truncateText(payment.trackingCode, 64)) : null,
      payableAmount: payment?.payableAmount != null ? money(ctx, payment.payableAmount) : null,
    }),
  };
}

async function renderReceiptReview(ctx: RenderContext, p: NotificationParams['ADMIN_NEW_RECEIPT']): Promise<OutgoingMessage> {
  const payment = await ctx.em.findOne(Payment, { id: p.paymentId }, { populate: ['order', 'order.plan', 'reviewedBy'] });
  const receipt = p.receiptId ? await ctx.em.findOne(Receipt, { id: p.receiptId }, { populate: ['data'] }) : null;
  const image = receipt && /^image\/(jpeg|png|webp)$/.test(receipt.mimeType) && receipt.data?.length ? receipt : null;
  const t = notificationTemplates(ctx.lang);
  const decided = payment && (payment.status === PaymentStatus.APPROVED || payment.status === PaymentStatus.REJECTED) ? payment : null;
  const submittedAt = payment?.submittedAt ?? ctx.now;
  const html = t.receiptReview({
    orderNumber: orderNo(p.orderNumber, ctx.lang),
    customer: escapeHtml(truncateText(p.customerLabel, 100)),
    itemKind: payment ? itemKind(payment.order.kind) : null,
    plan: payment?.order.plan ? escapeHtml(truncateText(planTitle(payment.order.plan, ctx.lang), 100)) : null,
    payableAmount: money(ctx, p.payableAmount),
    trackingCode: p.trackingCode ? escapeHtml(truncateText(p.trackingCode, 64)) : null,
    submittedAt: formatDateTime(submittedAt, ctx.lang),
    age: formatAge(ctx.now.getTime() - submittedAt.getTime(), ctx.lang),
    hasImage: image !== null,
    decision: decided
      ? {
          approved: decided.status === PaymentStatus.APPROVED,
          by: escapeHtml(reviewerName(decided.reviewedBy ?? null)),
          at: formatDateTime(decided.reviewedAt ?? ctx.now, ctx.lang),
          reason: decided.rejectReason ? escapeHtml(truncateText(decided.rejectReason, 300)) : null,
        }
      : null,
  });
  // Once decided, the buttons go: the message now says who decided.
  const buttons: InlineButton[][] = decided
    ? []
    : [
        [
          { text: t.buttons.approve, callbackData: encodeCallback('paymentApprove', p.paymentId) },
          { text: t.buttons.reject, callbackData: encodeCallback('paymentReject', p.paymentId) },
        ],
      ];
  const photo = image ? { bytes: Buffer.from(image.data), filename: `receipt-${p.orderNumber}.${extension(image.mimeType)}` } : undefined;
  return { html, buttons, photo };
}

/** How a reviewer is named in messages: display name, else Telegram id; "—" for a decision made by an API key. */
export function reviewerName(admin: Admin | null): string {
  if (!admin) return '—';
  return truncateText(admin.displayName?.trim() || String(admin.telegramId), 60);
}

/** The Renew action under customer notices about a subscription. */
function renewButtons(ctx: RenderContext, sub: Subscription): InlineButton[][] {
  return [[{ text: notificationTemplates(ctx.lang).buttons.renew, callbackData: encodeCallback('subscriptionRenew', sub.id) }]];
}

async function loadSubscription(ctx: RenderContext, id: string): Promise<Subscription> {
  const sub = await ctx.em.findOne(Subscription, { id }, { populate: ['plan'] });
  if (!sub) throw new NotificationRenderError(`Subscription ${id} not found.`);
  return sub;
}

function subscriptionView(ctx: RenderContext, sub: Subscription): SubscriptionView {
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
function fitLinks(view: SubscriptionView, render: (v: SubscriptionView) => string): string {
  const all = view.links;
  for (let n = all.length; n >= 0; n--) {
    const html = render({ ...view, links: all.slice(0, n), moreLinks: all.length - n });
    if (telegramTextLength(html) <= TEXT_BUDGET) return html;
  }
  throw new NotificationRenderError('The message does not fit in one Telegram message even without config links.');
}

function assertWithinLimits(message: OutgoingMessage): void {
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

function money(ctx: RenderContext, amount: number): string {
  return formatMoney(amount, ctx.lang, ctx.currency);
}

function orderNo(n: number, lang: Language): string {
  return `#${formatPlainNumber(n, lang)}`;
}

function planTitle(plan: Plan, lang: Language): string {
  return truncateText(lang === Language.EN ? plan.titleEn || plan.titleFa : plan.titleFa || plan.titleEn, 100);
}

function itemKind(kind: OrderKind): OrderItemKind {
  return kind;
}

function customerLabel(c: Customer): string {
  const parts = [c.displayName?.trim(), c.username ? `@${c.username}` : null].filter((s): s is string => !!s);
  const label = parts.length > 0 ? parts.join(' ') : c.telegramId ? String(c.telegramId) : c.id.slice(0, 8);
  return truncateText(label, 100);
}

async function supportHandle(ctx: RenderContext): Promise<string | null> {
  const handle = (await getSetting(ctx.em, 'support_handle')).trim();
  return handle ? escapeHtml(handle) : null;
}

function extension(mimeType: string): string {
  return mimeType === 'image/png' ? 'png' : mimeType === 'image/webp' ? 'webp' : 'jpg';
}
