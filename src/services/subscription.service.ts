import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Customer } from '../entities/customer.entity';
import type { Plan } from '../entities/plan.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { AppError } from '../errors';
import { canAccessCustomer } from './access.policy';
import type { Principal } from './principal';
import type { ClientSpec } from '../clients/panel.types';

/** The client's identity on a panel, derived from our subscription id (never from user input). */
export function panelNameFor(subscriptionId: string): string {
  return `vp-${subscriptionId.replace(/-/g, '')}`;
}

/** Panel names we created follow this pattern; other clients on a panel are not ours. */
export const PANEL_NAME_RE = /^vp-[0-9a-f]{32}$/;

/** Our own subscription URL, stable across server moves. */
export function subscriptionUrl(publicUrl: string, subToken: string): string {
  return `${publicUrl}/sub/${subToken}`;
}

/** A new subscription row in PROVISIONING; its panel identity and credentials are fixed here, before any panel call. */
export function newSubscription(em: EntityManager, input: { customer: Customer; plan: Plan; isTrial?: boolean }, opts: { persist?: boolean } = {}): Subscription {
  const sub = em.create(
    Subscription,
    {
    customer: input.customer,
    reseller: input.customer.reseller ?? null,
    plan: input.plan,
    panelName: 'pending',
    isTrial: input.isTrial ?? false,
    trafficLimitBytes: input.plan.trafficBytes,
    deviceLimit: input.plan.deviceLimit,
    },
    { persist: opts.persist ?? true },
  );
  sub.panelName = panelNameFor(sub.id);
  return sub;
}

/** The absolute state the panel must hold for a subscription. */
export function clientSpecOf(sub: Subscription, opts: { enabled?: boolean } = {}): ClientSpec {
  const live = sub.status === SubscriptionStatus.ACTIVE || sub.status === SubscriptionStatus.PROVISIONING;
  return {
    name: sub.panelName,
    uuid: sub.clientUuid,
    password: sub.clientPassword,
    enabled: opts.enabled ?? live,
    trafficLimitBytes: sub.trafficLimitBytes,
    expiresAt: sub.expiresAt ?? null,
    deviceLimit: sub.deviceLimit,
    inboundIds: sub.inboundIds,
    subId: sub.panelName,
  };
}

export async function getSubscriptionOrFail(em: EntityManager, id: string): Promise<Subscription> {
  const sub = z.uuid().safeParse(id).success ? await em.findOne(Subscription, { id }, { populate: ['plan', 'customer', 'server'] }) : null;
  if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND');
  return sub;
}

/** The subscription `id` if `principal` may see it (staff any, a user bot its own customer's), else null. */
export async function findSubscriptionForPrincipal(em: EntityManager, principal: Principal, id: string): Promise<Subscription | null> {
  const sub = z.uuid().safeParse(id).success ? await em.findOne(Subscription, { id }, { populate: ['plan', 'customer', 'server'] }) : null;
  if (!sub || !(await canAccessCustomer(em, principal, sub.customer.id))) return null;
  return sub;
}

/** A customer's subscriptions, newest first. */
export async function listCustomerSubscriptions(em: EntityManager, customerId: string): Promise<Subscription[]> {
  return em.find(Subscription, { customer: customerId }, { orderBy: { createdAt: 'desc' }, populate: ['plan', 'server'] });
}

/** Used bytes (up + down). */
export function usedBytes(sub: Subscription): number {
  return sub.usedUpBytes + sub.usedDownBytes;
}
