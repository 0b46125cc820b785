import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import { OrderStatus, type Order } from '../entities/order.entity';
import { AppError } from '../errors';
import { assertCustomerAccess, customerInScope } from '../services/access.policy';
import { retryOrder } from '../services/order-fulfilment.service';
import { buildInvoice } from '../services/invoice.service';
import { cancelOrder, createOrder, getOrderOrFail, listCustomerOrders, listFailedOrders } from '../services/order.service';
import { describePrincipal, idempotencyPrincipal } from '../services/principal';
import { requestTrial } from '../services/trial.service';
import { ownCustomer, ownSubscription, resellerOfPrincipal } from '../services/reseller.policy';
import { Auth, scopes } from './auth';
import type { Ctx as Context } from './context';
import { presentOrder, presentPayment } from './presenters';
import { CreateOrderInput, InvoiceType, OrderConnection, OrderType } from './types/commerce.types';

/** Presents orders with their payments (batched). */
export async function presentOrders(ctx: Context, orders: Order[]): Promise<OrderType[]> {
  const card = await ctx.loaders.card.load('card');
  return Promise.all(
    orders.map(async (o) => {
      const p = await ctx.loaders.paymentByOrder.load(o.id);
      return presentOrder(o, p ? presentPayment(p, card) : null);
    }),
  );
}

function deps(ctx: Context) {
  return {
    provisionMaxAttempts: ctx.config.PROVISION_MAX_ATTEMPTS,
    alerts: ctx.services.alerts,
  };
}

/**
 * The customer a createOrder is for: a user bot's own; a reseller's own customer named by
 * customerId (and, for renewals, its own subscription), others answering NOT_FOUND.
 */
async function orderCustomer(ctx: Context, input: CreateOrderInput) {
  const p = ctx.principal!;
  if (p.role !== Role.RESELLER) return customerInScope(ctx.em, p);
  const reseller = await resellerOfPrincipal(ctx.em, p);
  if (!input.customerId) throw new AppError('BAD_USER_INPUT', 'customerId is required for reseller orders.');
  const customer = await ownCustomer(ctx.em, reseller, input.customerId);
  if (input.subscriptionId) {
    const sub = await ownSubscription(ctx.em, reseller, input.subscriptionId);
    if (sub.customer.id !== customer.id) throw new AppError('NOT_FOUND', 'Subscription not found.');
  }
  return customer;
}

/** Orders, trials, invoices and failed-order recovery. */
@Resolver()
export class OrderResolver {
  @Mutation(() => OrderType, {
    description:
      'Creates an order with its payment. Repeating the idempotency key returns the first order. WALLET orders are paid at once; a reseller key orders for its own customer (customerId) with RESELLER_BALANCE, paid at once at its price.',
  })
  @Auth(Role.USER_BOT, Role.RESELLER, scopes('orders:write'))
  async createOrder(
    @Ctx() ctx: Context,
    @Arg('input') input: CreateOrderInput,
    @Arg('idempotencyKey', { description: '8–200 characters, unique per order attempt (e.g. a UUID).' }) idempotencyKey: string,
  ): Promise<OrderType> {
    const customer = await orderCustomer(ctx, input);
    const order = await createOrder(ctx.em, deps(ctx), {
      customer,
      principal: idempotencyPrincipal(ctx.principal!),
      actor: describePrincipal(ctx.principal),
      idempotencyKey,
      order: input,
    });
    return (await presentOrders(ctx, [order]))[0];
  }

  @Mutation(() => OrderType, { description: 'Gives the free trial (once per customer).' })
  @Auth(Role.USER_BOT)
  async requestTrial(@Ctx() ctx: Context): Promise<OrderType> {
    const customer = await customerInScope(ctx.em, ctx.principal!);
    const order = await requestTrial(ctx.em, deps(ctx), { customer, principal: idempotencyPrincipal(ctx.principal!), actor: describePrincipal(ctx.principal) });
    return (await presentOrders(ctx, [order]))[0];
  }

  @Mutation(() => OrderType, { description: 'Cancels an unpaid order.' })
  @Auth(Role.USER_BOT, Role.ADMIN, Role.SUPPORT)
  async cancelOrder(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<OrderType> {
    const order = await getOrderOrFail(ctx.em, id, { lock: true });
    await assertCustomerAccess(ctx.em, ctx.principal!, order.customer.id).catch(() => {
      throw new AppError('ORDER_NOT_FOUND');
    });
    return (await presentOrders(ctx, [await cancelOrder(ctx.em, order)]))[0];
  }

  @Query(() => OrderConnection, { description: "The caller's own orders (user bot), or a customer's (staff), newest first." })
  @Auth(Role.USER_BOT, Role.ADMIN, Role.SUPPORT)
  async orders(
    @Ctx() ctx: Context,
    @Arg('customerId', () => ID, { nullable: true }) customerId: string | null,
    @Arg('status', () => [OrderStatus], { nullable: true, description: 'Only orders in these statuses.' }) status: OrderStatus[] | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<OrderConnection> {
    const customer = await customerInScope(ctx.em, ctx.principal!, customerId);
    const page = await listCustomerOrders(ctx.em, customer.id, { first, after, statuses: status });
    return { nodes: await presentOrders(ctx, page.nodes), pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage } };
  }

  @Query(() => OrderType, { nullable: true })
  @Auth(Role.USER_BOT, Role.ADMIN, Role.SUPPORT)
  async order(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<OrderType | null> {
    const order = await getOrderOrFail(ctx.em, id).catch(() => null);
    if (!order) return null;
    const allowed = await assertCustomerAccess(ctx.em, ctx.principal!, order.customer.id).then(
      () => true,
      () => false,
    );
    return allowed ? (await presentOrders(ctx, [order]))[0] : null;
  }

  @Query(() => InvoiceType, { description: 'The invoice of a paid order: the customer’s own, or any for staff.' })
  @Auth(Role.USER_BOT, Role.ADMIN, Role.SUPPORT)
  async invoice(@Ctx() ctx: Context, @Arg('orderId', () => ID) orderId: string): Promise<InvoiceType> {
    const order = await getOrderOrFail(ctx.em, orderId);
    await assertCustomerAccess(ctx.em, ctx.principal!, order.customer.id).catch(() => {
      throw new AppError('ORDER_NOT_FOUND');
    });
    return buildInvoice(ctx.em, order);
  }

  @Query(() => [OrderType], { description: 'Orders whose fulfilment failed for good (their amount was refunded to the wallet).' })
  @Auth(Role.ADMIN)
  async failedOrders(@Ctx() ctx: Context): Promise<OrderType[]> {
    return presentOrders(ctx, await listFailedOrders(ctx.em));
  }

  @Mutation(() => OrderType, { description: 'Re-runs a failed order: charges the refund back from the wallet and provisions again.' })
  @Auth(Role.ADMIN)
  async retryOrder(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<OrderType> {
    const order = await getOrderOrFail(ctx.em, id, { lock: true });
    await retryOrder(ctx.em, deps(ctx), order, describePrincipal(ctx.principal));
    return (await presentOrders(ctx, [order]))[0];
  }
}
