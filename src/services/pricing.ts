import type { DiscountCode } from '../entities/discount-code.entity';
import type { Plan } from '../entities/plan.entity';
import type { Reseller } from '../entities/reseller.entity';

/** What an order costs, in Toman. */
export interface Price {
  /** List price (plan price, or the reseller's price for it). */
  price: number;
  discount: number;
  amountDue: number;
}

/**
 * The one pricing function: every order (new, renew, add-traffic, reseller) is priced here.
 * A reseller pays its per-plan price or the plan price minus its discount percent; a discount
 * code then takes its percent or amount off, never below zero.
 */
export function priceOrder(input: { plan: Plan; reseller?: Reseller | null; discountCode?: DiscountCode | null }): Price {
  let price = input.plan.price;
  const r = input.reseller;
  if (r) {
    const own = r.planPrices[input.plan.id];
    price = typeof own === 'number' ? own : Math.round((price * (100 - r.discountPercent)) / 100);
  }
  let discount = 0;
  const d = input.discountCode;
  if (d) discount = d.percent ? Math.floor((price * d.percent) / 100) : Math.min(price, d.amount ?? 0);
  discount = Math.max(0, Math.min(price, discount));
  return { price, discount, amountDue: price - discount };
}
