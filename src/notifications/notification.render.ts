import type { EntityManager } from '@mikro-orm/postgresql';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { OutgoingMessage } from '../clients/telegram.types';
import { Admin } from '../entities/admin.entity';
import { Customer, Language } from '../entities/customer.entity';
import { NotificationChannel, type Notification } from '../entities/notification.entity';
import { Order } from '../entities/order.entity';
import { escapeHtml, formatDays, formatHours, formatPercent, formatPlainNumber, toLanguage, truncateText } from '../services/format';
import { getSetting } from '../services/setting.service';
import { alertBody, type AlertFormat } from './alert-codes';
import { encodeCallback } from './callback-data';
import { notificationTemplates } from './messages/notification.messages';
import type { NotificationKind, NotificationParams } from './notification.queue';
import {
  assertWithinLimits,
  fitLinks,
  itemKind,
  loadSubscription,
  money,
  NotificationRenderError,
  orderNo,
  renewButtons,
  subscriptionView,
  supportHandle,
  type RenderContext,
} from './notification.render-kit';
import { renderInvoice, renderReceiptReview } from './notification.render-payments';

export { NotificationRenderError, TELEGRAM_TEXT_LIMIT } from './notification.render-kit';

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
