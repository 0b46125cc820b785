import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { isPanelError } from '../clients/panel-error';
import { Evacuation, EvacuationStatus } from '../entities/evacuation.entity';
import { Inbound } from '../entities/inbound.entity';
import { Server } from '../entities/server.entity';
import { Subscription } from '../entities/subscription.entity';
import { AppError, isAppError } from '../errors';
import { enqueue } from '../jobs/enqueue';
import { mapLimit } from './concurrency';
import { sendAlert } from '../notifications/alerts';
import { moveOne, type EvacuationDeps, type MoveRun } from './evacuation-move.service';
import { LOAD_STATUSES } from './server.service';
import { isPermanentPanelFailure, pgTextArray, safeError } from './panel-failure';

/** Subscriptions moved per `evacuate_server` run; a run that moved some enqueues the next. */
export const EVACUATION_BATCH = 100;
/** Subscriptions moved in parallel inside a batch. */
export const EVACUATION_CONCURRENCY = 4;
/** Attempts of one run before the evacuation is marked FAILED (a second call resumes it). */
export const EVACUATION_MAX_ATTEMPTS = 10;

/** Errors (other than a panel's own) that concern a whole panel, not one client: the run stops and is retried. */
const OUTAGE_CODES = new Set(['PANEL_UNAVAILABLE', 'PANEL_AUTH_FAILED', 'PANEL_VERSION_UNSUPPORTED']);

/**
 * Whether a failed move stops the run (thrown, so graphile-worker retries it) instead of failing
 * that one subscription's move. A panel failure follows the same rule as provisioning: one the
 * panel may get over (`PanelError.retryable`) is retried, a permanent refusal
 * ({@link isPermanentPanelFailure}: wrong path, refused credentials, a refused client) fails the
 * move at once, whatever its code. Our own refusals (NO_CAPACITY, ...) fail the move; unexpected
 * errors stop the run.
 */
function stopsRun(err: unknown): boolean {
  if (isPanelError(err)) return !isPermanentPanelFailure(err);
  return !isAppError(err) || OUTAGE_CODES.has(err.code);
}

function jobOptions(ev: Evacuation) {
  // One queue per source: runs of one evacuation never overlap, even across workers.
  return { queueName: `evacuate_server:${ev.fromServer.id}`, maxAttempts: EVACUATION_MAX_ATTEMPTS };
}

async function countOnSource(em: EntityManager, serverId: string, exclude: string[] = []): Promise<number> {
  return em.count(Subscription, { server: serverId, status: { $in: LOAD_STATUSES }, ...(exclude.length ? { id: { $nin: exclude } } : {}) });
}

/**
 * `evacuateServer`: marks the source inactive (nothing new lands there) and starts, or resumes,
 * its evacuation. At most one evacuation per source is open: a second call continues it (after a
 * FAILED run it retries the subscriptions that could not be moved; a new `toServerId` replaces the
 * target for the rest). When nothing is left to move, the last evacuation is returned as is.
 */
export async function startEvacuation(em: EntityManager, input: { fromServerId: string; toServerId?: string | null }): Promise<Evacuation> {
  const ids = z.object({ fromServerId: z.uuid(), toServerId: z.uuid().nullish() }).safeParse(input);
  if (!ids.success) throw new AppError('SERVER_NOT_FOUND');
  const from = await em.findOne(Server, { id: input.fromServerId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!from) throw new AppError('SERVER_NOT_FOUND');
  let to: Server | null = null;
  if (input.toServerId) {
    to = await em.findOne(Server, { id: input.toServerId });
    if (!to) throw new AppError('SERVER_NOT_FOUND', 'Target server not found.');
    if (to.id === from.id) throw new AppError('BAD_USER_INPUT', 'The target must be another server.');
    if (!to.active) throw new AppError('BAD_USER_INPUT', 'The target server is inactive.');
  }
  from.active = false;
  let ev = await em.findOne(Evacuation, { fromServer: from.id, subscription: null, status: { $ne: EvacuationStatus.COMPLETED } }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  const remaining = await countOnSource(em, from.id);
  if (ev) {
    ev.status = EvacuationStatus.RUNNING;
    if (to) ev.toServer = to;
    ev.total = ev.moved + remaining;
    ev.failed = 0;
    ev.failedSubscriptionIds = [];
    ev.lastError = null;
    ev.completedAt = null;
  } else {
    const last = remaining === 0 ? await em.findOne(Evacuation, { fromServer: from.id, subscription: null }, { orderBy: { startedAt: 'desc' } }) : null;
    if (last) {
      await em.flush();
      return last;
    }
    ev = em.create(Evacuation, { fromServer: from, toServer: to, total: remaining });
  }
  await em.flush();
  await enqueue(em, 'evacuate_server', { evacuationId: ev.id }, { jobKey: `evacuate_server:${ev.id}`, ...jobOptions(ev) });
  return ev;
}

export async function getEvacuation(em: EntityManager, id: string): Promise<Evacuation | null> {
  if (!z.uuid().safeParse(id).success) return null;
  return em.findOne(Evacuation, { id }, { populate: ['fromServer', 'toServer'] });
}

/** Evacuations from or to a server, newest first. */
export async function listEvacuations(em: EntityManager, serverId: string): Promise<Evacuation[]> {
  if (!z.uuid().safeParse(serverId).success) return [];
  return em.find(Evacuation, { $or: [{ fromServer: serverId }, { toServer: serverId }] }, { orderBy: { startedAt: 'desc' }, limit: 50, populate: ['fromServer', 'toServer'] });
}

/** Marks a finished pass COMPLETED (or FAILED when some subscriptions could not be moved) and tells the admins. */
async function finish(em: EntityManager, evacuationId: string): Promise<'completed' | 'failed' | 'skipped'> {
  return em.transactional(async (tx) => {
    const ev = await tx.findOne(Evacuation, { id: evacuationId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!ev || ev.status !== EvacuationStatus.RUNNING) return 'skipped';
    await tx.populate(ev, ['fromServer', 'toServer']);
    const single = ev.subscription != null;
    ev.total = single ? 1 : ev.moved + ev.failed;
    // A single move whose subscription left the source (revoked, moved by an evacuation) moved nothing: it failed.
    const ok = ev.failed === 0 && (!single || ev.moved === 1);
    ev.status = ok ? EvacuationStatus.COMPLETED : EvacuationStatus.FAILED;
    if (ok) ev.completedAt = new Date();
    else ev.lastError ??= single ? 'SUBSCRIPTION_NOT_MOVABLE: the subscription left the source before it was moved' : `${ev.failed} subscriptions could not be moved`;
    await tx.flush();
    const leftovers = ev.leftoverNames.length;
    const about = { subject: ev.id, serverName: ev.fromServer.name };
    if (single) {
      // The admin who asked sees the result on the move; the others hear of a failure only.
      if (!ok) await sendAlert(tx, { code: 'SUBSCRIPTION_MOVE_FAILED', ...about, facts: { subscriptionId: ev.subscription!.id, target: ev.toServer?.name ?? '', reason: ev.lastError ?? '' } });
      return ok ? 'completed' : 'failed';
    }
    await sendAlert(
      tx,
      ok
        ? { code: 'EVACUATION_COMPLETED', ...about, facts: { moved: ev.moved, leftovers } }
        : { code: 'EVACUATION_FAILED', ...about, facts: { moved: ev.moved, failed: ev.failed, total: null, reason: ev.lastError ?? '', leftovers } },
    );
    return ok ? 'completed' : 'failed';
  });
}

/** Marks a RUNNING evacuation FAILED after its run gave up, and tells the admins. */
async function markFailed(em: EntityManager, evacuationId: string, reason: string): Promise<void> {
  await em.transactional(async (tx) => {
    const ev = await tx.findOne(Evacuation, { id: evacuationId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!ev || ev.status !== EvacuationStatus.RUNNING) return;
    await tx.populate(ev, ['fromServer']);
    ev.status = EvacuationStatus.FAILED;
    ev.lastError = reason;
    await tx.flush();
    if (ev.subscription) {
      await tx.populate(ev, ['toServer']);
      await sendAlert(tx, { code: 'SUBSCRIPTION_MOVE_FAILED', subject: ev.id, serverName: ev.fromServer.name, facts: { subscriptionId: ev.subscription.id, target: ev.toServer?.name ?? '', reason } });
      return;
    }
    await sendAlert(tx, {
      code: 'EVACUATION_FAILED',
      subject: ev.id,
      serverName: ev.fromServer.name,
      facts: { moved: ev.moved, failed: ev.failed, total: ev.total, reason, leftovers: ev.leftoverNames.length },
    });
  });
}

/**
 * One `evacuate_server` (or `move_subscription`) run: moves the next batch of subscriptions still on the source (in
 * parallel, {@link EVACUATION_CONCURRENCY} at a time) and enqueues the next run, or finishes the
 * evacuation when none is left. A panel outage stops the run (thrown, so graphile-worker retries);
 * on the last attempt the evacuation becomes FAILED. A subscription that cannot be placed or is
 * refused by the target for good is counted in `failed` at once (with the reason in `lastError`)
 * and skipped until the evacuation is resumed; the others go on. The move of one subscription
 * finishes in the run that moved it.
 */
export async function processEvacuation(
  em: EntityManager,
  deps: EvacuationDeps,
  evacuationId: string,
  attempt: { attempt: number; maxAttempts: number },
): Promise<'continued' | 'completed' | 'failed' | 'skipped'> {
  const ev = await em.findOne(Evacuation, { id: evacuationId }, { populate: ['fromServer', 'toServer'], refresh: true });
  if (!ev || ev.status !== EvacuationStatus.RUNNING) return 'skipped';
  try {
    const batch = await em.find(
      Subscription,
      {
        server: ev.fromServer.id,
        status: { $in: LOAD_STATUSES },
        ...(ev.failedSubscriptionIds.length ? { id: { $nin: ev.failedSubscriptionIds } } : {}),
        ...(ev.subscription ? { id: ev.subscription.id } : {}),
      },
      { orderBy: { id: 'asc' }, limit: EVACUATION_BATCH, populate: ['plan'], refresh: true },
    );
    if (batch.length === 0) return await finish(em, ev.id);

    const target = ev.toServer ? { server: ev.toServer, inbounds: await em.find(Inbound, { server: ev.toServer.id }) } : null;
    const run: MoveRun = {
      ev,
      from: ev.fromServer,
      source: deps.panels.adapterFor(ev.fromServer),
      target,
      sourceReachable: true,
      deps,
      inFlight: new Map(),
      placing: Promise.resolve(),
    };
    const results = await mapLimit(batch, EVACUATION_CONCURRENCY, (sub) => moveOne(em, run, sub));

    const clean = batch.filter((_, i) => {
      const r = results[i];
      return r.ok && r.value === 'clean';
    });
    if (clean.length) {
      await em.execute(
        `update evacuation set leftover_names = coalesce((select array_agg(n) from unnest(leftover_names) as n where not (n = any(?::text[]))), '{}') where id = ?`,
        [pgTextArray(clean.map((s) => s.panelName)), ev.id],
      );
    }
    let outage: unknown = null;
    for (const [i, r] of results.entries()) {
      if (r.ok) continue;
      if (stopsRun(r.error)) {
        outage ??= r.error;
        continue;
      }
      await em.execute(
        `update evacuation set failed = failed + 1, failed_subscription_ids = array_append(failed_subscription_ids, ?), last_error = ?, updated_at = now()
          where id = ? and not (? = any(failed_subscription_ids))`,
        [batch[i].id, safeError(r.error), ev.id, batch[i].id],
      );
    }
    if (outage) throw outage;
    if (ev.subscription) return await finish(em, ev.id);
    await enqueue(em, 'evacuate_server', { evacuationId: ev.id }, jobOptions(ev));
    return 'continued';
  } catch (err) {
    if (attempt.attempt < attempt.maxAttempts) throw err;
    deps.logger.error({ err, evacuationId }, 'evacuation run failed for good');
    await markFailed(em, evacuationId, safeError(err));
    return 'failed';
  }
}
