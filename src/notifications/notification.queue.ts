import type { EntityManager } from '@mikro-orm/postgresql';
import { Admin } from '../entities/admin.entity';
import { AdminRole } from '../entities/common';
import { Notification, NotificationChannel } from '../entities/notification.entity';
import type { Subscription } from '../entities/subscription.entity';
import { enqueue, type EnqueueOptions } from '../jobs/enqueue';
import type { WriteBatch } from '../services/write-batch';
import type { Alert } from './alerts';

/**
 * Notification kinds and their params. Rendering (src/notifications/notification.render.ts) turns
 * each into a message in the recipient's language.
 */
export interface NotificationParams {
  /** Customer: a card-to-card payment was approved; the invoice is included. */
  PAYMENT_APPROVED: { orderId: string; orderNumber: number; amount: number };
  /** Customer: a payment was rejected, with the admin's reason. */
  PAYMENT_REJECTED: { orderId: string; orderNumber: number; reason: string };
  /** Customer: an unpaid card-to-card payment passed its deadline. */
  PAYMENT_EXPIRED: { orderId: string; orderNumber: number };
  /** Customer: a new subscription is ready: links and subscription URL. */
  CONFIG_READY: { subscriptionId: string };
  /** Customer: a renewal or extra traffic was applied to an existing subscription. */
  SUBSCRIPTION_UPDATED: { subscriptionId: string; orderNumber: number };
  /** Customer: provisioning failed for good; the money went back to the wallet. */
  PROVISIONING_FAILED: { orderId: string; orderNumber: number; refunded: number };
  /** Customer: wallet credited by a top-up. */
  WALLET_CREDITED: { orderId: string; orderNumber: number; amount: number };
  /** Customer: a message an admin wrote to them (plain text, shown escaped). */
  CUSTOMER_MESSAGE: { text: string };
  /** Admins: a receipt waits for review (photo + Approve/Reject buttons). */
  ADMIN_NEW_RECEIPT: { paymentId: string; orderNumber: number; receiptId: string | null; payableAmount: number; trackingCode: string | null; customerLabel: string };
  /**
   * Admins: something needs attention (NO_CAPACITY, provisioning failed, server down...). `facts`
   * are rendered by the alert catalogue in the admin's language; `message` is the free text of rows
   * written before alerts had facts.
   */
  ADMIN_ALERT: { code: string; facts?: Record<string, unknown>; message?: string; subject?: string; orderNumber?: number; serverName?: string };
  /** Customer: usage or expiry warning (issue: lifecycle). */
  USAGE_WARNING: { subscriptionId: string; percent: number };
  EXPIRY_WARNING: { subscriptionId: string; hoursLeft: number };
  SUBSCRIPTION_ENDED: { subscriptionId: string; reason: 'EXPIRED' | 'DEPLETED' };
  /** Customer: support answered a ticket (the reply and a button to open the thread). */
  TICKET_REPLY: { ticketId: string; subject: string; body: string };
  /** Admins: a customer opened a ticket or wrote in one. */
  ADMIN_TICKET_MESSAGE: { ticketId: string; subject: string; customerLabel: string; body: string; isNew: boolean };
}

export type NotificationKind = keyof NotificationParams;

/** Which bot delivers each kind. */
export const CHANNEL_OF: Record<NotificationKind, NotificationChannel> = {
  PAYMENT_APPROVED: NotificationChannel.USER_BOT,
  PAYMENT_REJECTED: NotificationChannel.USER_BOT,
  PAYMENT_EXPIRED: NotificationChannel.USER_BOT,
  CONFIG_READY: NotificationChannel.USER_BOT,
  SUBSCRIPTION_UPDATED: NotificationChannel.USER_BOT,
  PROVISIONING_FAILED: NotificationChannel.USER_BOT,
  WALLET_CREDITED: NotificationChannel.USER_BOT,
  CUSTOMER_MESSAGE: NotificationChannel.USER_BOT,
  USAGE_WARNING: NotificationChannel.USER_BOT,
  EXPIRY_WARNING: NotificationChannel.USER_BOT,
  SUBSCRIPTION_ENDED: NotificationChannel.USER_BOT,
  ADMIN_NEW_RECEIPT: NotificationChannel.ADMIN_BOT,
  ADMIN_ALERT: NotificationChannel.ADMIN_BOT,
  TICKET_REPLY: NotificationChannel.USER_BOT,
  ADMIN_TICKET_MESSAGE: NotificationChannel.ADMIN_BOT,
};

/** The job options of a notification's first delivery job (one pending delivery per row). */
export function deliveryJobOptions(notificationId: string): EnqueueOptions {
  return { jobKey: `send_notification:${notificationId}`, maxAttempts: 10 };
}

/** A notification to queue: its kind, recipient and params. */
export interface NotificationInput<K extends NotificationKind> {
  kind: K;
  telegramId: number | null | undefined;
  params: NotificationParams[K];
  subscription?: Subscription | null;
  /** Warnings only: unique per (subscription, kind, threshold, period). */
  threshold?: string;
  period?: string;
}

/**
 * Writes an outbox row and enqueues its delivery in the caller's transaction: the message exists
 * if and only if the event committed. Recipients without a Telegram id (reseller customers) get none.
 */
export async function queueNotification<K extends NotificationKind>(em: EntityManager, input: NotificationInput<K>): Promise<Notification | null> {
  if (!input.telegramId) return null;
  const n = em.create(Notification, notificationData(input, input.telegramId));
  await em.flush();
  await enqueue(em, 'send_notification', { notificationId: n.id }, deliveryJobOptions(n.id));
  return n;
}

/** {@link queueNotification} as part of a one-statement write (src/services/write-batch.ts). */
export function stageNotification<K extends NotificationKind>(em: EntityManager, batch: WriteBatch, input: NotificationInput<K>): Notification | null {
  if (!input.telegramId) return null;
  const n = em.create(Notification, notificationData(input, input.telegramId), { persist: false });
  batch.insert(n).job({ task: 'send_notification', payload: { notificationId: n.id }, options: deliveryJobOptions(n.id) });
  return n;
}

function notificationData<K extends NotificationKind>(input: NotificationInput<K>, telegramId: number) {
  return {
    channel: CHANNEL_OF[input.kind],
    recipientTelegramId: telegramId,
    kind: input.kind,
    params: input.params as unknown as Record<string, unknown>,
    subscription: input.subscription ?? null,
    threshold: input.threshold ?? null,
    period: input.period ?? null,
  };
}

/**
 * What services pass for admin notifications. An alert is built from the catalogue
 * (src/notifications/alert-codes.ts) and goes through src/notifications/alerts.ts; stored rows keep
 * a plain code string, which renders with a generic title if a code was ever retired.
 */
export interface AdminNoticeParams {
  ADMIN_NEW_RECEIPT: NotificationParams['ADMIN_NEW_RECEIPT'];
  ADMIN_ALERT: Alert;
  ADMIN_TICKET_MESSAGE: NotificationParams['ADMIN_TICKET_MESSAGE'];
}

/** Queues one notification per active admin (optionally only ADMIN-role admins). */
export async function notifyAdmins<K extends keyof AdminNoticeParams>(
  em: EntityManager,
  kind: K,
  params: AdminNoticeParams[K] & NotificationParams[K],
  opts: { onlyRole?: AdminRole } = {},
): Promise<number> {
  const admins = await em.find(Admin, opts.onlyRole ? { active: true, role: opts.onlyRole } : { active: true });
  for (const admin of admins) await queueNotification(em, { kind, telegramId: admin.telegramId, params });
  return admins.length;
}
