import { InlineKeyboard, InputFile } from 'grammy';
import { encodeCallback } from '../../notifications/callback-data';
import { BotApiError, formatDateTime, formatMoney, formatPlainNumber } from '../common';
import { ApprovePaymentDocument, PaymentQueueDocument, ReceiptImageDocument, RejectPaymentDocument } from './graphql/generated';
import type { AdminContext } from './context';
import type { Feature } from './feature';
import { ask, cb, customerLabel, esc, lang, screen } from './ui';

/** Common rejection reasons offered as buttons (the admin may also type one). */
export const REJECT_REASONS = ['rr0', 'rr1', 'rr2', 'rr3'] as const;

/** "Already reviewed by …" from the API's refusal, or the error's own text. */
async function answerReviewError(ctx: AdminContext, err: unknown): Promise<boolean> {
  if (err instanceof BotApiError && err.code === 'PAYMENT_ALREADY_REVIEWED') {
    const details = (err.extensions.details ?? {}) as { reviewedBy?: string | null; status?: string };
    const text = ctx.t(details.status === 'REJECTED' ? 'pay-already-rejected' : 'pay-already-approved', { name: details.reviewedBy ?? '—' });
    await ctx.answerCallbackQuery({ text, show_alert: true }).catch(() => undefined);
    if (!ctx.callbackQuery) await ctx.reply(text);
    return true;
  }
  return false;
}

async function approve(ctx: AdminContext, paymentId: string): Promise<void> {
  try {
    await ctx.staff.api.request(ApprovePaymentDocument, { paymentId });
  } catch (err) {
    if (await answerReviewError(ctx, err)) return;
    throw err;
  }
  // Every admin's copy of the receipt is edited by the worker to say who approved.
  await ctx.answerCallbackQuery({ text: ctx.t('pay-approved') }).catch(() => undefined);
}

async function askReason(ctx: AdminContext, paymentId: string): Promise<void> {
  ctx.session.pending = { kind: 'reject-reason', paymentId };
  await ctx.answerCallbackQuery().catch(() => undefined);
  const kb = new InlineKeyboard();
  for (const r of REJECT_REASONS) kb.text(ctx.t(`pay-reason-${r}`), cb.act(r, paymentId)).row();
  await ask(ctx, ctx.t('pay-ask-reason'), kb);
}

async function reject(ctx: AdminContext, paymentId: string, reason: string): Promise<void> {
  ctx.session.pending = undefined;
  try {
    await ctx.staff.api.request(RejectPaymentDocument, { paymentId, reason });
  } catch (err) {
    if (await answerReviewError(ctx, err)) return;
    throw err;
  }
  await ctx.answerCallbackQuery({ text: ctx.t('pay-rejected') }).catch(() => undefined);
  await ctx.reply(ctx.t('pay-rejected'));
}

async function showQueue(ctx: AdminContext): Promise<void> {
  const l = lang(ctx);
  const { paymentsToReview: queue } = await ctx.staff.api.request(PaymentQueueDocument, { first: 20 });
  const kb = new InlineKeyboard();
  const lines = [ctx.t('pay-queue-title', { count: formatPlainNumber(queue.length, l) })];
  if (queue.length === 0) lines.push('', ctx.t('pay-queue-empty'));
  for (const p of queue) {
    const age = p.payment.submittedAt ? formatDateTime(p.payment.submittedAt, l) : '—';
    lines.push(`• #${formatPlainNumber(p.orderNumber, l)} — ${esc(customerLabel(p.customer))} — ${formatMoney(p.payment.payableAmount ?? p.payment.amount, l)} — ${age}`);
    kb.text(`#${formatPlainNumber(p.orderNumber, l)}`, cb.act('rcpt', p.payment.id)).row();
  }
  await screen(ctx, lines.join('\n'), kb);
}

/** Sends one waiting receipt again (photo from the API's stored bytes) with Approve / Reject. */
async function showReceipt(ctx: AdminContext, paymentId: string): Promise<void> {
  const l = lang(ctx);
  const { paymentsToReview: queue } = await ctx.staff.api.request(PaymentQueueDocument, { first: 50 });
  const p = queue.find((q) => q.payment.id === paymentId);
  if (!p) {
    await ctx.answerCallbackQuery({ text: ctx.t('pay-not-waiting'), show_alert: true }).catch(() => undefined);
    return;
  }
  const plan = l === 'en' ? p.planTitleEn ?? p.planTitleFa : p.planTitleFa ?? p.planTitleEn;
  const caption = ctx.t('pay-receipt', {
    order: formatPlainNumber(p.orderNumber, l),
    customer: esc(customerLabel(p.customer)),
    plan: esc(plan ?? '—'),
    amount: formatMoney(p.payment.payableAmount ?? p.payment.amount, l),
    tracking: esc(p.payment.trackingCode ?? '—'),
    submitted: p.payment.submittedAt ? formatDateTime(p.payment.submittedAt, l) : '—',
  });
  const kb = new InlineKeyboard()
    .text(ctx.t('pay-approve'), encodeCallback('paymentApprove', paymentId))
    .text(ctx.t('pay-reject'), encodeCallback('paymentReject', paymentId));
  if (p.payment.receiptId) {
    const img = await ctx.staff.api.request(ReceiptImageDocument, { id: p.payment.receiptId });
    await ctx.replyWithPhoto(new InputFile(Buffer.from(img.receiptImage.base64, 'base64'), 'receipt'), { caption, parse_mode: 'HTML', reply_markup: kb });
  } else {
    await ctx.reply(caption, { parse_mode: 'HTML', reply_markup: kb });
  }
}

/** Payment review: the receipt buttons (pay:ok / pay:no), reasons, the queue. */
export const paymentsFeature: Feature = {
  opens: { pay: showQueue },
  acts: {
    rcpt: showReceipt,
    ...Object.fromEntries(REJECT_REASONS.map((r) => [r, (ctx: AdminContext, id: string) => reject(ctx, id, ctx.t(`pay-reason-${r}`))])),
  },
  commands: { payments: 'pay' },
  inputs: {
    'reject-reason': async (ctx, message) => {
      const pending = ctx.session.pending;
      if (pending?.kind !== 'reject-reason') return;
      const text = message.text?.trim() ?? '';
      if (text.length < 2) return ask(ctx, ctx.t('pay-ask-reason'));
      await reject(ctx, pending.paymentId, text.slice(0, 500));
    },
  },
};

export const paymentButtons = { approve, askReason };
