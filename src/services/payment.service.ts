import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Admin } from '../entities/admin.entity';
import type { Customer } from '../entities/customer.entity';
import { OrderStatus, PaymentMethod } from '../entities/order.entity';
import { Payment, PaymentStatus } from '../entities/payment.entity';
import { Receipt } from '../entities/receipt.entity';
import { AppError } from '../errors';
import { enqueue, type JobSpec } from '../jobs/enqueue';
import { releaseCode } from './discount.service';
import { fulfilPaidOrder, type FulfilmentDeps } from './order-fulfilment.service';
import { notifyAdmins, queueNotification, stageNotification } from '../notifications/notification.queue';
import { receiptImageType } from './receipt-image';
import { lockForTransaction } from './transaction';
import { flushUnique } from './unique-violation';
import { WriteBatch } from './write-batch';

/** The largest offset added to an amount to make it unique among open card payments. */
const MAX_OFFSET = 999;

/**
 * A payable amount no other open card-to-card payment has: the amount plus the smallest free
 * offset 0..999 Toman. Allocations are serialised by an advisory lock; the partial unique index
 * is the final guard.
 */
export async function allocatePayableAmount(em: EntityManager, amount: number): Promise<number> {
  await lockForTransaction(em, 'payable-amount');
  const taken = await em.execute<Array<{ a: number }>>(
    `select payable_amount as a from payment where method = 'CARD_TO_CARD' and status in ('PENDING', 'SUBMITTED') and payable_amount between ? and ?`,
    [amount, amount + MAX_OFFSET],
  );
  const used = new Set(taken.map((r) => Number(r.a)));
  for (let offset = 0; offset <= MAX_OFFSET; offset++) if (!used.has(amount + offset)) return amount + offset;
  throw new AppError('RATE_LIMITED', 'Too many open payments of this amount; try again later.');
}

export const MAX_RECEIPT_BYTES = 5 * 1024 * 1024;

/**
 * Stores a receipt image uploaded for a customer. The type is checked from the bytes (not the
 * declared header); the same image uploaded again returns the stored receipt.
 */
export async function storeReceipt(em: EntityManager, customer: Customer, bytes: Buffer): Promise<Receipt> {
  if (bytes.length === 0 || bytes.length > MAX_RECEIPT_BYTES) throw new AppError('RECEIPT_INVALID');
  const { type: mimeType, claimed } = receiptImageType(bytes);
  if (claimed) {
    throw new AppError('RECEIPT_INVALID', `The file starts like ${claimed} but is not a complete, well-formed ${claimed} file.`, { reason: 'MALFORMED_IMAGE', claimed });
  }
  if (!mimeType) throw new AppError('RECEIPT_INVALID', undefined, { reason: 'NOT_AN_IMAGE' });
  const contentHash = createHash('sha256').update(bytes).digest('hex');
  const existing = await em.findOne(Receipt, { contentHash });
  if (existing) {
    if (existing.customer.id !== customer.id) throw new AppError('RECEIPT_DUPLICATE');
    return existing;
  }
  const receipt = em.create(Receipt, { customer, contentHash, mimeType, size: bytes.length, data: bytes });
  await flushUnique(em, 'RECEIPT_DUPLICATE');
  return receipt;
}

export async function getPaymentOrFail(em: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<Payment> {
  if (!z.uuid().safeParse(id).success) throw new AppError('PAYMENT_NOT_FOUND');
  // Lock the payment row alone (FOR UPDATE cannot cover outer joins), then load its relations.
  const payment = await em.findOne(Payment, { id }, opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {});
  if (!payment) throw new AppError('PAYMENT_NOT_FOUND');
  await em.populate(payment, ['order', 'order.customer', 'order.plan', 'order.subscription', 'order.discountCode', 'receipt']);
  return payment;
}

export const submitReceiptInput = z.object({
  paymentId: z.uuid(),
  receiptId: z.uuid().nullish(),
  trackingCode: z.string().trim().regex(/^[A-Za-z0-9-]{4,40}$/, '4–40 letters, digits or -').nullish(),
});

/**
 * The customer says they paid: attaches the receipt and/or tracking code, moves the payment to
 * SUBMITTED and tells the admins. Expired or duplicated receipts are refused.
 */
export async function submitPaymentReceipt(em: EntityManager, customer: Customer, input: z.input<typeof submitReceiptInput>): Promise<Payment> {
  const data = submitReceiptInput.parse(input);
  if (!data.receiptId && !data.trackingCode) throw new AppError('BAD_USER_INPUT', 'Send a receipt image or a tracking code.');
  const payment = await getPaymentOrFail(em, data.paymentId, { lock: true });
  if (payment.order.customer.id !== customer.id) throw new AppError('PAYMENT_NOT_FOUND');
  if (payment.method !== PaymentMethod.CARD_TO_CARD) throw new AppError('PAYMENT_NOT_SUBMITTABLE');
  if (payment.status === PaymentStatus.EXPIRED || (payment.expiresAt && payment.expiresAt <= new Date())) throw new AppError('PAYMENT_EXPIRED');
  if (payment.status !== PaymentStatus.PENDING && payment.status !== PaymentStatus.SUBMITTED) throw new AppError('PAYMENT_ALREADY_REVIEWED');
  if (data.receiptId) {
    const receipt = await em.findOne(Receipt, { id: data.receiptId, customer });
    if (!receipt) throw new AppError('RECEIPT_NOT_FOUND');
    payment.receipt = receipt;
    payment.receiptHash = receipt.contentHash;
  }
  if (data.trackingCode) payment.trackingCode = data.trackingCode;
  payment.status = PaymentStatus.SUBMITTED;
  payment.submittedAt = new Date();
  await flushUnique(em, 'RECEIPT_DUPLICATE');
  await notifyAdmins(em, 'ADMIN_NEW_RECEIPT', {
    paymentId: payment.id,
    orderNumber: payment.order.number,
    receiptId: payment.receipt?.id ?? null,
    payableAmount: payment.payableAmount ?? payment.amount,
    trackingCode: payment.trackingCode ?? null,
    customerLabel: customer.username ? `@${customer.username}` : customer.displayName ?? String(customer.telegramId ?? customer.id),
  });
  return payment;
}

/** The job that edits every admin's review message of a payment (it will say who decided). */
function receiptMessagesJob(paymentId: string): JobSpec {
  return { task: 'update_receipt_messages', payload: { paymentId }, options: { jobKey: `update_receipt_messages:${paymentId}`, maxAttempts: 10 } };
}

/**
 * Locks the payment and checks it can still be decided (exactly one decision wins): one statement
 * locks the payment row (FOR UPDATE OF the payment alone) and reads it with its order, customer,
 * plan and subscription.
 */
async function lockForReview(em: EntityManager, paymentId: string): Promise<Payment> {
  if (!z.uuid().safeParse(paymentId).success) throw new AppError('PAYMENT_NOT_FOUND');
  const payment = await em
    .createQueryBuilder(Payment, 'p')
    .select('*')
    .leftJoinAndSelect('p.order', 'o')
    .leftJoinAndSelect('o.customer', 'c')
    .leftJoinAndSelect('o.plan', 'pl')
    .leftJoinAndSelect('o.subscription', 's')
    .where({ id: paymentId })
    .setLockMode(LockMode.PESSIMISTIC_WRITE, ['p'])
    .getSingleResult();
  if (!payment) throw new AppError('PAYMENT_NOT_FOUND');
  if (payment.method !== PaymentMethod.CARD_TO_CARD) throw new AppError('PAYMENT_NOT_SUBMITTABLE');
  if (payment.status === PaymentStatus.APPROVED || payment.status === PaymentStatus.REJECTED) {
    await em.populate(payment, ['reviewedBy']);
    // Who decided travels with the refusal: the admin bot answers "already reviewed by …".
    throw new AppError('PAYMENT_ALREADY_REVIEWED', undefined, {
      status: payment.status,
      reviewedBy: payment.reviewedBy ? payment.reviewedBy.displayName?.trim() || String(payment.reviewedBy.telegramId) : null,
      reviewedAt: payment.reviewedAt?.toISOString() ?? null,
    });
  }
  if (payment.status === PaymentStatus.EXPIRED || payment.order.status === OrderStatus.CANCELLED) throw new AppError('PAYMENT_EXPIRED');
  return payment;
}

/**
 * Approves a card-to-card payment, in one transaction: payment APPROVED, order PAID, the
 * subscription row (or the renewal) and its job, notifications. Concurrent approvals of one
 * payment: the first wins (it holds the payment's row lock until commit), the rest get
 * PAYMENT_ALREADY_REVIEWED.
 *
 * Lean by design (issue 10): one statement locks and reads the payment with its order, a NEW order
 * then takes the placement lock and reads the candidate servers (two statements), and every write
 * (payment, subscription, order, their audit rows, notification and jobs) goes out as one
 * statement, so the placement lock is held only around the slot's write and the commit.
 */
export async function approvePayment(em: EntityManager, deps: FulfilmentDeps, paymentId: string, reviewer: Admin | null, actor: string): Promise<Payment> {
  const payment = await lockForReview(em, paymentId);
  const writes = new WriteBatch(em);
  writes.update(payment, { status: PaymentStatus.APPROVED, reviewedBy: reviewer, reviewedAt: new Date() });
  writes.job(receiptMessagesJob(payment.id));
  stageNotification(em, writes, {
    kind: 'PAYMENT_APPROVED',
    telegramId: payment.order.customer.telegramId,
    params: { orderId: payment.order.id, orderNumber: payment.order.number, amount: payment.amount },
  });
  await fulfilPaidOrder(em, deps, payment.order, actor, writes);
  await writes.execute();
  return payment;
}

/**
 * Approves the open card payment whose payable amount a bank statement line shows (payable amounts
 * are unique among open card payments, so one line names one payment). The bank's reference is
 * kept as the tracking code when the customer gave none.
 */
export async function approvePaymentByAmount(
  em: EntityManager,
  deps: FulfilmentDeps,
  input: { payableAmount: number; reference?: string | null },
  reviewer: Admin | null,
  actor: string,
): Promise<Payment> {
  const amount = z.number().int().positive().parse(input.payableAmount);
  const open = await em.findOne(Payment, {
    method: PaymentMethod.CARD_TO_CARD,
    payableAmount: amount,
    status: { $in: [PaymentStatus.PENDING, PaymentStatus.SUBMITTED] },
  });
  if (!open) throw new AppError('PAYMENT_NOT_FOUND', 'No open card payment has this exact amount.');
  const ref = input.reference?.trim().slice(0, 40) || null;
  // One bank transfer pays one payment: a reference already used means this line was counted.
  if (ref && (await em.count(Payment, { trackingCode: ref, id: { $ne: open.id } })) > 0) {
    throw new AppError('RECEIPT_DUPLICATE', 'This bank reference was already used for another payment.');
  }
  const payment = await approvePayment(em, deps, open.id, reviewer, actor);
  if (ref && !payment.trackingCode) {
    payment.trackingCode = ref;
    await flushUnique(em, 'RECEIPT_DUPLICATE');
  }
  return payment;
}

/** Rejects a payment with a reason the customer reads; the order is cancelled. */
export async function rejectPayment(em: EntityManager, paymentId: string, reason: string, reviewer: Admin | null): Promise<Payment> {
  const text = z.string().trim().min(2).max(500).parse(reason);
  const payment = await lockForReview(em, paymentId);
  payment.status = PaymentStatus.REJECTED;
  payment.rejectReason = text;
  payment.reviewedBy = reviewer;
  payment.reviewedAt = new Date();
  payment.order.status = OrderStatus.CANCELLED;
  if (payment.order.discountCode) await releaseCode(em, payment.order.discountCode.id);
  await em.flush();
  const spec = receiptMessagesJob(payment.id);
  await enqueue(em, spec.task, spec.payload, spec.options);
  await queueNotification(em, {
    kind: 'PAYMENT_REJECTED',
    telegramId: payment.order.customer.telegramId,
    params: { orderId: payment.order.id, orderNumber: payment.order.number, reason: text },
  });
  return payment;
}

/** Card payments waiting for review (SUBMITTED first, then PENDING), oldest first. */
export async function listPaymentsToReview(em: EntityManager, opts: { includePending?: boolean; limit?: number } = {}): Promise<Payment[]> {
  const statuses = opts.includePending ? [PaymentStatus.SUBMITTED, PaymentStatus.PENDING] : [PaymentStatus.SUBMITTED];
  return em.find(
    Payment,
    { method: PaymentMethod.CARD_TO_CARD, status: { $in: statuses } },
    { orderBy: { submittedAt: 'asc', createdAt: 'asc' }, limit: opts.limit ?? 50, populate: ['order', 'order.customer', 'order.plan'] },
  );
}

/** The receipt image (ADMIN/SUPPORT read it to show it in the admin bot). */
export async function getReceiptWithData(em: EntityManager, id: string): Promise<Receipt> {
  const r = z.uuid().safeParse(id).success ? await em.findOne(Receipt, { id }, { populate: ['data'] }) : null;
  if (!r) throw new AppError('RECEIPT_NOT_FOUND');
  return r;
}
