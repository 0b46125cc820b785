import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Customer } from '../entities/customer.entity';
import { OrderKind } from '../entities/order.entity';
import { Subscription } from '../entities/subscription.entity';
import { AppError } from '../errors';
import { findUsableCode } from './discount.service';
import { RENEWABLE } from './order.service';
import { getPlanOrFail } from './plan.service';
import { priceOrder, type Price } from './pricing';
import { walletBalance } from './wallet.service';

const quoteInput = z.object({
  kind: z.enum([OrderKind.NEW, OrderKind.RENEW, OrderKind.ADD_TRAFFIC]),
  planId: z.uuid(),
  subscriptionId: z.uuid().nullish(),
  discountCode: z.string().trim().max(32).nullish(),
});

/**
 * What an order would cost the customer now, with the same checks and pricing function as
 * createOrder but nothing written or redeemed: lets the shop bot check a discount code and show
 * the amount due and wallet balance before the customer picks a payment method.
 */
export async function quoteOrder(em: EntityManager, customer: Customer, input: { kind: string; planId: string; subscriptionId?: string | null; discountCode?: string | null }): Promise<Price & { walletBalance: number; discountCode: string | null }> {
  const r = quoteInput.safeParse(input);
  if (!r.success) throw new AppError('BAD_USER_INPUT', r.error.issues[0]?.message ?? 'invalid quote');
  const data = r.data;
  if ((data.kind === OrderKind.RENEW || data.kind === OrderKind.ADD_TRAFFIC) && !data.subscriptionId) throw new AppError('BAD_USER_INPUT', 'renewals and add-traffic name a subscription');
  const plan = await getPlanOrFail(em, data.planId);
  if (!plan.active || plan.isTrial) throw new AppError('PLAN_NOT_PURCHASABLE');
  if (data.subscriptionId) {
    const sub = await em.findOne(Subscription, { id: data.subscriptionId, customer });
    if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND');
    if (!RENEWABLE.includes(sub.status) || sub.isTrial) throw new AppError('SUBSCRIPTION_NOT_RENEWABLE');
  }
  const code = data.discountCode ? await findUsableCode(em, data.discountCode, plan.id) : null;
  const price = priceOrder({ plan, reseller: customer.reseller ?? null, discountCode: code });
  return { ...price, walletBalance: await walletBalance(em, customer.id), discountCode: code?.code ?? null };
}
