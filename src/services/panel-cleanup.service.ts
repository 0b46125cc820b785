import type { EntityManager } from '@mikro-orm/postgresql';
import type { Server } from '../entities/server.entity';
import { SubscriptionStatus } from '../entities/subscription.entity';
import { isAppError } from '../errors';
import type { Logger } from '../logger';
import { mapLimit } from './concurrency';
import type { DriftReport } from './drift-report.service';
import type { PanelRegistry } from './panel-registry';
import { pgTextArray, safeError } from './panel-failure';
import { withSubscriptionLock } from './subscription-lock';

/** Panel calls in flight at once during a repair or a leftover clean-up. */
export const REPAIR_CONCURRENCY = 4;

/**
 * Deletes the clients an evacuation left on this (source) server, recorded in
 * `evacuation.leftover_names`, and takes them off the list; names whose subscription is back on
 * this server are only taken off. Stops at the first unreachable-panel error. Returns the deleted count.
 */
export async function cleanLeftovers(em: EntityManager, panels: PanelRegistry, server: Server): Promise<number> {
  const rows = await em.execute<Array<{ name: string }>>(
    `select distinct unnest(leftover_names) as name from evacuation where from_server_id = ? and cardinality(leftover_names) > 0`,
    [server.id],
  );
  if (rows.length === 0) return 0;
  const names = rows.map((r) => r.name);
  const back = await em.execute<Array<{ panel_name: string }>>(`select panel_name from subscription where server_id = ? and panel_name in (?)`, [server.id, names]);
  const keep = new Set(back.map((b) => b.panel_name));
  const adapter = panels.adapterFor(server);
  const done: string[] = [...keep];
  let reachable = true;
  await mapLimit(
    names.filter((n) => !keep.has(n)),
    REPAIR_CONCURRENCY,
    async (name) => {
      if (!reachable) return;
      try {
        await adapter.deleteClient(name);
        done.push(name);
      } catch (err) {
        if (isAppError(err) && err.code !== 'PANEL_REJECTED') reachable = false;
      }
    },
  );
  await forgetLeftovers(em, server.id, done);
  return done.length - keep.size;
}

/** Takes client names off the leftover lists of the evacuations from a server (gone from its panel, or back in use there). */
export async function forgetLeftovers(em: EntityManager, serverId: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await em.execute(
    `update evacuation set leftover_names = coalesce((select array_agg(n) from unnest(leftover_names) as n where not (n = any(?::text[]))), '{}'), updated_at = now()
      where from_server_id = ? and leftover_names && ?::text[]`,
    [pgTextArray(names), serverId, pgTextArray(names)],
  );
}

/**
 * Deletes the report's ENDED orphans (clients of subscriptions that were REVOKED, or FAILED and
 * refunded, e.g. created by an attempt whose answer was lost), each under its subscription's lock
 * and only while the subscription is still ended (an order retried meanwhile keeps its client).
 * Returns the names deleted; a failing delete is logged and left for the next run.
 */
export async function deleteEndedOrphans(em: EntityManager, deps: { panels: PanelRegistry; logger?: Logger }, server: Server, report: DriftReport): Promise<string[]> {
  const items = report.items.filter((i) => i.kind === 'ORPHAN' && i.orphanReason === 'ENDED' && i.subscriptionId);
  if (items.length === 0) return [];
  const adapter = deps.panels.adapterFor(server);
  const deleted: string[] = [];
  await mapLimit(items, REPAIR_CONCURRENCY, async (item) => {
    try {
      await withSubscriptionLock(em, item.subscriptionId!, async () => {
        const rows = await em.execute<Array<{ status: SubscriptionStatus; server_id: string | null }>>(`select status, server_id from subscription where id = ?`, [item.subscriptionId]);
        const s = rows[0];
        const ended = s && (s.status === SubscriptionStatus.REVOKED || s.status === SubscriptionStatus.FAILED);
        if (!ended) return;
        await adapter.deleteClient(item.panelName);
        deleted.push(item.panelName);
      });
    } catch (err) {
      deps.logger?.warn({ serverId: server.id, panelName: item.panelName, error: safeError(err) }, 'could not delete an ended orphan');
    }
  });
  return deleted;
}

