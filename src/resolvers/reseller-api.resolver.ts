import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import { Language } from '../entities/customer.entity';
import { requestRevoke } from '../services/order-fulfilment.service';
import {
  listResellerCustomers,
  listResellerOrders,
  listResellerSubscriptions,
  upsertResellerCustomer,
} from '../services/reseller-customer.service';
import { ownCustomer, ownOrder, ownSubscription, resellerOfPrincipal } from '../services/reseller.policy';
import { setSubscriptionEnabled } from '../services/subscription-lifecycle.service';
import { Auth, scopes } from './auth';
import type { Ctx as Context } from './context';
import { presentOrders } from './order.resolver';
import { presentCustomer } from './types/customer.types';
import { presentSubscription } from './types/subscription.types';
import { CustomerType } from './types/customer.types';
import { OrderConnection, OrderType } from './types/order.types';
import { SubscriptionType } from './types/subscription.types';
import { CustomerConnection, SubscriptionConnection } from './types/reseller.types';

function info(p: { endCursor: string | null; hasNextPage: boolean }) {
  return { endCursor: p.endCursor, hasNextPage: p.hasNextPage };
}

/**
 * What a reseller key does for its own customers. Every lookup goes through reseller.policy, so
 * ids of other resellers or of the shop answer NOT_FOUND.
 */
@Resolver()
export class ResellerApiResolver {
  @Mutation(() => CustomerType, { description: 'Creates the customer with this external reference, or returns it (updating the name/language given).' })
  @Auth(Role.RESELLER, scopes('customers:write'))
  async upsertResellerCustomer(
    @Ctx() ctx: Context,
    @Arg('externalRef') externalRef: string,
    @Arg('displayName', () => String, { nullable: true }) displayName: string | null,
    @Arg('language', () => Language, { nullable: true }) language: Language | null,
  ): Promise<CustomerType> {
    const r = await resellerOfPrincipal(ctx.em, ctx.principal!);
    return presentCustomer(await upsertResellerCustomer(ctx.em, r, { externalRef, displayName: displayName ?? undefined, language }));
  }

  @Query(() => CustomerConnection, { description: 'Own customers, newest first.' })
  @Auth(Role.RESELLER, scopes('customers:read'))
  async resellerCustomers(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<CustomerConnection> {
    const page = await listResellerCustomers(ctx.em, await resellerOfPrincipal(ctx.em, ctx.principal!), { first, after });
    return { nodes: page.nodes.map(presentCustomer), pageInfo: info(page) };
  }

  @Query(() => CustomerType, { description: 'An own customer by id.' })
  @Auth(Role.RESELLER, scopes('customers:read'))
  async resellerCustomer(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<CustomerType> {
    return presentCustomer(await ownCustomer(ctx.em, await resellerOfPrincipal(ctx.em, ctx.principal!), id));
  }

  @Query(() => OrderConnection, { description: 'Own orders (optionally of one own customer), newest first.' })
  @Auth(Role.RESELLER, scopes('orders:read'))
  async resellerOrders(
    @Ctx() ctx: Context,
    @Arg('customerId', () => ID, { nullable: true }) customerId: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<OrderConnection> {
    const r = await resellerOfPrincipal(ctx.em, ctx.principal!);
    const customer = customerId ? await ownCustomer(ctx.em, r, customerId) : null;
    const page = await listResellerOrders(ctx.em, r, customer, { first, after });
    return { nodes: await presentOrders(ctx, page.nodes), pageInfo: info(page) };
  }

  @Query(() => OrderType, { description: 'An own order by id.' })
  @Auth(Role.RESELLER, scopes('orders:read'))
  async resellerOrder(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<OrderType> {
    const order = await ownOrder(ctx.em, await resellerOfPrincipal(ctx.em, ctx.principal!), id);
    return (await presentOrders(ctx, [order]))[0];
  }

  @Query(() => SubscriptionConnection, { description: 'Subscriptions of own customers (optionally one), newest first: links, URL, usage.' })
  @Auth(Role.RESELLER, scopes('subscriptions:read'))
  async resellerSubscriptions(
    @Ctx() ctx: Context,
    @Arg('customerId', () => ID, { nullable: true }) customerId: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<SubscriptionConnection> {
    const r = await resellerOfPrincipal(ctx.em, ctx.principal!);
    const customer = customerId ? await ownCustomer(ctx.em, r, customerId) : null;
    const page = await listResellerSubscriptions(ctx.em, r, customer, { first, after });
    return { nodes: page.nodes.map((s) => presentSubscription(s, ctx.config.PUBLIC_URL)), pageInfo: info(page) };
  }

  @Query(() => SubscriptionType, { description: 'An own subscription by id.' })
  @Auth(Role.RESELLER, scopes('subscriptions:read'))
  async resellerSubscription(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<SubscriptionType> {
    return presentSubscription(await ownSubscription(ctx.em, await resellerOfPrincipal(ctx.em, ctx.principal!), id), ctx.config.PUBLIC_URL);
  }

  @Mutation(() => SubscriptionType, { description: 'Disables or re-enables an own subscription on its panel (repeating changes nothing).' })
  @Auth(Role.RESELLER, scopes('subscriptions:write'))
  async setResellerSubscriptionEnabled(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('enabled') enabled: boolean): Promise<SubscriptionType> {
    const sub = await ownSubscription(ctx.em, await resellerOfPrincipal(ctx.em, ctx.principal!), id);
    return presentSubscription(await setSubscriptionEnabled(ctx.em, sub.id, enabled), ctx.config.PUBLIC_URL);
  }

  @Mutation(() => SubscriptionType, { description: 'Revokes an own subscription: the panel client is deleted by a job and it becomes REVOKED.' })
  @Auth(Role.RESELLER, scopes('subscriptions:write'))
  async revokeResellerSubscription(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<SubscriptionType> {
    const sub = await ownSubscription(ctx.em, await resellerOfPrincipal(ctx.em, ctx.principal!), id);
    await requestRevoke(ctx.em, sub, 'revoked by the reseller', 'SUBSCRIPTION_NOT_CHANGEABLE');
    return presentSubscription(sub, ctx.config.PUBLIC_URL);
  }
}
