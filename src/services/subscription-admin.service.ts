import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { AppError } from '../errors';
import { enqueue } from '../jobs/enqueue';
import type { PanelRegistry } from './panel-registry';
import { ON_PANEL_STATUSES } from './subscription-lifecycle.service';
import { clientSpecOf } from './subscription.service';
import { withSubscriptionLock } from './subscription-lock';
import { isTrafficUsedUp } from './traffic-quota';

/** Longest extension one call may add (ten years). */
export const MAX_EXTEND_DAYS = 3650;

const DAY_MS = 86_400_000;

/**
 * ADMIN: adds `days` to a subscription's time, counted from its expiry or from now when that is
 * already past. An EXPIRED subscription whose quota is not used up becomes ACTIVE again (its grace
 * period ends); a DISABLED one stays DISABLED. The panel client follows through
 * `set_client_enabled` (it writes the new expiry), enqueued in the same transaction.
 * A subscription without an expiry, or one that is not on a panel, is refused.
 */
export async function extendSubscription(em: EntityManager, id: string, days: number): Promise<Subscription> {
  if (!Number.isInteger(days) || days < 1 || days > MAX_EXTEND_DAYS) {
    throw new AppError('BAD_USER_INPUT', `Days must be a whole number from 1 to ${MAX_EXTEND_DAYS}.`);
  }
  const sub = z.uuid().safeParse(id).success
    ? await em.findOne(Subscription, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND');
  await em.populate(sub, ['plan', 'customer', 'server']);
  const extendable = [SubscriptionStatus.ACTIVE, SubscriptionStatus.EXPIRED, SubscriptionStatus.DEPLETED, SubscriptionStatus.DISABLED];
  if (!extendable.includes(sub.status) || !sub.expiresAt) {
    throw new AppError('SUBSCRIPTION_NOT_CHANGEABLE', 'Only a subscription on a panel with an expiry date can be extended.');
  }
  const from = Math.max(sub.expiresAt.getTime(), Date.now());
  sub.expiresAt = new Date(from + days * DAY_MS);
  if (sub.status === SubscriptionStatus.EXPIRED) {
    const depleted = isTrafficUsedUp(sub.trafficLimitBytes, sub.usedUpBytes + sub.usedDownBytes);
    sub.status = depleted ? SubscriptionStatus.DEPLETED : SubscriptionStatus.ACTIVE;
    if (!depleted) sub.endedAt = null;
  }
  await em.flush();
  if (sub.server) await enqueue(em, 'set_client_enabled', { subscriptionId: sub.id }, { jobKey: `set_client_enabled:${sub.id}`, maxAttempts: 10 });
  return sub;
}

/**
 * ADMIN: starts a new traffic period for a subscription on a panel: `reset_subscription_traffic`
 * (enqueued in the same transaction, keyed by the current traffic period so a repeated call in the
 * same period changes nothing) zeroes the panel counters and then the stored usage. Returns the
 * subscription as it is now; the usage reads zero once the job ran.
 */
export async function requestTrafficReset(em: EntityManager, id: string): Promise<Subscription> {
  const sub = z.uuid().safeParse(id).success
    ? await em.findOne(Subscription, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : null;
  if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND');
  await em.populate(sub, ['plan', 'customer', 'server']);
  if (!sub.server || !(ON_PANEL_STATUSES as readonly string[]).includes(sub.status)) {
    throw new AppError('SUBSCRIPTION_NOT_CHANGEABLE', 'Only a subscription on a panel can have its traffic reset.');
  }
  await enqueue(
    em,
    'reset_subscription_traffic',
    { subscriptionId: sub.id, epoch: sub.usageEpoch },
    { jobKey: `reset_subscription_traffic:${sub.id}:${sub.usageEpoch}`, maxAttempts: 10 },
  );
  return sub;
}

/**
 * reset_subscription_traffic: zeroes the client's counters on the panel, then (once per traffic
 * period: a run after the period moved on does nothing) zeroes the stored usage and starts a new
 * period; a DEPLETED subscription becomes ACTIVE again. The panel client is then set to match the
 * status (some panels re-enable a client on reset). Safe to run again.
 */
export async function resetSubscriptionTraffic(
  em: EntityManager,
  panels: PanelRegistry,
  payload: { subscriptionId: string; epoch: number },
): Promise<'reset' | 'skipped'> {
  const sub = await em.findOne(Subscription, { id: payload.subscriptionId }, { populate: ['server'] });
  if (!sub || !sub.server || sub.usageEpoch !== payload.epoch || !(ON_PANEL_STATUSES as readonly string[]).includes(sub.status)) return 'skipped';
  const adapter = panels.adapterFor(sub.server);
  await adapter.resetTraffic(sub.panelName);
  const done = await em.transactional(async (tx) => {
    const s = await tx.findOneOrFail(Subscription, { id: sub.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (s.usageEpoch !== payload.epoch) return null;
    s.usedUpBytes = 0;
    s.usedDownBytes = 0;
    s.panelUpSeen = 0;
    s.panelDownSeen = 0;
    s.usageEpoch += 1;
    if (s.status === SubscriptionStatus.DEPLETED) {
      s.status = SubscriptionStatus.ACTIVE;
      s.endedAt = null;
    }
    return s;
  });
  if (!done) return 'skipped';
  await adapter.ensureClient(clientSpecOf(done));
  return 'reset';
}

/** What {@link applyClientEnabled} did: nothing (gone, not on a panel) or the panel call's action. */
export type ClientEnabledOutcome = { applied: false; status: SubscriptionStatus | null } | { applied: true; status: SubscriptionStatus; action: string };

/**
 * `set_client_enabled`: makes the panel client follow the subscription's current status after an
 * admin enabled, disabled or extended it: enabled exactly when ACTIVE, with the stored expiry and
 * quota. The state is read when this runs, so the last switch wins; the client is re-created
 * (same UUID and password) if it went missing.
 */
export async function applyClientEnabled(em: EntityManager, panels: PanelRegistry, subscriptionId: string): Promise<ClientEnabledOutcome> {
  // Under the subscription's lock: never at the same time as its provisioning, renewal or revoke.
  return withSubscriptionLock(em, subscriptionId, async () => {
    const sub = await em.findOne(Subscription, { id: subscriptionId }, { populate: ['server'], refresh: true });
    if (!sub || !sub.server || !(ON_PANEL_STATUSES as readonly string[]).includes(sub.status)) return { applied: false, status: sub?.status ?? null };
    const result = await panels.adapterFor(sub.server).ensureClient(clientSpecOf(sub));
    return { applied: true, status: sub.status, action: result.action };
  });
}
