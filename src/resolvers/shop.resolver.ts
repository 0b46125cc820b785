import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../entities/common';
import { Customer } from '../entities/customer.entity';
import { Plan } from '../entities/plan.entity';
import { customerInScope } from '../services/access.policy';
import { TOP_UP_MAX, TOP_UP_MIN } from '../services/order.service';
import { quoteOrder } from '../services/quote.service';
import { getSetting } from '../services/setting.service';
import { Auth } from './auth';
import type { Ctx as Context } from './context';
import { OrderQuoteInput, OrderQuoteType, ShopInfoType } from './types/shop.types';

/** What the shop bot needs beyond the catalogue: shop facts, price quotes, delivery problems. */
@Resolver()
export class ShopResolver {
  @Query(() => ShopInfoType, { description: 'Shop facts the bots show (support handle, required channel, trial, top-up bounds).' })
  @Auth(Role.USER_BOT, Role.ADMIN_BOT, Role.ADMIN, Role.SUPPORT)
  async shopInfo(@Ctx() ctx: Context): Promise<ShopInfoType> {
    const trialCode = await getSetting(ctx.em, 'trial_plan_code');
    const trial = trialCode ? await ctx.em.findOne(Plan, { code: trialCode }, { fields: ['active'] }) : null;
    const handle = (await getSetting(ctx.em, 'support_handle')).trim();
    const channel = (await getSetting(ctx.em, 'required_channel'))?.trim() ?? '';
    return {
      supportHandle: handle || null,
      requiredChannel: channel || null,
      trialAvailable: Boolean(trial?.active),
      currency: await getSetting(ctx.em, 'currency'),
      topUpMin: TOP_UP_MIN,
      topUpMax: TOP_UP_MAX,
    };
  }

  @Query(() => OrderQuoteType, { description: 'Prices an order for the customer the bot acts for, checking the plan, subscription and discount code like createOrder (DISCOUNT_CODE_INVALID, ...) without reserving anything.' })
  @Auth(Role.USER_BOT)
  async orderQuote(@Ctx() ctx: Context, @Arg('input') input: OrderQuoteInput): Promise<OrderQuoteType> {
    const customer = await customerInScope(ctx.em, ctx.principal!);
    return quoteOrder(ctx.em, customer, input);
  }

  @Mutation(() => Boolean, { description: 'The shop bot tells the API that Telegram answered 403 for this user (blocked the bot); notifications stop until they return. True when a customer was marked.' })
  @Auth(Role.USER_BOT)
  async reportBotBlocked(@Ctx() ctx: Context): Promise<boolean> {
    const tg = ctx.principal!.telegramId;
    if (!tg) return false;
    const n = await ctx.em.nativeUpdate(Customer, { telegramId: tg, botBlockedAt: null }, { botBlockedAt: new Date() });
    return n > 0;
  }
}
