import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Customer } from '../entities/customer.entity';
import { Order, OrderKind, PaymentMethod } from '../entities/order.entity';
import { Payment, PaymentStatus } from '../entities/payment.entity';
import { AppError } from '../errors';
import { queueNotification } from '../notifications/notification.queue';
import { fulfilPaidOrder, type FulfilmentDeps } from './order-fulfilment.service';
import { chooseServer } from './placement.service';
import { getPlanOrFail } from './plan.service';
import { lockForTransaction } from './transaction';

const idempotencyKey = z.string().trim().min(8).max(200);

/**
 * An admin gives a customer a plan for free: a NEW order paid FREE (price kept, the whole price as
 * discount, nothing due) fulfilled like any other, so the customer gets the config. Idempotent per
 * (principal, key): repeating the key returns the first order. Trial plans are not granted this
 * way (the trial has its own once-only path), inactive plans are.
 */
export async function grantPlan(
  em: EntityManager,
  deps: FulfilmentDeps,
  input: { customer: Customer; planId: string; principal: string; actor: string; idempotencyKey: string },
): Promise<Order> {
  const key = idempotencyKey.parse(input.idempotencyKey);
  await lockForTransaction(em, `order-key:${input.principal}:${key}`);
  const existing = await em.findOne(Order, { principal: input.principal, idempotencyKey: key }, { populate: ['plan', 'subscription'] });
  if (existing) {
    if (existing.customer.id !== input.customer.id || existing.plan?.id !== input.planId || existing.paymentMethod !== PaymentMethod.FREE) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED');
    }
    return existing;
  }
  const plan = await getPlanOrFail(em, input.planId);
  if (plan.isTrial) throw new AppError('PLAN_NOT_PURCHASABLE', 'Trial plans are given through the free trial, not granted.');
  if (!(await chooseServer(em, plan))) throw new AppError('NO_CAPACITY');
  const [row] = await em.execute<Array<{ n: string }>>(`select nextval('order_number_seq')::bigint as n`);
  const order = em.create(Order, {
    number: Number(row.n),
    customer: input.customer,
    reseller: input.customer.reseller ?? null,
    plan,
    kind: OrderKind.NEW,
    paymentMethod: PaymentMethod.FREE,
    price: plan.price,
    discount: plan.price,
    amountDue: 0,
    principal: input.principal,
    idempotencyKey: key,
  });
  em.create(Payment, { order, method: PaymentMethod.FREE, amount: 0, status: PaymentStatus.APPROVED, reviewedAt: new Date() });
  await em.flush();
  await fulfilPaidOrder(em, deps, order, input.actor);
  await em.flush();
  return order;
}

export const customerMessageText = z.string().trim().min(1, 'The message is empty.').max(3500, 'At most 3500 characters.');

/**
 * Queues a message from the shop to one customer (delivered by the shop bot, the text shown
 * escaped). Customers without a Telegram id cannot be reached: refused.
 */
export async function messageCustomer(em: EntityManager, customer: Customer, text: string): Promise<void> {
  const parsed = customerMessageText.safeParse(text);
  if (!parsed.success) throw new AppError('BAD_USER_INPUT', parsed.error.issues[0].message);
  if (!customer.telegramId) throw new AppError('BAD_USER_INPUT', 'This customer has no Telegram account to write to.');
  await queueNotification(em, { kind: 'CUSTOMER_MESSAGE', telegramId: customer.telegramId, params: { text: parsed.data } });
}

