import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import type { PanelAdapter } from '../clients/panel.types';
import type { Evacuation } from '../entities/evacuation.entity';
import type { Inbound } from '../entities/inbound.entity';
import { Server } from '../entities/server.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { AppError } from '../errors';
import type { Logger } from '../logger';
import type { PanelRegistry } from './panel-registry';
import { safeError } from './panel-failure';
import { chooseServer, usableInbounds } from './placement.service';
import { activeSubscriptionCounts, LOAD_STATUSES } from './server.service';
import { clientSpecOf } from './subscription.service';

/*
 * Moving one subscription during an evacuation run (evacuation.service.ts drives the runs): where
 * it goes (the explicit target, or placement with the run's in-flight reservations), the client
 * ensured on the target, the row switched in one transaction, the source copy deleted or left over.
 */

/** What the evacuation services need. */
export interface EvacuationDeps {
  panels: PanelRegistry;
  logger: Logger;
}

/** State shared by the moves of one run. */
export interface MoveRun {
  ev: Evacuation;
  from: Server;
  source: PanelAdapter;
  /** Explicit target and its inbounds; null = placement per subscription. */
  target: { server: Server; inbounds: Inbound[] } | null;
  /** Turns false at the first failed delete: the rest of the run leaves its leftovers without trying. */
  sourceReachable: boolean;
  deps: EvacuationDeps;
  /** Placement: moves of this run chosen but not committed yet, per server (the database cannot count them). */
  inFlight: Map<string, number>;
  /** Placement decisions are taken one at a time. */
  placing: Promise<unknown>;
}

type MoveOutcome = 'clean' | 'leftover' | 'raced';

/**
 * Placement for one subscription among the other servers of its plan's group (never the source),
 * counting the moves of this run still in flight against capacity. The caller releases the
 * reservation with {@link release} once the move is committed or failed.
 */
async function place(em: EntityManager, run: MoveRun, sub: Subscription): Promise<{ server: Server; inboundIds: string[] }> {
  const exclude = [run.from.id];
  for (;;) {
    const placement = await em.fork().transactional((tx) => chooseServer(tx, sub.plan, { lock: true, excludeServerIds: exclude }));
    if (!placement) throw new AppError('NO_CAPACITY', `No other server of group ${sub.plan.serverGroup} can host plan ${sub.plan.code}.`);
    const id = placement.server.id;
    // Always against a fresh count, read after the reservations: chooseServer counted before
    // reservations of this run that have committed and been released since (with none left in
    // flight, its count alone let a third move onto a server with room for two).
    const pending = run.inFlight.get(id) ?? 0;
    const used = (await activeSubscriptionCounts(em, [id])).get(id) ?? 0;
    if (used + pending >= placement.server.capacity) {
      exclude.push(id);
      continue;
    }
    run.inFlight.set(id, (run.inFlight.get(id) ?? 0) + 1);
    return { server: placement.server, inboundIds: placement.inbounds.map((i) => i.remoteId) };
  }
}

function release(run: MoveRun, serverId: string): void {
  const n = (run.inFlight.get(serverId) ?? 1) - 1;
  if (n > 0) run.inFlight.set(serverId, n);
  else run.inFlight.delete(serverId);
}

/** Where one subscription goes: the explicit target (capacity not enforced: the admin chose it), or placement. */
async function targetFor(em: EntityManager, run: MoveRun, sub: Subscription): Promise<{ server: Server; inboundIds: string[]; reserved: boolean }> {
  if (run.target) {
    const inbounds = usableInbounds(run.target.inbounds, sub.plan, run.target.server);
    if (inbounds.length === 0) throw new AppError('NO_CAPACITY', `${run.target.server.name} has no usable inbound for plan ${sub.plan.code}.`);
    return { server: run.target.server, inboundIds: inbounds.map((i) => i.remoteId), reserved: false };
  }
  const turn = run.placing.then(() => place(em, run, sub));
  run.placing = turn.catch(() => undefined);
  return { ...(await turn), reserved: true };
}

/**
 * Moves one subscription: the same client (name, UUID, password, limits, expiry) is ensured on the
 * target (by name, so a repeat never makes a second one), the subscription row points at the
 * target with the target's links (its `/sub/:token` URL is unchanged), and the source copy is
 * deleted best-effort. The name is recorded as a leftover in the move's transaction and taken off
 * once the delete succeeded, so a crash or an unreachable source leaves it for reconciliation.
 * A subscription still PROVISIONING only changes placement: its provisioning job creates it there.
 */
export async function moveOne(em: EntityManager, run: MoveRun, sub: Subscription): Promise<MoveOutcome> {
  const { server, inboundIds, reserved } = await targetFor(em, run, sub);
  let held = reserved;
  // Once the move is committed the database counts it: the reservation must go at once.
  const settle = () => {
    if (held) release(run, server.id);
    held = false;
  };
  try {
    return await moveTo(em, run, sub, server, inboundIds, settle);
  } finally {
    settle();
  }
}

async function moveTo(em: EntityManager, run: MoveRun, sub: Subscription, server: Server, inboundIds: string[], committed: () => void): Promise<MoveOutcome> {
  const provisioning = sub.status === SubscriptionStatus.PROVISIONING;
  let links = sub.links;
  if (!provisioning) {
    const adapter = run.deps.panels.adapterFor(server);
    await adapter.ensureClient({ ...clientSpecOf(sub, { enabled: sub.status === SubscriptionStatus.ACTIVE }), inboundIds });
    links = await adapter.getLinks(sub.panelName);
  }
  const moved = await em.fork().transactional(async (tx) => {
    const s = await tx.findOne(Subscription, { id: sub.id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (!s || s.server?.id !== run.from.id || !LOAD_STATUSES.includes(s.status) || (s.status === SubscriptionStatus.PROVISIONING) !== provisioning) return false;
    s.server = tx.getReference(Server, server.id);
    s.inboundIds = inboundIds;
    s.links = links;
    s.driftDetectedAt = null;
    await tx.flush();
    await tx.execute(`update evacuation set moved = moved + 1, leftover_names = array_append(leftover_names, ?), updated_at = now() where id = ?`, [
      s.panelName,
      run.ev.id,
    ]);
    return true;
  });
  committed();
  if (!moved) return 'raced';
  if (!run.sourceReachable) return 'leftover';
  try {
    await run.source.deleteClient(sub.panelName);
    return 'clean';
  } catch (err) {
    run.sourceReachable = false;
    run.deps.logger.warn({ evacuationId: run.ev.id, serverId: run.from.id, error: safeError(err) }, 'evacuation: source unreachable, leaving clients for reconciliation');
    return 'leftover';
  }
}

