import type { EntityManager } from '@mikro-orm/postgresql';
import { Order, OrderStatus } from '../entities/order.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { stageNotification } from '../notifications/notification.queue';
import { recordResellerEvent, subscriptionEventData } from './webhook.events';
import { WriteBatch } from './write-batch';

/**
 * The database ends of provision_subscription (src/services/subscription-provisioning.service.ts):
 * the read before the panel calls and the activation after them, in as few statements as the
 * audit trail allows.
 */

/**
 * The subscription with its plan, server and customer, and the order that paid for it, in one
 * joined read (the order's subscription); without an order, or when the order names another
 * subscription, the subscription alone (the order is then read by {@link markActive}).
 */
export async function readForProvisioning(read: EntityManager, payload: { subscriptionId: string; orderId: string | null }): Promise<{ sub: Subscription | null; order: Order | null }> {
  if (payload.orderId) {
    const order = await read.findOne(Order, { id: payload.orderId }, { populate: ['subscription.plan', 'subscription.server', 'subscription.customer'] });
    if (order?.subscription && order.subscription.id === payload.subscriptionId) return { sub: order.subscription, order };
  }
  return { sub: await read.findOne(Subscription, { id: payload.subscriptionId }, { populate: ['plan', 'server', 'customer'] }), order: null };
}

const sameInstant = (a: Date | string | null | undefined, b: Date | null | undefined): boolean =>
  a !== null && a !== undefined && b !== null && b !== undefined && new Date(a).getTime() === b.getTime();

/**
 * ACTIVE with its links, the order FULFILLED, the customer (as read before the panel calls) told:
 * under the subscription's row lock (nothing happens if it left PROVISIONING meanwhile), the
 * writes, their audit rows, the notification and its delivery job in one statement
 * (src/services/write-batch.ts). The lock is taken with one plain read of both rows' status and
 * `updated_at`; the entities read before the panel calls are written from when those show no
 * change since (their audit `before` is then exact), else they are read again.
 */
export async function markActive(em: EntityManager, sub: Subscription, orderId: string | null, order: Order | null, links: string[]): Promise<void> {
  const customer = sub.customer;
  await em.transactional(async (tx) => {
    const [row] = await tx.execute<Array<{ status: string; updated_at: Date; order_status: string | null; order_updated_at: Date | null }>>(
      `select s.status, s.updated_at, o.status as order_status, o.updated_at as order_updated_at
         from subscription s left join "order" o on o.id = ? where s.id = ? for update of s`,
      [orderId, sub.id],
    );
    if (!row || row.status !== SubscriptionStatus.PROVISIONING) return;
    const s = sameInstant(row.updated_at, sub.updatedAt) ? sub : await tx.findOneOrFail(Subscription, { id: sub.id }, { refresh: true });
    const o =
      order && row.order_status === order.status && sameInstant(row.order_updated_at, order.updatedAt)
        ? order
        : orderId
          ? await tx.findOne(Order, { id: orderId }, { refresh: true })
          : null;
    const now = new Date();
    const batch = new WriteBatch(tx).update(s, { status: SubscriptionStatus.ACTIVE, links, activatedAt: now });
    if (o && (o.status === OrderStatus.PAID || o.status === OrderStatus.FULFILLING)) {
      batch.update(o, { status: OrderStatus.FULFILLED, fulfilledAt: now });
    }
    stageNotification(tx, batch, { kind: 'CONFIG_READY', telegramId: customer.telegramId, params: { subscriptionId: s.id }, subscription: s });
    await batch.execute();
    if (customer.reseller) {
      await tx.populate(s, ['customer']);
      await recordResellerEvent(tx, customer.reseller.id, 'subscription.activated', `subscription.activated:${s.id}`, subscriptionEventData(s));
    }
  });
}
