import type { InlineButton, OutgoingMessage } from '../clients/telegram.types';
import { Order } from '../entities/order.entity';
import { Payment, PaymentStatus } from '../entities/payment.entity';
import { Receipt } from '../entities/receipt.entity';
import { escapeHtml, formatAge, formatDateTime, truncateText } from '../services/format';
import { encodeCallback } from './callback-data';
import { notificationTemplates } from './messages/notification.messages';
import type { NotificationParams } from './notification.queue';
import { customerLabel, extension, itemKind, money, NotificationRenderError, orderNo, planTitle, reviewerName, type RenderContext } from './notification.render-kit';

/** Messages about payments: the customer's invoice and the admins' receipt review (edited once decided). */

export async function renderInvoice(ctx: RenderContext, p: NotificationParams['PAYMENT_APPROVED']): Promise<OutgoingMessage> {
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

export async function renderReceiptReview(ctx: RenderContext, p: NotificationParams['ADMIN_NEW_RECEIPT']): Promise<OutgoingMessage> {
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
