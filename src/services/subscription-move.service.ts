import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Evacuation, EvacuationStatus } from '../entities/evacuation.entity';
import { Inbound } from '../entities/inbound.entity';
import { Server, ServerStatus } from '../entities/server.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { AppError } from '../errors';
import { enqueue } from '../jobs/enqueue';
import { EVACUATION_MAX_ATTEMPTS } from './evacuation.service';
import { usableInbounds } from './placement.service';
import { activeSubscriptionCounts } from './server.service';
import { flushUnique } from './unique-violation';

/**
 * `moveSubscription`: moves one ACTIVE subscription to another server with the evacuation
 * machinery (same client name, UUID and password, same `/sub/:token` URL; created on the target,
 * deleted from the source or left for reconciliation). The move is an evacuation row of that one
 * subscription, run by a `move_subscription` job in the source's evacuation queue, so it never
 * overlaps a run of an evacuation of the same server.
 *
 * Everything that can be checked now is, and a refusal changes nothing: SUBSCRIPTION_NOT_FOUND,
 * SERVER_NOT_FOUND, SUBSCRIPTION_NOT_MOVABLE (not ACTIVE, or on no server),
 * SUBSCRIPTION_ALREADY_ON_SERVER, SERVER_INACTIVE (inactive or DOWN), SERVER_NO_USABLE_INBOUND,
 * SERVER_FULL (its subscriptions plus the moves running to it reach its capacity),
 * SERVER_EVACUATING (an evacuation of the source is running), SUBSCRIPTION_MOVE_RUNNING (a move of
 * it to another target is running). Asking again for a running move returns it.
 */
export async function startSubscriptionMove(em: EntityManager, input: { subscriptionId: string; toServerId: string }): Promise<Evacuation> {
  if (!z.uuid().safeParse(input.subscriptionId).success) throw new AppError('SUBSCRIPTION_NOT_FOUND');
  if (!z.uuid().safeParse(input.toServerId).success) throw new AppError('SERVER_NOT_FOUND');
  const sub = await em.findOne(Subscription, { id: input.subscriptionId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!sub) throw new AppError('SUBSCRIPTION_NOT_FOUND');
  const running = await em.findOne(Evacuation, { subscription: sub.id, status: EvacuationStatus.RUNNING });
  if (running) {
    if (running.toServer?.id === input.toServerId) return running;
    throw new AppError('SUBSCRIPTION_MOVE_RUNNING');
  }
  if (sub.status !== SubscriptionStatus.ACTIVE || !sub.server) throw new AppError('SUBSCRIPTION_NOT_MOVABLE');
  // The target's row lock serializes moves to it, so two cannot take its last place.
  const to = await em.findOne(Server, { id: input.toServerId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!to) throw new AppError('SERVER_NOT_FOUND');
  if (to.id === sub.server.id) throw new AppError('SUBSCRIPTION_ALREADY_ON_SERVER');
  if (!to.active || to.status === ServerStatus.DOWN) throw new AppError('SERVER_INACTIVE');
  await em.populate(sub, ['plan', 'server']);
  if (usableInbounds(await em.find(Inbound, { server: to.id }), sub.plan, to).length === 0) throw new AppError('SERVER_NO_USABLE_INBOUND');
  const placed = (await activeSubscriptionCounts(em, [to.id])).get(to.id) ?? 0;
  const incoming = await em.count(Evacuation, { toServer: to.id, subscription: { $ne: null }, status: EvacuationStatus.RUNNING });
  if (placed + incoming >= to.capacity) throw new AppError('SERVER_FULL');
  const evacuating = await em.count(Evacuation, { fromServer: sub.server.id, subscription: null, status: EvacuationStatus.RUNNING });
  if (evacuating > 0) throw new AppError('SERVER_EVACUATING');

  const move = em.create(Evacuation, { fromServer: sub.server, toServer: to, subscription: sub, total: 1 });
  await flushUnique(em, 'SUBSCRIPTION_MOVE_RUNNING');
  await enqueue(
    em,
    'move_subscription',
    { evacuationId: move.id },
    { jobKey: `move_subscription:${move.id}`, queueName: `evacuate_server:${sub.server.id}`, maxAttempts: EVACUATION_MAX_ATTEMPTS },
  );
  return move;
}
