import { type EntityManager } from '@mikro-orm/postgresql';
import type { Customer } from '../entities/customer.entity';
import { Order, OrderKind, PaymentMethod } from '../entities/order.entity';
import { Payment, PaymentStatus } from '../entities/payment.entity';
import { Plan } from '../entities/plan.entity';
import { AppError } from '../errors';
import { assertCanBuy } from './customer.service';
import { fulfilPaidOrder, type FulfilmentDeps } from './order-fulfilment.service';
import { assertCapacityFor, type CapacityAlerts } from './placement.service';
import { getSetting } from './setting.service';
import { flushUnique } from './unique-violation';

/**
 * The free trial: once per customer, enforced by a unique index on trial orders (not by a
 * check-then-insert), refused to banned customers; the plan is the `trial_plan_code` setting.
 */
export async function requestTrial(
  em: EntityManager,
  deps: FulfilmentDeps & { alerts?: CapacityAlerts },
  input: { customer: Customer; principal: string; actor: string },
): Promise<Order> {
  const customer = input.customer;
  assertCanBuy(customer);
  if (customer.trialUsedAt) throw new AppError('TRIAL_ALREADY_USED');
  const code = await getSetting(em, 'trial_plan_code');
  const plan = code ? await em.findOne(Plan, { code }) : null;
  // A paid plan named here (set before the setting was checked) is never given away.
  if (!plan || !plan.active || !plan.isTrial) throw new AppError('TRIAL_NOT_AVAILABLE');
  await assertCapacityFor(em, plan, deps.alerts);
  const [row] = await em.execute<Array<{ n: string }>>(`select nextval('order_number_seq')::bigint as n`);
  const order = em.create(Order, {
    number: Number(row.n),
    customer,
    plan,
    kind: OrderKind.TRIAL,
    paymentMethod: PaymentMethod.FREE,
    price: 0,
    amountDue: 0,
    principal: input.principal,
    idempotencyKey: `trial:${customer.id}`,
  });
  em.create(Payment, { order, method: PaymentMethod.FREE, amount: 0, status: PaymentStatus.APPROVED, reviewedAt: new Date() });
  customer.trialUsedAt = new Date();
  await flushUnique(em, 'TRIAL_ALREADY_USED');
  await fulfilPaidOrder(em, deps, order, input.actor);
  return order;
}
