import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderStatus, PaymentMethod } from '../entities/order.entity';
import { Payment, PaymentStatus } from '../entities/payment.entity';
import { releaseCode } from './discount.service';
import { queueNotification } from '../notifications/notification.queue';

/** Payments handled per transaction. */
const BATCH = 200;

/**
 * expire_payments: card-to-card payments still waiting for the money (PENDING) past their deadline
 * become EXPIRED, their order CANCELLED, the discount use given back and the customer told
 * (PAYMENT_EXPIRED), each payment in one transaction with its effects.
 *
 * SUBMITTED payments (the customer sent a receipt before the deadline) are left for the admins to
 * review: expiring them would cancel an order the customer may already have paid.
 *
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so an admin reviewing a payment at that moment is
 * never blocked and the payment is simply looked at again next run. Idempotent. Returns the count.
 */
export async function expireUnpaidPayments(em: EntityManager, now: Date = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await em.fork().transactional(async (tx) => {
      const due = await tx.execute<Array<{ id: string }>>(
        `select p.id from payment p
          where p.method = ? and p.status = ? and p.expires_at is not null and p.expires_at <= ?
          order by p.expires_at limit ? for update of p skip locked`,
        [PaymentMethod.CARD_TO_CARD, PaymentStatus.PENDING, now.toISOString(), BATCH],
      );
      if (due.length === 0) return 0;
      const payments = await tx.find(Payment, { id: { $in: due.map((d) => d.id) } }, { populate: ['order', 'order.customer', 'order.discountCode'] });
      for (const payment of payments) {
        const order = payment.order;
        payment.status = PaymentStatus.EXPIRED;
        if (order.status !== OrderStatus.PENDING_PAYMENT) continue;
        order.status = OrderStatus.CANCELLED;
        if (order.discountCode) await releaseCode(tx, order.discountCode.id);
        await tx.flush();
        await queueNotification(tx, {
          kind: 'PAYMENT_EXPIRED',
          telegramId: order.customer.telegramId,
          params: { orderId: order.id, orderNumber: order.number },
        });
      }
      await tx.flush();
      return payments.length;
    });
    total += n;
    if (n < BATCH) return total;
  }
}
