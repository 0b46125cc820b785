import { alertTitle } from '../alert-codes';
import type { NotificationTemplates, OrderItemKind, SubscriptionView } from './notification.messages';

/** Joins lines, dropping the ones that are null or false (optional rows). */
function lines(...parts: Array<string | null | false | undefined>): string {
  return parts.filter((p): p is string => typeof p === 'string').join('\n');
}

const ITEM_LABEL: Record<OrderItemKind, string> = {
  NEW: 'Plan',
  TRIAL: 'Trial plan',
  RENEW: 'Renewal',
  ADD_TRAFFIC: 'Extra traffic',
  TOP_UP: 'Wallet top-up',
};


function support(handle: string | null): string | null {
  return handle ? `🆘 Support: ${handle}` : null;
}

function item(kind: OrderItemKind | null, plan: string | null): string | null {
  if (kind === 'TOP_UP') return `📦 Item: ${ITEM_LABEL.TOP_UP}`;
  if (!plan) return null;
  return `📦 ${kind ? ITEM_LABEL[kind] : ITEM_LABEL.NEW}: ${plan}`;
}

function details(v: SubscriptionView): string {
  return lines(
    `📦 Plan: ${v.plan}`,
    `🏷 Name: <code>${v.name}</code>`,
    `📊 Traffic: ${v.quota}`,
    `📈 Used: ${v.used}`,
    v.remaining !== null && `📉 Left: ${v.remaining}`,
    v.expiresAt !== null && `⏳ Expires: ${v.expiresAt}${v.daysLeft !== null ? ` (${v.daysLeft} left)` : ''}`,
    `📱 Devices: ${v.devices}`,
  );
}

function links(v: SubscriptionView): string {
  const configs = v.links.map((l) => `<code>${l}</code>`).join('\n\n');
  return lines(
    '🔗 <b>Subscription link</b> (add it to your app):',
    `<code>${v.subUrl}</code>`,
    v.links.length > 0 && '',
    v.links.length > 0 && '🔑 <b>Configs</b> (tap to copy):',
    v.links.length > 0 && configs,
    v.moreLinks > 0 && '',
    v.moreLinks > 0 && `… and ${v.moreLinks} more, all included in the subscription link.`,
  );
}

const RENEW_HINT = 'To renew or buy extra traffic, use the bot menu.';

/** English notification texts. */
export const EN_NOTIFICATIONS: NotificationTemplates = {
  invoice(v) {
    const closing =
      v.itemKind === 'TOP_UP'
        ? '💰 The amount will be added to your wallet.'
        : v.itemKind === 'RENEW' || v.itemKind === 'ADD_TRAFFIC'
          ? '⏳ The change will be applied to your subscription shortly.'
          : '⏳ Your subscription is being set up; you will receive its link shortly.';
    return lines(
      '✅ <b>Your payment was approved!</b>',
      '',
      `🧾 <b>Invoice No. ${v.invoiceNumber}</b>`,
      `📅 Date: ${v.date}`,
      `👤 Customer: ${v.customer}`,
      item(v.itemKind, v.plan),
      `💵 Price: ${v.price}`,
      v.discount !== null && `🏷 Discount: ${v.discount}`,
      `💳 Amount paid: <b>${v.amountPaid}</b>`,
      `🏦 Payment method: ${v.method}`,
      v.payableAmount !== null && `💸 Amount transferred: ${v.payableAmount}`,
      v.trackingCode !== null && `🔢 Tracking code: <code>${v.trackingCode}</code>`,
      '',
      closing,
    );
  },
  paymentRejected(v) {
    return lines(
      '❌ <b>Your payment was rejected</b>',
      '',
      `🧾 Order: ${v.orderNumber}`,
      `📝 Reason: ${v.reason}`,
      '',
      'If you think this is a mistake, contact support or send a new receipt.',
      support(v.support),
    );
  },
  paymentExpired(v) {
    return lines(
      '⌛ <b>The payment deadline has passed</b>',
      '',
      `🧾 Order: ${v.orderNumber}`,
      'This order was cancelled. To buy, start again from "🛒 Buy plan".',
      'If you already transferred the money, send the receipt to support.',
      support(v.support),
    );
  },
  configReady(v) {
    return lines(
      '🎉 <b>Your subscription is ready!</b>',
      '',
      details(v),
      '',
      links(v),
      '',
      '📚 Add the subscription link to an app such as v2rayNG (Android), Streisand or Shadowrocket (iOS) or v2rayN (Windows).',
    );
  },
  subscriptionUpdated(v) {
    const what =
      v.itemKind === 'RENEW' ? 'Your subscription was renewed.' : v.itemKind === 'ADD_TRAFFIC' ? 'Extra traffic was added to your subscription.' : 'Your subscription was updated.';
    return lines(
      `✅ <b>Order ${v.orderNumber} applied</b>`,
      what,
      '',
      details(v),
      '',
      '🔗 Your subscription link is unchanged:',
      `<code>${v.subUrl}</code>`,
    );
  },
  provisioningFailed(v) {
    return lines(
      '⚠️ <b>Your subscription could not be set up</b>',
      '',
      `🧾 Order: ${v.orderNumber}`,
      'Sorry, setting up your subscription failed.',
      v.refunded !== null ? `💰 ${v.refunded} was returned to your wallet.` : 'Please contact support.',
      support(v.support),
    );
  },
  walletCredited(v) {
    return lines('💰 <b>Your wallet was topped up</b>', '', `🧾 Order: ${v.orderNumber}`, `➕ Amount: ${v.amount}`);
  },
  broadcastProgress(v) {
    return lines(v.done ? '📣 <b>Broadcast finished</b>' : '📣 <b>Broadcast in progress…</b>', '', `Recipients: ${v.total}`, `✅ Sent: ${v.sent}`, `⛔ Blocked the bot: ${v.blocked}`, `⚠️ Failed: ${v.failed}`);
  },
  customerMessage(v) {
    return lines('📩 <b>Message from support</b>', '', v.text);
  },
  receiptReview(v) {
    return lines(
      '💰 <b>New payment request</b>',
      '',
      `🧾 Order: ${v.orderNumber}`,
      `👤 Customer: ${v.customer}`,
      item(v.itemKind, v.plan),
      `💵 Amount transferred: <b>${v.payableAmount}</b>`,
      `🔢 Tracking code: ${v.trackingCode !== null ? `<code>${v.trackingCode}</code>` : 'not given'}`,
      `📅 Submitted: ${v.submittedAt}`,
      !v.hasImage && '⚠️ No receipt image attached.',
      v.decision === null && `⏱ Waiting for: ${v.age}`,
      v.decision !== null && '',
      v.decision !== null && (v.decision.approved ? `✅ <b>Approved</b> by ${v.decision.by} at ${v.decision.at}` : `❌ <b>Rejected</b> by ${v.decision.by} at ${v.decision.at}`),
      v.decision !== null && v.decision.reason !== null && `Reason: ${v.decision.reason}`,
    );
  },
  alert(v) {
    return lines(
      `🚨 <b>Alert: ${alertTitle(v.code, 'en') ?? 'System event'}</b>`,
      `Code: <code>${v.code}</code>`,
      v.message,
      v.orderNumber !== null && `🧾 Order: ${v.orderNumber}`,
      v.serverName !== null && `🖥 Server: ${v.serverName}`,
    );
  },
  usageWarning(v) {
    return lines(
      v.depleted ? '⛔️ <b>Your subscription has used all its traffic</b>' : `⚠️ <b>${v.percent} of your subscription traffic is used</b>`,
      '',
      details(v),
      '',
      RENEW_HINT,
    );
  },
  expiryWarning(v) {
    return lines(`⏰ <b>Your subscription expires in ${v.timeLeft}</b>`, '', details(v), '', RENEW_HINT);
  },
  subscriptionEnded(v) {
    return lines(
      v.reason === 'EXPIRED' ? '⌛ <b>Your subscription has expired</b>' : '⛔️ <b>Your subscription has used all its traffic</b>',
      '',
      details(v),
      '',
      v.graceDays !== null && `Renew within ${v.graceDays} to keep the same link and configs.`,
      RENEW_HINT,
    );
  },
  ticketReply(v) {
    return lines('💬 <b>Support answered your ticket</b>', `📌 ${v.subject}`, '', v.body);
  },
  ticketMessage(v) {
    return lines(v.isNew ? '🆕 <b>New ticket</b>' : '💬 <b>New message in a ticket</b>', `📌 ${v.subject}`, `👤 ${v.customer}`, '', v.body);
  },
  paymentMethod: {
    CARD_TO_CARD: 'Card to card',
    WALLET: 'Wallet',
    RESELLER_BALANCE: 'Reseller balance',
    FREE: 'Free',
  },
  buttons: { approve: '✅ Approve', reject: '❌ Reject', renew: '🔄 Renew', openTicket: '💬 Open the ticket' },
};
