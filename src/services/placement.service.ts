import type { EntityManager } from '@mikro-orm/postgresql';
import type { Inbound } from '../entities/inbound.entity';
import type { Plan } from '../entities/plan.entity';
import { Server, ServerStatus } from '../entities/server.entity';
import type { Subscription } from '../entities/subscription.entity';
import { AppError } from '../errors';
import type { AdminAlerts } from '../notifications/alerts';
import { columnsOf, mapAliased } from './row-mapping';
import { LOAD_STATUSES } from './server.service';
import { lockForTransaction } from './transaction';

/** The alert sender NO_CAPACITY goes through: detached from the caller's transaction, de-duplicated. */
export type CapacityAlerts = Pick<AdminAlerts, 'raise'>;

/**
 * Tells the admins that no server can host `plan`: the one NO_CAPACITY alert, at most once per
 * server group every quiet window, surviving the caller's rollback (a refused buyer, a provisioning
 * attempt that will be retried).
 */
export async function alertNoCapacity(alerts: CapacityAlerts, plan: Plan): Promise<void> {
  await alerts.raise({ code: 'NO_CAPACITY', subject: plan.serverGroup, facts: { plan: plan.code, group: plan.serverGroup } });
}

/** Refuses a sale with NO_CAPACITY (and alerts, when `alerts` is given) unless some server can host `plan` now. */
export async function assertCapacityFor(em: EntityManager, plan: Plan, alerts: CapacityAlerts | undefined): Promise<void> {
  if (await chooseServer(em, plan)) return;
  if (alerts) await alertNoCapacity(alerts, plan);
  throw new AppError('NO_CAPACITY');
}

/** Where a subscription goes: a server and the inbounds to put its client on. */
export interface Placement {
  server: Server;
  inbounds: Inbound[];
}

/** 3x-ui before 3.0 allows one inbound per client email (PANELS.md B, duplicate email rule). */
const ONE_INBOUND_PROFILES = new Set(['G2', 'G3', 'G4']);

/**
 * The inbounds of a server a plan can use: enabled, and of the plan's protocols (all when none
 * listed); only the first on 3x-ui versions that allow one inbound per client.
 */
export function usableInbounds(inbounds: Inbound[], plan: Plan, server?: Server): Inbound[] {
  const usable = inbounds
    .filter((i) => i.enabled && (plan.protocols.length === 0 || plan.protocols.includes(i.protocol)))
    .sort((a, b) => a.port - b.port);
  if (server?.kind === 'XUI' && ONE_INBOUND_PROFILES.has(server.versionProfile ?? '')) return usable.slice(0, 1);
  return usable;
}

/**
 * Chooses a server for a plan: in the plan's server group, active, not DOWN, below capacity, with
 * usable inbounds; the least loaded wins. null when nothing fits. Call inside a transaction and
 * pass `lock: true` when the result is used, so concurrent placements do not overfill a server.
 */
export async function chooseServer(em: EntityManager, plan: Plan, opts: { lock?: boolean; excludeServerIds?: string[] } = {}): Promise<Placement | null> {
  if (opts.lock) await lockForTransaction(em, `placement:${plan.serverGroup}`);
  const exclude = opts.excludeServerIds?.length ? opts.excludeServerIds : null;
  // One statement: the group's servers, each with its load and its inbounds.
  const rows = await em.execute<Array<Record<string, unknown> & { n: number }>>(
    `select ${columnsOf(em, 'Server', 's')}, ${columnsOf(em, 'Inbound', 'i')},
            (select count(*)::int from subscription x where x.server_id = s.id and x.status in (?)) as n
       from server s left join inbound i on i.server_id = s.id
      where s.server_group = ? and s.active = true and s.status <> ? ${exclude ? 'and s.id not in (?)' : ''}`,
    [LOAD_STATUSES, plan.serverGroup, ServerStatus.DOWN, ...(exclude ? [exclude] : [])],
  );
  const byServer = new Map<string, { server: Server; count: number; inbounds: Inbound[] }>();
  for (const row of rows) {
    const server = mapAliased<Server>(em, 'Server', row, 's')!;
    const entry = byServer.get(server.id) ?? { server, count: row.n, inbounds: [] };
    byServer.set(server.id, entry);
    const inbound = mapAliased<Inbound>(em, 'Inbound', row, 'i');
    if (inbound) entry.inbounds.push(inbound);
  }
  const candidates = [...byServer.values()]
    .map(({ server, count, inbounds }) => ({
      server,
      load: count / server.capacity,
      free: server.capacity - count,
      inbounds: usableInbounds(inbounds, plan, server),
    }))
    .filter((c) => c.free > 0 && c.inbounds.length > 0)
    // Healthy before degraded/unknown, then least loaded, then name for a stable choice.
    .sort(
      (a, b) =>
        Number(b.server.status === ServerStatus.HEALTHY) - Number(a.server.status === ServerStatus.HEALTHY) ||
        a.load - b.load ||
        a.server.name.localeCompare(b.server.name),
    );
  const best = candidates[0];
  return best ? { server: best.server, inbounds: best.inbounds } : null;
}

/**
 * Places a subscription: chooses a server for the plan (locking the placement, so call inside a
 * transaction) and assigns it and its inbounds to the subscription. null, and the subscription
 * untouched, when nothing fits. The one place a subscription gets a server.
 */
export async function placeSubscription(em: EntityManager, sub: Subscription, plan: Plan, opts: { excludeServerIds?: string[] } = {}): Promise<Placement | null> {
  const placement = await chooseServer(em, plan, { lock: true, ...opts });
  if (placement) Object.assign(sub, placementFields(placement));
  return placement;
}

/** What a placement sets on a subscription (for callers that write it themselves). */
export function placementFields(placement: Placement): Pick<Subscription, 'server' | 'inboundIds'> {
  return { server: placement.server, inboundIds: placement.inbounds.map((i) => i.remoteId) };
}
