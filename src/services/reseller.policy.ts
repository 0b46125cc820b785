import type { EntityManager } from '@mikro-orm/postgresql';
import { Role } from '../entities/common';
import { Customer } from '../entities/customer.entity';
import { Order } from '../entities/order.entity';
import type { Plan } from '../entities/plan.entity';
import { Reseller } from '../entities/reseller.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';
import { AppError } from '../errors';
import { isUuid } from './ids';
import type { Principal } from './principal';
import { lockReseller } from './reseller-balance.service';
import { getResellerOrFail } from './reseller.service';

/**
 * Tenant rules for resellers: a RESELLER principal sees and touches only rows of its own reseller.
 * Rows of other resellers and of the shop answer NOT_FOUND exactly like ids that do not exist,
 * so existence never leaks.
 */

function notFound(what: string): AppError {
  return new AppError('NOT_FOUND', `${what} not found.`);
}

/** The reseller a RESELLER principal belongs to. */
export async function resellerOfPrincipal(em: EntityManager, p: Principal): Promise<Reseller> {
  if (p.role !== Role.RESELLER || !p.resellerId) throw new AppError('FORBIDDEN');
  const r = await em.findOne(Reseller, { id: p.resellerId });
  if (!r) throw new AppError('UNAUTHENTICATED');
  return r;
}

/** The reseller an operation is about: a RESELLER's own (naming another reads as NOT_FOUND); ADMIN names one. */
export async function resellerInScope(em: EntityManager, p: Principal, resellerId?: string | null): Promise<Reseller> {
  if (p.role === Role.RESELLER) {
    if (resellerId && resellerId !== p.resellerId) throw notFound('Reseller');
    return resellerOfPrincipal(em, p);
  }
  if (p.role === Role.ADMIN) {
    if (!resellerId) throw new AppError('BAD_USER_INPUT', 'resellerId is required.');
    return getResellerOrFail(em, resellerId);
  }
  throw new AppError('FORBIDDEN');
}

/** A customer of the reseller, or NOT_FOUND. */
export async function ownCustomer(em: EntityManager, reseller: Reseller, id: string): Promise<Customer> {
  const c = isUuid(id) ? await em.findOne(Customer, { id, reseller }) : null;
  if (!c) throw notFound('Customer');
  return c;
}

/** An order of the reseller, or NOT_FOUND. */
export async function ownOrder(em: EntityManager, reseller: Reseller, id: string): Promise<Order> {
  const o = isUuid(id) ? await em.findOne(Order, { id, reseller }, { populate: ['plan', 'customer', 'subscription'] }) : null;
  if (!o) throw notFound('Order');
  return o;
}

/** A subscription of the reseller's customers, or NOT_FOUND. */
export async function ownSubscription(em: EntityManager, reseller: Reseller, id: string): Promise<Subscription> {
  const s = isUuid(id) ? await em.findOne(Subscription, { id, customer: { reseller } }, { populate: ['plan', 'customer', 'server'] }) : null;
  if (!s) throw notFound('Subscription');
  return s;
}

/** A webhook delivery of the reseller, or NOT_FOUND. */
export async function ownDelivery(em: EntityManager, reseller: Reseller, id: string): Promise<WebhookDelivery> {
  const d = isUuid(id) ? await em.findOne(WebhookDelivery, { id, reseller }) : null;
  if (!d) throw notFound('Webhook delivery');
  return d;
}

/** A webhook delivery: a RESELLER's own, or any for ADMIN; NOT_FOUND otherwise. */
export async function deliveryInScope(em: EntityManager, p: Principal, id: string): Promise<WebhookDelivery> {
  if (p.role === Role.RESELLER) return ownDelivery(em, await resellerOfPrincipal(em, p), id);
  const d = isUuid(id) ? await em.findOne(WebhookDelivery, { id }) : null;
  if (!d) throw notFound('Webhook delivery');
  return d;
}

/** PLAN_NOT_ALLOWED unless the plan is on the reseller's allowed plans and server groups (empty lists allow all). */
export function assertResellerMaySell(r: Reseller, plan: Plan): void {
  if (r.allowedPlanIds.length && !r.allowedPlanIds.includes(plan.id)) throw new AppError('PLAN_NOT_ALLOWED');
  if (r.allowedServerGroups.length && !r.allowedServerGroups.includes(plan.serverGroup)) throw new AppError('PLAN_NOT_ALLOWED');
}

/** Statuses that count toward a reseller's quota. */
const QUOTA_STATUSES = [SubscriptionStatus.PROVISIONING, SubscriptionStatus.ACTIVE];

/** QUOTA_EXCEEDED when the reseller already has its maximum of provisioning/active subscriptions. Call under lockReseller. */
export async function assertQuotaLeft(em: EntityManager, r: Reseller): Promise<void> {
  if (r.maxActiveSubscriptions <= 0) return;
  await lockReseller(em, r.id);
  const n = await em.count(Subscription, { reseller: r, status: { $in: QUOTA_STATUSES } });
  if (n >= r.maxActiveSubscriptions) throw new AppError('QUOTA_EXCEEDED', undefined, { active: n, max: r.maxActiveSubscriptions });
}
