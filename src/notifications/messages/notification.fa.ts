import { alertTitle } from '../alert-codes';
import type { NotificationTemplates, OrderItemKind, SubscriptionView } from './notification.messages';

/** Joins lines, dropping the ones that are null or false (optional rows). */
function lines(...parts: Array<string | null | false | undefined>): string {
  return parts.filter((p): p is string => typeof p === 'string').join('\n');
}

const ITEM_LABEL: Record<OrderItemKind, string> = {
  NEW: 'پلن',
  TRIAL: 'پلن تستی',
  RENEW: 'تمدید',
  ADD_TRAFFIC: 'افزایش حجم',
  TOP_UP: 'شارژ کیف پول',
};


function support(handle: string | null): string | null {
  return handle ? `🆘 پشتیبانی: ${handle}` : null;
}

function item(kind: OrderItemKind | null, plan: string | null): string | null {
  if (kind === 'TOP_UP') return `📦 شرح: ${ITEM_LABEL.TOP_UP}`;
  if (!plan) return null;
  return `📦 ${kind ? ITEM_LABEL[kind] : ITEM_LABEL.NEW}: ${plan}`;
}

function details(v: SubscriptionView): string {
  return lines(
    `📦 پلن: ${v.plan}`,
    `🏷 نام اشتراک: <code>${v.name}</code>`,
    `📊 حجم: ${v.quota}`,
    `📈 مصرف‌شده: ${v.used}`,
    v.remaining !== null && `📉 باقی‌مانده: ${v.remaining}`,
    v.expiresAt !== null && `⏳ تاریخ انقضا: ${v.expiresAt}${v.daysLeft !== null ? ` (${v.daysLeft} مانده)` : ''}`,
    `📱 تعداد دستگاه: ${v.devices}`,
  );
}

function links(v: SubscriptionView): string {
  const configs = v.links.map((l) => `<code>${l}</code>`).join('\n\n');
  return lines(
    '🔗 <b>لینک اشتراک</b> (در برنامه‌ی خود وارد کنید):',
    `<code>${v.subUrl}</code>`,
    v.links.length > 0 && '',
    v.links.length > 0 && '🔑 <b>کانفیگ‌ها</b> (برای کپی لمس کنید):',
    v.links.length > 0 && configs,
    v.moreLinks > 0 && '',
    v.moreLinks > 0 && `… و ${v.moreLinks.toLocaleString('fa-IR')} کانفیگ دیگر که همه در لینک اشتراک هستند.`,
  );
}

const RENEW_HINT = 'برای تمدید یا خرید حجم اضافه، از منوی ربات اقدام کنید.';

/** Persian notification texts (the default language). */
export const FA_NOTIFICATIONS: NotificationTemplates = {
  invoice(v) {
    const closing =
      v.itemKind === 'TOP_UP'
        ? '💰 این مبلغ به کیف پول شما اضافه می‌شود.'
        : v.itemKind === 'RENEW' || v.itemKind === 'ADD_TRAFFIC'
          ? '⏳ تغییرات به‌زودی روی اشتراک شما اعمال می‌شود.'
          : '⏳ اشتراک شما در حال ساخت است؛ لینک اشتراک به‌زودی برایتان ارسال می‌شود.';
    return lines(
      '✅ <b>پرداخت شما تایید شد!</b>',
      '',
      `🧾 <b>فاکتور شماره ${v.invoiceNumber}</b>`,
      `📅 تاریخ: ${v.date}`,
      `👤 مشتری: ${v.customer}`,
      item(v.itemKind, v.plan),
      `💵 قیمت: ${v.price}`,
      v.discount !== null && `🏷 تخفیف: ${v.discount}`,
      `💳 مبلغ پرداختی: <b>${v.amountPaid}</b>`,
      `🏦 روش پرداخت: ${v.method}`,
      v.payableAmount !== null && `💸 مبلغ واریزی: ${v.payableAmount}`,
      v.trackingCode !== null && `🔢 کد پیگیری: <code>${v.trackingCode}</code>`,
      '',
      closing,
    );
  },
  paymentRejected(v) {
    return lines(
      '❌ <b>پرداخت شما رد شد</b>',
      '',
      `🧾 سفارش: ${v.orderNumber}`,
      `📝 دلیل: ${v.reason}`,
      '',
      'اگر فکر می‌کنید اشتباهی رخ داده، با پشتیبانی تماس بگیرید یا رسید جدید ارسال کنید.',
      support(v.support),
    );
  },
  paymentExpired(v) {
    return lines(
      '⌛ <b>مهلت پرداخت به پایان رسید</b>',
      '',
      `🧾 سفارش: ${v.orderNumber}`,
      'این سفارش لغو شد. برای خرید، دوباره از «🛒 خرید پلن» اقدام کنید.',
      'اگر مبلغ را واریز کرده‌اید، رسید را برای پشتیبانی بفرستید.',
      support(v.support),
    );
  },
  configReady(v) {
    return lines(
      '🎉 <b>اشتراک شما آماده است!</b>',
      '',
      details(v),
      '',
      links(v),
      '',
      '📚 لینک اشتراک را در برنامه‌هایی مانند v2rayNG (اندروید)، Streisand یا Shadowrocket (iOS) و v2rayN (ویندوز) وارد کنید.',
    );
  },
  subscriptionUpdated(v) {
    const what =
      v.itemKind === 'RENEW' ? 'اشتراک شما تمدید شد.' : v.itemKind === 'ADD_TRAFFIC' ? 'حجم اشتراک شما افزایش یافت.' : 'اشتراک شما به‌روز شد.';
    return lines(
      `✅ <b>سفارش ${v.orderNumber} اعمال شد</b>`,
      what,
      '',
      details(v),
      '',
      '🔗 لینک اشتراک شما تغییری نکرده است:',
      `<code>${v.subUrl}</code>`,
    );
  },
  provisioningFailed(v) {
    return lines(
      '⚠️ <b>ساخت اشتراک انجام نشد</b>',
      '',
      `🧾 سفارش: ${v.orderNumber}`,
      'متأسفانه ساخت اشتراک شما با خطا روبه‌رو شد.',
      v.refunded !== null ? `💰 مبلغ ${v.refunded} به کیف پول شما بازگردانده شد.` : 'لطفاً با پشتیبانی تماس بگیرید.',
      support(v.support),
    );
  },
  walletCredited(v) {
    return lines('💰 <b>کیف پول شما شارژ شد</b>', '', `🧾 سفارش: ${v.orderNumber}`, `➕ مبلغ: ${v.amount}`);
  },
  broadcastProgress(v) {
    return lines(v.done ? '📣 <b>ارسال همگانی تمام شد</b>' : '📣 <b>ارسال همگانی در حال انجام…</b>', '', `گیرندگان: ${v.total}`, `✅ ارسال شد: ${v.sent}`, `⛔ ربات را مسدود کرده‌اند: ${v.blocked}`, `⚠️ ناموفق: ${v.failed}`);
  },
  customerMessage(v) {
    return lines('📩 <b>پیام از طرف پشتیبانی</b>', '', v.text);
  },
  receiptReview(v) {
    return lines(
      '💰 <b>درخواست پرداخت جدید</b>',
      '',
      `🧾 سفارش: ${v.orderNumber}`,
      `👤 کاربر: ${v.customer}`,
      item(v.itemKind, v.plan),
      `💵 مبلغ واریزی: <b>${v.payableAmount}</b>`,
      `🔢 کد پیگیری: ${v.trackingCode !== null ? `<code>${v.trackingCode}</code>` : 'ثبت نشده'}`,
      `📅 زمان ارسال: ${v.submittedAt}`,
      !v.hasImage && '⚠️ تصویر رسید پیوست نیست.',
      v.decision === null && `⏱ در انتظار: ${v.age}`,
      v.decision !== null && '',
      v.decision !== null && (v.decision.approved ? `✅ <b>تایید شد</b> توسط ${v.decision.by} در ${v.decision.at}` : `❌ <b>رد شد</b> توسط ${v.decision.by} در ${v.decision.at}`),
      v.decision !== null && v.decision.reason !== null && `دلیل: ${v.decision.reason}`,
    );
  },
  alert(v) {
    return lines(
      `🚨 <b>هشدار: ${alertTitle(v.code, 'fa') ?? 'رویداد سیستم'}</b>`,
      `کد: <code>${v.code}</code>`,
      v.message,
      v.orderNumber !== null && `🧾 سفارش: ${v.orderNumber}`,
      v.serverName !== null && `🖥 سرور: ${v.serverName}`,
    );
  },
  usageWarning(v) {
    return lines(
      v.depleted ? '⛔️ <b>حجم اشتراک شما تمام شد</b>' : `⚠️ <b>${v.percent} از حجم اشتراک شما مصرف شده است</b>`,
      '',
      details(v),
      '',
      RENEW_HINT,
    );
  },
  expiryWarning(v) {
    return lines(`⏰ <b>اشتراک شما ${v.timeLeft} دیگر منقضی می‌شود</b>`, '', details(v), '', RENEW_HINT);
  },
  subscriptionEnded(v) {
    return lines(
      v.reason === 'EXPIRED' ? '⌛ <b>اشتراک شما منقضی شد</b>' : '⛔️ <b>حجم اشتراک شما تمام شد</b>',
      '',
      details(v),
      '',
      v.graceDays !== null && `تا ${v.graceDays} دیگر می‌توانید همین اشتراک را تمدید کنید تا لینک و کانفیگ‌های شما تغییر نکنند.`,
      RENEW_HINT,
    );
  },
  ticketReply(v) {
    return lines('💬 <b>پشتیبانی به تیکت شما پاسخ داد</b>', `📌 ${v.subject}`, '', v.body);
  },
  ticketMessage(v) {
    return lines(v.isNew ? '🆕 <b>تیکت جدید</b>' : '💬 <b>پیام جدید در تیکت</b>', `📌 ${v.subject}`, `👤 ${v.customer}`, '', v.body);
  },
  paymentMethod: {
    CARD_TO_CARD: 'کارت به کارت',
    WALLET: 'کیف پول',
    RESELLER_BALANCE: 'اعتبار نماینده',
    FREE: 'رایگان',
  },
  buttons: { approve: '✅ تایید', reject: '❌ رد', renew: '🔄 تمدید', openTicket: '💬 مشاهدهٔ تیکت' },
};
