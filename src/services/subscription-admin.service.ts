import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { AppError } from '../errors';
import { enqueue } from '../jobs/enqueue';

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
    const depleted = sub.trafficLimitBytes > 0 && sub.usedUpBytes + sub.usedDownBytes >= sub.trafficLimitBytes;
    sub.status = depleted ? SubscriptionStatus.DEPLETED : SubscriptionStatus.ACTIVE;
    if (!depleted) sub.endedAt = null;
  }
  await em.flush();
  if (sub.server) await enqueue(em, 'set_client_enabled', { subscriptionId: sub.id }, { jobKey: `set_client_enabled:${sub.id}`, maxAttempts: 10 });
  return sub;
}
