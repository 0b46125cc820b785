import type { EntityManager } from '@mikro-orm/postgresql';
import { OrderStatus, type Order } from '../entities/order.entity';
import { Payment } from '../entities/payment.entity';
import { AppError } from '../errors';
import { getSetting } from './setting.service';

/** An invoice of a paid order, built from the order and its payment (never stored twice). */
export interface Invoice {
  invoiceNumber: string;
  issuedAt: Date;
  orderId: string;
  orderNumber: number;
  customerId: string;
  customerName: string;
  customerTelegramId: number | null;
  kind: string;
  planCode: string | null;
  planTitleFa: string | null;
  planTitleEn: string | null;
  durationDays: number | null;
  trafficBytes: number | null;
  price: number;
  discount: number;
  discountCode: string | null;
  amountPaid: number;
  currency: string;
  paymentMethod: string;
  /** Bank tracking code, or the exact amount transferred, for card payments. */
  paymentReference: string | null;
  status: string;
}

const INVOICED = [OrderStatus.PAID, OrderStatus.FULFILLING, OrderStatus.FULFILLED, OrderStatus.FAILED, OrderStatus.REFUNDED];

/** The invoice of an order; ORDER_NOT_FOUND until it is paid. */
export async function buildInvoice(em: EntityManager, order: Order): Promise<Invoice> {
  if (!INVOICED.includes(order.status) || !order.paidAt) throw new AppError('ORDER_NOT_FOUND', 'This order has no invoice (it is not paid).');
  await em.populate(order, ['customer', 'plan', 'discountCode']);
  const payment = await em.findOne(Payment, { order });
  const c = order.customer;
  return {
    invoiceNumber: `INV-${order.number}`,
    issuedAt: order.paidAt,
    orderId: order.id,
    orderNumber: order.number,
    customerId: c.id,
    customerName: c.displayName ?? (c.username ? `@${c.username}` : c.externalRef ?? c.id),
    customerTelegramId: c.telegramId ?? null,
    kind: order.kind,
    planCode: order.plan?.code ?? null,
    planTitleFa: order.plan?.titleFa ?? null,
    planTitleEn: order.plan?.titleEn ?? null,
    durationDays: order.plan?.durationDays ?? null,
    trafficBytes: order.plan?.trafficBytes ?? null,
    price: order.price,
    discount: order.discount,
    discountCode: order.discountCode?.code ?? null,
    amountPaid: order.amountDue,
    currency: await getSetting(em, 'currency'),
    paymentMethod: order.paymentMethod,
    paymentReference: payment?.trackingCode ?? (payment?.payableAmount ? String(payment.payableAmount) : null),
    status: order.status,
  };
}
