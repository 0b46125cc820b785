import { Language } from '../../entities/customer.entity';
import type { OrderKind } from '../../entities/order.entity';
import { EN_NOTIFICATIONS } from './notification.en';
import { FA_NOTIFICATIONS } from './notification.fa';

/**
 * Views handed to the templates. Every string in a view is already formatted for the language
 * and escaped for Telegram HTML: templates only arrange them and add their own fixed text.
 */

/** What the customer bought, as the invoice and receipt messages name it. */
export type OrderItemKind = `${OrderKind}`;

/** A subscription as customer messages show it. */
export interface SubscriptionView {
  /** Plan title. */
  plan: string;
  /** The subscription's name on the panel (what client apps show as its remark). */
  name: string;
  /** Quota (`Unlimited` when 0). */
  quota: string;
  /** Traffic used so far. */
  used: string;
  /** Traffic left; null when the quota is unlimited. */
  remaining: string | null;
  /** Expiry date; null when none is set yet. */
  expiresAt: string | null;
  /** Days left until expiry (formatted); null without an expiry. */
  daysLeft: string | null;
  /** Device limit, or `Unlimited`. */
  devices: string;
  /** Our subscription URL `${PUBLIC_URL}/sub/<token>`. */
  subUrl: string;
  /** Config links that fit in the message. */
  links: string[];
  /** How many links were left out to stay under Telegram's length limit. */
  moreLinks: number;
}

/** PAYMENT_APPROVED: the invoice. */
export interface InvoiceView {
  invoiceNumber: string;
  date: string;
  customer: string;
  itemKind: OrderItemKind;
  /** Plan title; null for wallet top-ups. */
  plan: string | null;
  price: string;
  /** null when there was no discount. */
  discount: string | null;
  amountPaid: string;
  method: string;
  trackingCode: string | null;
  /** The exact card-to-card amount that identified the transfer. */
  payableAmount: string | null;
}

/** ADMIN_NEW_RECEIPT. */
export interface ReceiptReviewView {
  orderNumber: string;
  customer: string;
  itemKind: OrderItemKind | null;
  plan: string | null;
  payableAmount: string;
  trackingCode: string | null;
  submittedAt: string;
  /** How long ago it was submitted (e.g. "12 min"), formatted. */
  age: string;
  /** False when no image could be attached (none uploaded, or not an image). */
  hasImage: boolean;
  /** Set once an admin decided: who, when, and the reason of a rejection (all formatted, escaped). */
  decision: { approved: boolean; by: string; at: string; reason: string | null } | null;
}

/** ADMIN_ALERT. */
export interface AlertView {
  code: string;
  /** The body in the same language as the template (HTML, foreign text escaped). */
  message: string;
  orderNumber: string | null;
  serverName: string | null;
}

/** Every notification text of one language. */
export interface NotificationTemplates {
  invoice(v: InvoiceView): string;
  paymentRejected(v: { orderNumber: string; reason: string; support: string | null }): string;
  paymentExpired(v: { orderNumber: string; support: string | null }): string;
  configReady(v: SubscriptionView): string;
  subscriptionUpdated(v: SubscriptionView & { orderNumber: string; itemKind: OrderItemKind | null }): string;
  provisioningFailed(v: { orderNumber: string; refunded: string | null; support: string | null }): string;
  walletCredited(v: { orderNumber: string; amount: string }): string;
  /** The admin's progress message of a broadcast (numbers formatted). */
  broadcastProgress(v: { total: string; sent: string; blocked: string; failed: string; done: boolean }): string;
  /** CUSTOMER_MESSAGE: `text` escaped. */
  customerMessage(v: { text: string }): string;
  receiptReview(v: ReceiptReviewView): string;
  alert(v: AlertView): string;
  usageWarning(v: SubscriptionView & { percent: string; depleted: boolean }): string;
  expiryWarning(v: SubscriptionView & { timeLeft: string }): string;
  subscriptionEnded(v: SubscriptionView & { reason: 'EXPIRED' | 'DEPLETED'; graceDays: string | null }): string;
  /** TICKET_REPLY (values escaped). */
  ticketReply(v: { subject: string; body: string }): string;
  /** ADMIN_TICKET_MESSAGE (values escaped). */
  ticketMessage(v: { subject: string; customer: string; body: string; isNew: boolean }): string;
  /** Payment method names. */
  paymentMethod: Record<'CARD_TO_CARD' | 'WALLET' | 'RESELLER_BALANCE' | 'FREE', string>;
  /** Button labels. */
  buttons: { approve: string; reject: string; renew: string; openTicket: string };
}

/** The templates of a language. */
export function notificationTemplates(lang: Language): NotificationTemplates {
  return lang === Language.EN ? EN_NOTIFICATIONS : FA_NOTIFICATIONS;
}
