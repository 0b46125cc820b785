import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { Order, OrderKind, OrderStatus } from '../entities/order.entity';
import { Server, ServerStatus } from '../entities/server.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { AppError, isAppError } from '../errors';
import type { Logger } from '../logger';
import { enqueueFailedClientRemoval, failOrder } from './order-fulfilment.service';
import { queueNotification } from '../notifications/notification.queue';
import type { PanelRegistry } from './panel-registry';
import { alertNoCapacity, placeSubscription, type CapacityAlerts } from './placement.service';
import { isPermanentPanelFailure } from './panel-failure';
import { clientSpecOf } from './subscription.service';
import { GRACE_REVOKE_REASON } from './subscription-lifecycle.service';
import { markActive, readForProvisioning } from './subscription-activation.service';
import { withSubscriptionLock } from './subscription-lock';
import { WriteBatch } from './write-batch';

/** What provisioning jobs need. */
export interface ProvisioningDeps {
  panels: PanelRegistry;
  logger: Logger;
  /** NO_CAPACITY goes through the same detached, de-duplicated alert as a refused sale. */
  alerts: CapacityAlerts;
}

/** The job attempt: on the last one a failure becomes permanent (order FAILED, refund). */
export interface Attempt {
  attempt: number;
  maxAttempts: number;
}

const DAY_MS = 86_400_000;

function safeReason(err: unknown): string {
  return isAppError(err) ? `${err.code}: ${err.message}` : 'unexpected error';
}

/**
 * Places a subscription on a server (once), fixes its expiry and records the intent to create its
 * client, all committed before any panel call. `fresh`: no earlier attempt recorded that intent, so
 * no panel can hold the client yet (the per-subscription lock keeps other runs out meanwhile).
 *
 * `sub` is the PROVISIONING subscription read with its plan, server and customer. The usual case
 * (placed at payment on a server still usable) is then at most one write statement (expiry,
 * intent, their audit row), without a row lock: the subscription lock keeps every other run of
 * work on it out, and the write touches only the expiry and the intent, which nothing else sets
 * while it is PROVISIONING. A subscription to place (again) goes through {@link placeAndFixLocked}.
 */
async function placeAndFix(em: EntityManager, deps: ProvisioningDeps, sub: Subscription): Promise<{ sub: Subscription; fresh: boolean }> {
  if (!sub.server || sub.server.status === ServerStatus.DOWN || !sub.server.active) return placeAndFixLocked(em, deps, sub.id);
  const fresh = !sub.clientCreateIntentAt;
  await new WriteBatch(em)
    .update(sub, {
      expiresAt: sub.expiresAt ?? new Date(Date.now() + sub.plan.durationDays * DAY_MS),
      clientCreateIntentAt: sub.clientCreateIntentAt ?? new Date(),
    })
    .execute();
  return { sub, fresh };
}

/** {@link placeAndFix} for a subscription without a usable server: placed under its row lock. */
async function placeAndFixLocked(em: EntityManager, deps: ProvisioningDeps, subscriptionId: string): Promise<{ sub: Subscription; fresh: boolean }> {
  return em.transactional(async (tx) => {
    const sub = await tx.findOneOrFail(Subscription, { id: subscriptionId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    await tx.populate(sub, ['plan', 'server', 'customer']);
    // Placed at payment on a server that has since gone DOWN or been switched off: place it again
    // (an earlier attempt may have left a client there: reconciliation removes such orphans);
    // with no other room, keep trying where it is.
    const unusable = sub.server && (sub.server.status === ServerStatus.DOWN || !sub.server.active);
    if (unusable) await placeSubscription(tx, sub, sub.plan, { excludeServerIds: [sub.server!.id] });
    if (!sub.server && !(await placeSubscription(tx, sub, sub.plan))) {
      await alertNoCapacity(deps.alerts, sub.plan);
      throw new AppError('NO_CAPACITY');
    }
    sub.expiresAt ??= new Date(Date.now() + sub.plan.durationDays * DAY_MS);
    const fresh = !sub.clientCreateIntentAt;
    sub.clientCreateIntentAt ??= new Date();
    return { sub, fresh };
  });
}

/**
 * provision_subscription: place, make the panel hold exactly this client, read its links, mark
 * ACTIVE and tell the customer. The intent to create is committed before the first create: the
 * first attempt creates without a look-up (two panel requests: create and links, whatever the
 * panel's size); any later attempt (an earlier one may have created the client and lost the
 * answer, or been killed) looks the client up by its deterministic name first, so a crash after
 * the panel accepted it never makes a second one. Throws to retry; on the last attempt, or at once when
 * the panel refused for good (`PanelError.retryable` false), fails the order and refunds it.
 */
export async function provisionSubscription(
  em: EntityManager,
  deps: ProvisioningDeps,
  payload: { subscriptionId: string; orderId: string | null },
  attempt: Attempt,
): Promise<'active' | 'skipped' | 'failed'> {
  // Held across the panel calls: a second run of this job (or any other work on this subscription)
  // waits, then finds it ACTIVE and skips, so a job that runs twice never creates two clients.
  return withSubscriptionLock(em, payload.subscriptionId, () => provisionLocked(em, deps, payload, attempt));
}

async function provisionLocked(
  em: EntityManager,
  deps: ProvisioningDeps,
  payload: { subscriptionId: string; orderId: string | null },
  attempt: Attempt,
): Promise<'active' | 'skipped' | 'failed'> {
  // Read fresh in one query: an empty identity map needs no `refresh`, which would load each relation again.
  const read = em.fork();
  const { sub: existing, order } = await readForProvisioning(read, payload);
  if (!existing || existing.status !== SubscriptionStatus.PROVISIONING) return 'skipped';
  try {
    const { sub, fresh } = await placeAndFix(read, deps, existing);
    const adapter = deps.panels.adapterFor(sub.server!);
    const spec = clientSpecOf(sub, { enabled: true });
    let links: string[];
    if (fresh) links = await adapter.createNewClient(spec);
    else {
      await adapter.ensureClient(spec);
      links = await adapter.getLinks(sub.panelName);
    }
    await markActive(em, sub, payload.orderId, order, links);
    return 'active';
  } catch (err) {
    if (attempt.attempt < attempt.maxAttempts && !isPermanentPanelFailure(err)) throw err;
    deps.logger.error({ err, subscriptionId: payload.subscriptionId, attempts: attempt.attempt }, 'provisioning failed for good');
    await em.transactional(async (tx) => {
      const order = payload.orderId ? await tx.findOne(Order, { id: payload.orderId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }) : null;
      if (order) await failOrder(tx, order, safeReason(err));
      else {
        const s = await tx.findOneOrFail(Subscription, { id: payload.subscriptionId });
        if (s.status === SubscriptionStatus.PROVISIONING) {
          s.status = SubscriptionStatus.FAILED;
          await enqueueFailedClientRemoval(tx, s.id);
        }
      }
    });
    return 'failed';
  }
}

/** The server a renewed subscription lives on: its own when usable, else a new placement. */
async function serverForRenewal(em: EntityManager, sub: Subscription): Promise<Server> {
  const current = sub.server ? await em.findOne(Server, { id: sub.server.id }) : null;
  if (current && current.active && current.status !== ServerStatus.DOWN) return current;
  const placement = await placeSubscription(em, sub, sub.plan);
  if (!placement) throw new AppError('NO_CAPACITY');
  await em.flush();
  return placement.server;
}

/**
 * apply_order: sets the renewal's or extra traffic's absolute expiry and quota (fixed on the order
 * when it was paid) on the same panel client, so the link does not change; a renewal starts a new
 * traffic period. Throws to retry; on the last attempt, or at once when the panel refused for good,
 * fails the order (refund).
 */
export async function applyOrder(em: EntityManager, deps: ProvisioningDeps, payload: { orderId: string }, attempt: Attempt): Promise<'applied' | 'skipped' | 'failed'> {
  const found = await em.findOne(Order, { id: payload.orderId });
  const subscriptionId = found?.subscription?.id;
  if (!subscriptionId) return 'skipped';
  return withSubscriptionLock(em, subscriptionId, () => applyLocked(em, deps, payload, attempt));
}

async function applyLocked(em: EntityManager, deps: ProvisioningDeps, payload: { orderId: string }, attempt: Attempt): Promise<'applied' | 'skipped' | 'failed'> {
  const order = await em.findOne(Order, { id: payload.orderId }, { populate: ['subscription', 'subscription.plan', 'customer'], refresh: true });
  if (!order || !order.subscription || (order.status !== OrderStatus.PAID && order.status !== OrderStatus.FULFILLING)) return 'skipped';
  try {
    const sub = order.subscription;
    const server = await em.transactional(async (tx) => {
      const s = await tx.findOneOrFail(Subscription, { id: sub.id }, { populate: ['plan', 'server'] });
      const srv = await serverForRenewal(tx, s);
      sub.inboundIds = s.inboundIds;
      return srv;
    });
    const target = {
      ...clientSpecOf(sub, { enabled: true }),
      expiresAt: order.targetExpiresAt ?? sub.expiresAt ?? null,
      trafficLimitBytes: order.targetTrafficBytes ?? sub.trafficLimitBytes,
    };
    const adapter = deps.panels.adapterFor(server);
    await adapter.ensureClient(target);
    if (order.kind === OrderKind.RENEW && order.resetsUsage) await adapter.resetTraffic(sub.panelName);
    const links = await adapter.getLinks(sub.panelName);
    await em.transactional(async (tx) => {
      const o = await tx.findOneOrFail(Order, { id: order.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (o.status === OrderStatus.FULFILLED) return;
      const s = await tx.findOneOrFail(Subscription, { id: sub.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      s.expiresAt = target.expiresAt;
      s.trafficLimitBytes = target.trafficLimitBytes;
      if (o.kind === OrderKind.RENEW && o.resetsUsage) {
        s.usedUpBytes = 0;
        s.usedDownBytes = 0;
        s.panelUpSeen = 0;
        s.panelDownSeen = 0;
        // A new traffic period: a usage sync that read the panel before the reset must not write into it.
        s.usageEpoch += 1;
      }
      s.status = SubscriptionStatus.ACTIVE;
      s.revokedAt = null;
      s.links = links;
      o.status = OrderStatus.FULFILLED;
      o.fulfilledAt = new Date();
      await tx.flush();
      await queueNotification(tx, { kind: 'SUBSCRIPTION_UPDATED', telegramId: order.customer.telegramId, params: { subscriptionId: s.id, orderNumber: o.number }, subscription: s });
    });
    return 'applied';
  } catch (err) {
    if (attempt.attempt < attempt.maxAttempts && !isPermanentPanelFailure(err)) throw err;
    deps.logger.error({ err, orderId: order.id, attempts: attempt.attempt }, 'renewal failed for good');
    await em.transactional(async (tx) => {
      const o = await tx.findOneOrFail(Order, { id: order.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      await failOrder(tx, o, safeReason(err));
    });
    return 'failed';
  }
}

/** A grace-period revoke only applies while the subscription is still ended (a renewal may have revived it). */
function graceRevokeObsolete(payload: { reason?: string }, status: SubscriptionStatus): boolean {
  return payload.reason === GRACE_REVOKE_REASON && status !== SubscriptionStatus.EXPIRED && status !== SubscriptionStatus.DEPLETED;
}

/** revoke_subscription: deletes the panel client (gone already is fine) and marks REVOKED. */
export async function revokeSubscription(em: EntityManager, deps: ProvisioningDeps, payload: { subscriptionId: string; reason?: string }): Promise<'revoked' | 'skipped'> {
  return withSubscriptionLock(em, payload.subscriptionId, () => revokeLocked(em, deps, payload));
}

async function revokeLocked(em: EntityManager, deps: ProvisioningDeps, payload: { subscriptionId: string; reason?: string }): Promise<'revoked' | 'skipped'> {
  const sub = await em.findOne(Subscription, { id: payload.subscriptionId }, { populate: ['server'], refresh: true });
  if (!sub || sub.status === SubscriptionStatus.REVOKED || graceRevokeObsolete(payload, sub.status)) return 'skipped';
  if (sub.server) await deps.panels.adapterFor(sub.server).deleteClient(sub.panelName);
  const outcome = await em.transactional(async (tx) => {
    const s = await tx.findOneOrFail(Subscription, { id: sub.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (graceRevokeObsolete(payload, s.status)) return 'skipped' as const;
    s.status = SubscriptionStatus.REVOKED;
    s.revokedAt = new Date();
    return 'revoked' as const;
  });
  return outcome;
}

/**
 * remove_failed_client: a subscription whose order failed for good (refunded) must leave nothing
 * working on the panel; an attempt may have created its client although the panel's answer was
 * lost. Deletes the client of its name (gone already is fine) while the subscription is still
 * FAILED; a retried order (PROVISIONING again) keeps it. Throws to retry while the panel fails.
 */
export async function removeFailedClient(em: EntityManager, deps: Pick<ProvisioningDeps, 'panels'>, payload: { subscriptionId: string }): Promise<'removed' | 'skipped'> {
  return withSubscriptionLock(em, payload.subscriptionId, async () => {
    const sub = await em.findOne(Subscription, { id: payload.subscriptionId }, { populate: ['server'], refresh: true });
    if (!sub || sub.status !== SubscriptionStatus.FAILED || !sub.server) return 'skipped';
    await deps.panels.adapterFor(sub.server).deleteClient(sub.panelName);
    return 'removed';
  });
}
