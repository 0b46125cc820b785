import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import { OrderStatus, type Order } from '../entities/order.entity';
import { canAccessCustomer, customerForOrder, customerIdInScope, customerInScope } from '../services/access.policy';
import { isUuid } from '../services/ids';
import { findOrderRead, listCustomerOrderReads, type OrderRead } from '../services/order.read';
import { retryOrder } from '../services/order-fulfilment.service';
import { buildInvoice } from '../services/invoice.service';
import { cancelOrder, createOrder, getOrderForPrincipal, getOrderOrFail, listFailedOrders } from '../services/order.service';
import { describePrincipal, idempotencyPrincipal } from '../services/principal';
import { requestTrial } from '../services/trial.service';
import { Auth, scopes } from './auth';
import type { Ctx as Context } from './context';
import { presentOrder, presentOrderRead } from './types/order.types';
import { isOpenCardPayment, presentPayment, presentPaymentRead } from './types/payment.types';
import { CreateOrderInput, InvoiceType, OrderConnection, OrderType } from './types/order.types';

/** Presents orders read as plain rows (plan and payment joined); the card is read only for an open payment. */
async function presentOrderReads(ctx: Context, orders: OrderRead[]): Promise<OrderType[]> {
  const card = orders.some((o) => o.payment && isOpenCardPayment(o.payment)) ? await ctx.loaders.card.load('card') : undefined;
  return orders.map((o) => presentOrderRead(o, o.payment ? presentPaymentRead(o.payment, card) : null));
}

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
    const customer = await customerForOrder(ctx.em, ctx.principal!, input);
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
    const order = await getOrderForPrincipal(ctx.em, ctx.principal!, id, { lock: true });
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
    const id = await customerIdInScope(ctx.em, ctx.principal!, customerId);
    const page = await listCustomerOrderReads(ctx.em, id, { first, after, statuses: status });
    return { nodes: await presentOrderReads(ctx, page.nodes), pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage } };
  }

  @Query(() => OrderType, { nullable: true })
  @Auth(Role.USER_BOT, Role.ADMIN, Role.SUPPORT)
  async order(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<OrderType | null> {
    // An order of someone else reads as none, like one that does not exist.
    const order = isUuid(id) ? await findOrderRead(ctx.em, id) : null;
    if (!order || !(await canAccessCustomer(ctx.em, ctx.principal!, order.customerId))) return null;
    return (await presentOrderReads(ctx, [order]))[0];
  }

  @Query(() => InvoiceType, { description: 'The invoice of a paid order: the customer’s own, or any for staff.' })
  @Auth(Role.USER_BOT, Role.ADMIN, Role.SUPPORT)
  async invoice(@Ctx() ctx: Context, @Arg('orderId', () => ID) orderId: string): Promise<InvoiceType> {
    return buildInvoice(ctx.em, await getOrderForPrincipal(ctx.em, ctx.principal!, orderId));
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
