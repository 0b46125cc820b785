import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import { customerIdInScope } from '../services/access.policy';
import { requestRevoke } from '../services/order-fulfilment.service';
import { findSubscriptionForPrincipal, getSubscriptionOrFail } from '../services/subscription.service';
import { listCustomerSubscriptionReads } from '../services/subscription.read';
import { Auth } from './auth';
import type { Ctx as Context } from './context';
import { presentSubscription } from './types/subscription.types';
import { SubscriptionType } from './types/subscription.types';

/** Subscriptions: what customers have. */
@Resolver()
export class SubscriptionResolver {
  @Query(() => [SubscriptionType], { description: "The caller's own subscriptions (user bot), or a customer's (staff)." })
  @Auth(Role.USER_BOT, Role.ADMIN, Role.SUPPORT)
  async subscriptions(@Ctx() ctx: Context, @Arg('customerId', () => ID, { nullable: true }) customerId: string | null): Promise<SubscriptionType[]> {
    const id = await customerIdInScope(ctx.em, ctx.principal!, customerId);
    return (await listCustomerSubscriptionReads(ctx.em, id)).map((s) => presentSubscription(s, ctx.config.PUBLIC_URL));
  }

  @Query(() => SubscriptionType, { nullable: true })
  @Auth(Role.USER_BOT, Role.ADMIN, Role.SUPPORT)
  async subscription(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<SubscriptionType | null> {
    const sub = await findSubscriptionForPrincipal(ctx.em, ctx.principal!, id);
    return sub ? presentSubscription(sub, ctx.config.PUBLIC_URL) : null;
  }

  @Mutation(() => SubscriptionType, { description: 'Deletes the panel client (by a job) and marks the subscription REVOKED.' })
  @Auth(Role.ADMIN)
  async revokeSubscription(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('reason') reason: string): Promise<SubscriptionType> {
    const sub = await getSubscriptionOrFail(ctx.em, id);
    await requestRevoke(ctx.em, sub, reason.slice(0, 200), 'SUBSCRIPTION_NOT_FOUND');
    return presentSubscription(sub, ctx.config.PUBLIC_URL);
  }
}
