import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import { extendSubscription, requestTrafficReset } from '../services/subscription-admin.service';
import { setSubscriptionEnabled } from '../services/subscription-lifecycle.service';
import { Auth } from './auth';
import type { Ctx as Context } from './context';
import { presentSubscription } from './types/subscription.types';
import { SubscriptionType } from './types/subscription.types';

/** Admin switches on subscriptions' lifecycle. */
@Resolver()
export class SubscriptionAdminResolver {
  @Mutation(() => SubscriptionType, {
    description:
      'Disables a subscription (DISABLED: its panel client is disabled, usage and expiry no longer change its status) or enables a DISABLED one ' +
      '(ACTIVE, or EXPIRED / DEPLETED when those are due). The panel follows by a job. Repeating the call changes nothing.',
  })
  @Auth(Role.ADMIN)
  async setSubscriptionEnabled(
    @Ctx() ctx: Context,
    @Arg('id', () => ID) id: string,
    @Arg('enabled') enabled: boolean,
  ): Promise<SubscriptionType> {
    const sub = await setSubscriptionEnabled(ctx.em, id, enabled);
    return presentSubscription(sub, ctx.config.PUBLIC_URL);
  }

  @Mutation(() => SubscriptionType, {
    description:
      'Adds days to a subscription (from its expiry, or from now when that is past). An EXPIRED one with traffic left becomes ACTIVE again; ' +
      'the panel client gets the new expiry by a job. BAD_USER_INPUT unless 1 to 3650 days; SUBSCRIPTION_NOT_CHANGEABLE without an expiry or when not on a panel.',
  })
  @Auth(Role.ADMIN)
  async extendSubscription(
    @Ctx() ctx: Context,
    @Arg('id', () => ID) id: string,
    @Arg('days', () => Int) days: number,
  ): Promise<SubscriptionType> {
    const sub = await extendSubscription(ctx.em, id, days);
    return presentSubscription(sub, ctx.config.PUBLIC_URL);
  }

  @Mutation(() => SubscriptionType, {
    description:
      'Starts a new traffic period: a job zeroes the counters on the panel and the stored usage, and a DEPLETED subscription becomes ACTIVE again. ' +
      'Repeating the call before the job ran changes nothing. SUBSCRIPTION_NOT_CHANGEABLE when the subscription is not on a panel.',
  })
  @Auth(Role.ADMIN)
  async resetSubscriptionTraffic(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<SubscriptionType> {
    const sub = await requestTrafficReset(ctx.em, id);
    return presentSubscription(sub, ctx.config.PUBLIC_URL);
  }
}
