import type { EntityManager } from '@mikro-orm/postgresql';
import { LedgerKind } from '../entities/ledger-entry.entity';
import { type Order, OrderKind, OrderStatus, PaymentMethod } from '../entities/order.entity';
import { type Plan, RenewalTraffic } from '../entities/plan.entity';
import { Reseller } from '../entities/reseller.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { AppError } from '../errors';
import { enqueue } from '../jobs/enqueue';
import { sendAlert } from '../notifications/alerts';
import { queueNotification, stageNotification } from '../notifications/notification.queue';
import { chooseServer, placementFields } from './placement.service';
import { newSubscription } from './subscription.service';
import { postToWallet, walletCredit } from './wallet.service';
import { WriteBatch } from './write-batch';
import { postToResellerBalance } from './reseller-balance.service';
import { orderEventData, recordResellerEvent } from './webhook.events';

/** What fulfilment needs from the process. */
export interface FulfilmentDeps {
  /** Attempts of provision_subscription / apply_order before the order fails for good. */
  provisionMaxAttempts: number;
}

const DAY_MS = 86_400_000;

/**
 * Turns a paid order into work, in the caller's transaction: NEW/TRIAL → a subscription row in
 * PROVISIONING and its job; RENEW/ADD_TRAFFIC → the absolute targets fixed now and the apply job;
 * TOP_UP → the wallet credit. The job exists if and only if the payment commits.
 *
 * The writes go out as one statement (src/services/write-batch.ts): into `batch` when the caller
 * gives one (and executes it), else at the end. A NEW/TRIAL order is placed last, so the placement
 * lock is taken just before that statement and held only until the commit.
 */
export async function fulfilPaidOrder(em: EntityManager, deps: FulfilmentDeps, order: Order, actor: string, batch?: WriteBatch): Promise<void> {
  const writes = batch ?? new WriteBatch(em);
  await em.populate(order, ['plan', 'customer', 'subscription']);
  const paid = { status: OrderStatus.PAID, paidAt: order.paidAt ?? new Date() };
  switch (order.kind) {
    case OrderKind.NEW:
    case OrderKind.TRIAL: {
      const existing = order.subscription;
      const sub = existing ?? newSubscription(em, { customer: order.customer, plan: order.plan!, isTrial: order.kind === OrderKind.TRIAL }, { persist: false });
      // Take the slot now, in the payment's transaction, so paid subscriptions count toward a
      // server's load at once; when nothing fits, the provisioning job places it later.
      const placement = sub.server ? null : await chooseServer(em, order.plan!, { lock: true });
      const slot = placement ? placementFields(placement) : {};
      if (existing) writes.update(existing, slot);
      else writes.insert(Object.assign(sub, slot));
      writes.update(order, { ...paid, subscription: sub });
      writes.job({ task: 'provision_subscription', payload: { subscriptionId: sub.id, orderId: order.id }, options: provisionJobOptions(deps, sub.id) });
      break;
    }
    case OrderKind.RENEW:
    case OrderKind.ADD_TRAFFIC: {
      writes.update(order, { ...paid, ...orderTargets(order, order.subscription!, order.plan!) });
      writes.job({ task: 'apply_order', payload: { orderId: order.id }, options: { jobKey: `apply_order:${order.id}`, maxAttempts: deps.provisionMaxAttempts } });
      break;
    }
    case OrderKind.TOP_UP: {
      writes.insert(await walletCredit(em, { customer: order.customer, amount: order.amountDue, kind: LedgerKind.TOP_UP, order, actor }));
      writes.update(order, { ...paid, status: OrderStatus.FULFILLED, fulfilledAt: new Date() });
      stageNotification(em, writes, {
        kind: 'WALLET_CREDITED',
        telegramId: order.customer.telegramId,
        params: { orderId: order.id, orderNumber: order.number, amount: order.amountDue },
      });
      break;
    }
  }
  if (!batch) await writes.execute();
}

/**
 * RENEW/ADD_TRAFFIC: the absolute expiry and quota the order sets, fixed once (kept when already
 * fixed, so a re-run never extends twice).
 */
function orderTargets(order: Order, sub: Subscription, plan: Plan): Pick<Order, 'targetExpiresAt' | 'targetTrafficBytes' | 'resetsUsage'> {
  const targets = { targetExpiresAt: order.targetExpiresAt ?? null, targetTrafficBytes: order.targetTrafficBytes ?? null, resetsUsage: order.resetsUsage };
  if (order.kind === OrderKind.RENEW) {
    const base = Math.max(Date.now(), sub.expiresAt?.getTime() ?? 0);
    targets.targetExpiresAt ??= new Date(base + plan.durationDays * DAY_MS);
    if (targets.targetTrafficBytes === null) {
      const carry = plan.renewalTraffic === RenewalTraffic.CARRY_OVER;
      targets.resetsUsage = !carry;
      targets.targetTrafficBytes = !carry ? plan.trafficBytes : sub.trafficLimitBytes === 0 || plan.trafficBytes === 0 ? 0 : sub.trafficLimitBytes + plan.trafficBytes;
    }
  } else {
    targets.targetTrafficBytes ??= sub.trafficLimitBytes === 0 ? 0 : sub.trafficLimitBytes + plan.trafficBytes;
  }
  return targets;
}

function provisionJobOptions(deps: FulfilmentDeps, subscriptionId: string) {
  return { jobKey: `provision_subscription:${subscriptionId}`, maxAttempts: deps.provisionMaxAttempts };
}

export async function enqueueProvision(em: EntityManager, deps: FulfilmentDeps, subscriptionId: string, orderId: string | null): Promise<void> {
  await enqueue(em, 'provision_subscription', { subscriptionId, orderId }, provisionJobOptions(deps, subscriptionId));
}

/**
 * Gives up on an order for good (in the caller's transaction): order FAILED, a NEW/TRIAL
 * subscription FAILED, the amount paid refunded to the wallet, or to the reseller balance for a
 * reseller order (once per attempt, by the ledger's unique index), the customer, the admins and
 * the reseller (order.failed / order.refunded webhooks) told.
 */
export async function failOrder(em: EntityManager, order: Order, reason: string): Promise<void> {
  await em.populate(order, ['customer', 'subscription']);
  if (order.status === OrderStatus.FAILED || order.status === OrderStatus.FULFILLED) return;
  order.status = OrderStatus.FAILED;
  order.failureReason = reason.slice(0, 500);
  const sub = order.subscription;
  if (sub && (order.kind === OrderKind.NEW || order.kind === OrderKind.TRIAL) && sub.status === SubscriptionStatus.PROVISIONING) {
    sub.status = SubscriptionStatus.FAILED;
    // An attempt may have created the client although its answer was lost: take it off the panel.
    await enqueueFailedClientRemoval(em, sub.id);
  } else if (sub && (order.kind === OrderKind.RENEW || order.kind === OrderKind.ADD_TRAFFIC) && sub.server) {
    // An attempt may have written the new expiry or quota before failing: the panel goes back to
    // what the subscription holds (the refunded order's targets are not applied).
    await enqueue(em, 'set_client_enabled', { subscriptionId: sub.id }, { jobKey: `set_client_enabled:${sub.id}`, maxAttempts: 10 });
  }
  let refunded = 0;
  if (order.paymentMethod === PaymentMethod.RESELLER_BALANCE && order.amountDue > 0) {
    const reseller = await em.findOneOrFail(Reseller, { id: order.reseller!.id });
    await postToResellerBalance(em, { reseller, amount: order.amountDue, kind: LedgerKind.REFUND, order, actor: 'system', note: 'provisioning failed' });
    refunded = order.amountDue;
  } else if (order.paymentMethod !== PaymentMethod.FREE && order.amountDue > 0) {
    await postToWallet(em, { customer: order.customer, amount: order.amountDue, kind: LedgerKind.REFUND, order, actor: 'system', note: 'provisioning failed' });
    refunded = order.amountDue;
  }
  await em.flush();
  if (order.reseller) {
    await recordResellerEvent(em, order.reseller.id, 'order.failed', `order.failed:${order.id}:${order.attempt}`, orderEventData(order, reason));
    if (refunded) await recordResellerEvent(em, order.reseller.id, 'order.refunded', `order.refunded:${order.id}:${order.attempt}`, { ...orderEventData(order, reason), refunded });
  }
  await queueNotification(em, {
    kind: 'PROVISIONING_FAILED',
    telegramId: order.customer.telegramId,
    params: { orderId: order.id, orderNumber: order.number, refunded },
  });
  await sendAlert(em, { code: 'PROVISIONING_FAILED', facts: { reason: reason.slice(0, 300) }, orderNumber: order.number });
}

/** Attempts of the clean-up of a failed subscription's panel client (graphile's backoff spreads them over days). */
export const FAILED_CLIENT_REMOVAL_MAX_ATTEMPTS = 25;

/**
 * Queues `remove_failed_client` for a subscription that just became FAILED (in the caller's
 * transaction): the job deletes whatever client of its name the panel holds, retrying until the
 * panel answers. The nightly reconciliation deletes what it still misses (ENDED orphans).
 */
export async function enqueueFailedClientRemoval(em: EntityManager, subscriptionId: string): Promise<void> {
  await enqueue(em, 'remove_failed_client', { subscriptionId }, { jobKey: `remove_failed_client:${subscriptionId}`, maxAttempts: FAILED_CLIENT_REMOVAL_MAX_ATTEMPTS });
}

/**
 * Re-runs a failed order (ADMIN): the refund is charged back from the wallet (INSUFFICIENT_BALANCE
 * if it was spent), then the order is fulfilled again as a new attempt.
 */
export async function retryOrder(em: EntityManager, deps: FulfilmentDeps, order: Order, actor: string): Promise<Order> {
  if (order.status !== OrderStatus.FAILED) throw new AppError('ORDER_NOT_RETRYABLE');
  await em.populate(order, ['customer', 'subscription', 'plan']);
  const refunded = order.paymentMethod !== PaymentMethod.FREE && order.amountDue > 0;
  order.attempt += 1;
  order.failureReason = null;
  if (refunded && order.paymentMethod === PaymentMethod.RESELLER_BALANCE) {
    const reseller = await em.findOneOrFail(Reseller, { id: order.reseller!.id });
    await postToResellerBalance(em, { reseller, amount: -order.amountDue, kind: LedgerKind.PURCHASE, order, actor, note: 'retry of a failed order' });
  } else if (refunded) {
    await postToWallet(em, { customer: order.customer, amount: -order.amountDue, kind: LedgerKind.PURCHASE, order, actor, note: 'retry of a failed order' });
  }
  const sub = order.subscription;
  if (sub && sub.status === SubscriptionStatus.FAILED) sub.status = SubscriptionStatus.PROVISIONING;
  await em.flush();
  await fulfilPaidOrder(em, deps, order, actor);
  return order;
}

/**
 * Revokes a subscription: its panel client is deleted by the revoke job. One already REVOKED is
 * refused with `whenRevoked` (staff's API reads it as not found, the reseller API as not changeable).
 */
export async function requestRevoke(
  em: EntityManager,
  sub: Subscription,
  reason: string,
  whenRevoked: 'SUBSCRIPTION_NOT_FOUND' | 'SUBSCRIPTION_NOT_CHANGEABLE',
): Promise<void> {
  if (sub.status === SubscriptionStatus.REVOKED) throw new AppError(whenRevoked, 'Already revoked.');
  await enqueue(em, 'revoke_subscription', { subscriptionId: sub.id, reason }, { jobKey: `revoke_subscription:${sub.id}` });
}
