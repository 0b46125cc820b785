import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Customer } from '../entities/customer.entity';
import type { DiscountCode } from '../entities/discount-code.entity';
import { LedgerKind } from '../entities/ledger-entry.entity';
import { Order, OrderKind, OrderStatus, PaymentMethod } from '../entities/order.entity';
import { Payment, PaymentStatus } from '../entities/payment.entity';
import type { Plan } from '../entities/plan.entity';
import { Reseller } from '../entities/reseller.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { AppError } from '../errors';
import { canAccessCustomer } from './access.policy';
import { assertCanBuy } from './customer.service';
import { findUsableCode, redeemCode, releaseCode } from './discount.service';
import { fulfilPaidOrder, type FulfilmentDeps } from './order-fulfilment.service';
import { allocatePayableAmount } from './payment.service';
import { assertCapacityFor, type CapacityAlerts } from './placement.service';
import { getPlanOrFail } from './plan.service';
import { priceOrder } from './pricing';
import type { Principal } from './principal';
import { postToResellerBalance } from './reseller-balance.service';
import { assertQuotaLeft, assertResellerMaySell } from './reseller.policy';
import { assertResellerActive } from './reseller.service';
import { getSetting } from './setting.service';
import { postToWallet } from './wallet.service';
import { lockForTransaction } from './transaction';

/** Bounds of a wallet top-up, in the shop currency. */
export const TOP_UP_MIN = 1000;
export const TOP_UP_MAX = 1_000_000_000;

/** The order kinds `createOrder` sells (a TRIAL has its own use case, requestTrial). */
export const PURCHASE_KINDS = [OrderKind.NEW, OrderKind.RENEW, OrderKind.ADD_TRAFFIC, OrderKind.TOP_UP] as const;
/** The payment methods a caller may choose (FREE is only given by the system: trials, grants). */
export const PURCHASE_METHODS = [PaymentMethod.CARD_TO_CARD, PaymentMethod.WALLET, PaymentMethod.RESELLER_BALANCE] as const;

export const createOrderInput = z
  .object({
    kind: z.enum(PURCHASE_KINDS),
    /** Required except for TOP_UP. */
    planId: z.uuid().nullish(),
    /** Required for RENEW and ADD_TRAFFIC. */
    subscriptionId: z.uuid().nullish(),
    discountCode: z.string().trim().max(32).nullish(),
    /** RESELLER_BALANCE for a reseller's customers (and only for them). */
    paymentMethod: z.enum(PURCHASE_METHODS),
    /** TOP_UP only: Toman to add to the wallet. */
    amount: z.number().int().min(TOP_UP_MIN).max(TOP_UP_MAX).nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === OrderKind.TOP_UP) {
      if (!v.amount) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'a top-up needs an amount' });
      if (v.paymentMethod !== PaymentMethod.CARD_TO_CARD) ctx.addIssue({ code: 'custom', path: ['paymentMethod'], message: 'a top-up is paid by card' });
    } else if (!v.planId) ctx.addIssue({ code: 'custom', path: ['planId'], message: 'a plan is required' });
    if (v.paymentMethod === PaymentMethod.RESELLER_BALANCE && v.discountCode) {
      ctx.addIssue({ code: 'custom', path: ['discountCode'], message: 'reseller orders take no discount code' });
    }
    if ((v.kind === OrderKind.RENEW || v.kind === OrderKind.ADD_TRAFFIC) && !v.subscriptionId) {
      ctx.addIssue({ code: 'custom', path: ['subscriptionId'], message: 'renewals and add-traffic name a subscription' });
    }
  });
export type CreateOrderInput = z.input<typeof createOrderInput>;

const idempotencyKey = z.string().trim().min(8).max(200);

/** Statuses from which a subscription can be renewed or topped up. */
export const RENEWABLE = [SubscriptionStatus.ACTIVE, SubscriptionStatus.DISABLED, SubscriptionStatus.DEPLETED, SubscriptionStatus.EXPIRED, SubscriptionStatus.REVOKED];

/** The next human order number. */
async function nextOrderNumber(em: EntityManager): Promise<number> {
  const [row] = await em.execute<Array<{ n: string }>>(`select nextval('order_number_seq')::bigint as n`);
  return Number(row.n);
}

/**
 * Creates an order and its payment for a customer. Idempotent per (principal, key): repeating the
 * key returns the first order (concurrent repeats wait on an advisory lock, then find it). WALLET
 * and RESELLER_BALANCE orders are paid in the same transaction (a reseller's: at its price, within
 * its allowed plans, quota and credit); CARD_TO_CARD orders get a unique payable amount and a deadline.
 */
export async function createOrder(
  em: EntityManager,
  deps: FulfilmentDeps & { alerts?: CapacityAlerts },
  input: { customer: Customer; principal: string; actor: string; idempotencyKey: string; order: CreateOrderInput | object },
): Promise<Order> {
  const key = idempotencyKey.parse(input.idempotencyKey);
  const data = createOrderInput.parse(input.order);
  await lockForTransaction(em, `order-key:${input.principal}:${key}`);
  const existing = await em.findOne(Order, { principal: input.principal, idempotencyKey: key }, { populate: ['plan', 'subscription'] });
  if (existing) {
    if (existing.kind !== data.kind || (existing.plan?.id ?? null) !== (data.planId ?? null) || existing.customer.id !== input.customer.id) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED');
    }
    return existing;
  }
  assertCanBuy(input.customer);
  const reseller = input.customer.reseller ? await em.findOneOrFail(Reseller, { id: input.customer.reseller.id }) : null;
  if (!!reseller !== (data.paymentMethod === PaymentMethod.RESELLER_BALANCE)) {
    throw new AppError('BAD_USER_INPUT', reseller ? "A reseller's customer pays with RESELLER_BALANCE." : 'Only reseller customers pay with RESELLER_BALANCE.');
  }
  if (reseller) assertResellerActive(reseller);

  let plan: Plan | null = null;
  let shopPrice: number | null = null;
  let subscription: Subscription | null = null;
  let code: DiscountCode | null = null;
  let price = { price: data.amount ?? 0, discount: 0, amountDue: data.amount ?? 0 };
  if (data.kind !== OrderKind.TOP_UP) {
    plan = await getPlanOrFail(em, data.planId!);
    if (!plan.active || plan.isTrial) throw new AppError('PLAN_NOT_PURCHASABLE');
    if (reseller) assertResellerMaySell(reseller, plan);
    if (data.subscriptionId) {
      subscription = await em.findOne(Subscription, { id: data.subscriptionId, customer: input.customer });
      if (!subscription) throw new AppError('SUBSCRIPTION_NOT_FOUND');
      if (!RENEWABLE.includes(subscription.status) || subscription.isTrial) throw new AppError('SUBSCRIPTION_NOT_RENEWABLE');
    }
    if (reseller && data.kind === OrderKind.NEW) await assertQuotaLeft(em, reseller);
    if (data.kind === OrderKind.NEW) await assertCapacityFor(em, plan, deps.alerts);
    if (data.discountCode) code = await findUsableCode(em, data.discountCode, plan.id);
    price = priceOrder({ plan, reseller, discountCode: code });
    if (reseller) shopPrice = priceOrder({ plan }).price;
  }
  if (code) await redeemCode(em, code.id);

  const order = em.create(Order, {
    number: await nextOrderNumber(em),
    customer: input.customer,
    reseller: input.customer.reseller ?? null,
    plan,
    kind: data.kind,
    subscription,
    paymentMethod: data.paymentMethod,
    price: price.price,
    discount: price.discount,
    amountDue: price.amountDue,
    shopPrice,
    discountCode: code,
    principal: input.principal,
    idempotencyKey: key,
  });
  const payment = em.create(Payment, { order, method: data.paymentMethod, amount: price.amountDue });
  await em.flush();

  if (data.paymentMethod === PaymentMethod.WALLET || data.paymentMethod === PaymentMethod.RESELLER_BALANCE || price.amountDue === 0) {
    if (price.amountDue > 0 && reseller) {
      await postToResellerBalance(em, { reseller, amount: -price.amountDue, kind: LedgerKind.PURCHASE, order, actor: input.actor });
    } else if (price.amountDue > 0) {
      await postToWallet(em, { customer: input.customer, amount: -price.amountDue, kind: LedgerKind.PURCHASE, order, actor: input.actor });
    }
    payment.status = PaymentStatus.APPROVED;
    payment.reviewedAt = new Date();
    await fulfilPaidOrder(em, deps, order, input.actor);
  } else {
    const minutes = await getSetting(em, 'payment_deadline_minutes');
    payment.payableAmount = await allocatePayableAmount(em, price.amountDue);
    payment.expiresAt = new Date(Date.now() + minutes * 60_000);
  }
  await em.flush();
  return order;
}

export async function getOrderOrFail(em: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<Order> {
  if (!z.uuid().safeParse(id).success) throw new AppError('ORDER_NOT_FOUND');
  const order = await em.findOne(Order, { id }, opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {});
  if (!order) throw new AppError('ORDER_NOT_FOUND');
  await em.populate(order, ['plan', 'customer', 'subscription', 'discountCode']);
  return order;
}

/**
 * The order `id` as `principal` may see it: staff any order, a user bot only its own customer's.
 * An order that does not exist and one of someone else read alike (ORDER_NOT_FOUND), so ids do not
 * reveal other customers' orders.
 */
export async function getOrderForPrincipal(em: EntityManager, principal: Principal, id: string, opts: { lock?: boolean } = {}): Promise<Order> {
  const order = await getOrderOrFail(em, id, opts);
  if (!(await canAccessCustomer(em, principal, order.customer.id))) throw new AppError('ORDER_NOT_FOUND');
  return order;
}

/** Cancels an unpaid order; its discount use is given back. */
export async function cancelOrder(em: EntityManager, order: Order): Promise<Order> {
  const payment = await em.findOneOrFail(Payment, { order }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (order.status !== OrderStatus.PENDING_PAYMENT || payment.status === PaymentStatus.APPROVED) throw new AppError('ORDER_NOT_CANCELLABLE');
  order.status = OrderStatus.CANCELLED;
  if (payment.status === PaymentStatus.PENDING || payment.status === PaymentStatus.SUBMITTED) payment.status = PaymentStatus.EXPIRED;
  if (order.discountCode) await releaseCode(em, order.discountCode.id);
  await em.flush();
  return order;
}

/** Orders whose fulfilment failed for good (refunded), oldest first. */
export async function listFailedOrders(em: EntityManager, limit = 100): Promise<Order[]> {
  return em.find(Order, { status: OrderStatus.FAILED }, { orderBy: { updatedAt: 'asc' }, limit, populate: ['plan', 'customer', 'subscription'] });
}
