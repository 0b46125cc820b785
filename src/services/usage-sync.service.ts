import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClientUsage } from '../clients/panel.types';
import { Server } from '../entities/server.entity';
import { isAppError } from '../errors';
import type { Logger } from '../logger';
import type { AdminAlerts } from '../notifications/alerts';
import type { PanelRegistry } from './panel-registry';
import { trafficUsedUpSql } from './traffic-quota';
import { auditBindings, auditStatusCte, loadLifecycleSettings, ON_PANEL_SQL, queueLifecycleMessages } from './subscription-lifecycle.service';

/** What a usage sync needs from the process. */
export interface UsageSyncDeps {
  panels: PanelRegistry;
  alerts: Pick<AdminAlerts, 'raise'>;
  logger: Logger;
}

/** Rows written per bulk statement. */
export const USAGE_BATCH_SIZE = 5000;

/** Panel calls made at once to disable ended clients. */
const DISABLE_CONCURRENCY = 4;

/** What one sync of one server did. */
export interface UsageSyncResult {
  serverId: string;
  /** Why nothing was synced: the server is gone or inactive, or its panel could not be read. */
  skipped?: 'no-server' | 'inactive' | 'panel-unavailable';
  /** Clients the panel listed (all of them, ours or not). */
  panelClients: number;
  /** Our subscriptions on this server that the panel listed. */
  matched: number;
  /** Rows written (matched minus rows changed meanwhile by a renewal, a move or a newer sync). */
  updated: number;
  /** usage_sample rows written (rows whose counters moved). */
  samples: number;
  /** Subscriptions expected on the panel but missing there (flagged drift_detected_at). */
  missing: number;
  /** Subscriptions that became EXPIRED or DEPLETED in this sync. */
  ended: number;
  /** Panel clients we disabled because our database says the subscription is not ACTIVE. */
  disabled: number;
  /** Warnings and end notices queued. */
  notifications: number;
  /** Bulk write statements issued (one per batch). */
  batches: number;
}

interface ExpectedRow {
  id: string;
  panel_name: string;
  usage_epoch: number;
}

interface PanelTotals {
  up: number;
  down: number;
  enabled: boolean;
}

/**
 * Totals per panel name (lower-cased: 3x-ui compares emails without case). A name listed twice
 * (an S-UI duplicate) is summed: both rows carried the customer's traffic.
 */
function totalsByName(usage: ClientUsage[]): Map<string, PanelTotals> {
  const out = new Map<string, PanelTotals>();
  for (const u of usage) {
    const key = u.name.toLowerCase();
    const up = Math.max(0, Math.trunc(u.upBytes) || 0);
    const down = Math.max(0, Math.trunc(u.downBytes) || 0);
    const cur = out.get(key);
    if (cur) {
      cur.up += up;
      cur.down += down;
      cur.enabled ||= u.enabled;
    } else out.set(key, { up, down, enabled: u.enabled });
  }
  return out;
}

/**
 * One bulk write of panel counters. Delta arithmetic happens in SQL against the row's current
 * `panel_*_seen`, read under FOR UPDATE (so two writers can never count the same bytes twice):
 * a counter lower than the one seen means the panel reset it, and the new counter is the delta
 * (counted from zero: never negative, nothing lost). Rows are skipped when their `usage_epoch`
 * changed since we read them (a renewal reset the counters after our panel read), when they moved
 * to another server or left the panel statuses, or when a newer sync already wrote them
 * (`last_synced_at` is the instant of the panel read). ACTIVE rows past their expiry or quota end
 * here (audited). Deltas go to usage_sample in the same statement. Rows are locked in id order,
 * as the other bulk writers do, so two of them never deadlock.
 */
const BATCH_SQL = `
with x as (
  select * from jsonb_to_recordset(?::jsonb) as x(id uuid, epoch int, up bigint, down bigint)
),
cur as (
  select s.id, s.status as old_status, x.up, x.down,
         (x.up < s.panel_up_seen or x.down < s.panel_down_seen) as reset,
         s.panel_up_seen, s.panel_down_seen, s.used_up_bytes, s.used_down_bytes, s.traffic_limit_bytes, s.expires_at
    from subscription s join x on x.id = s.id
   where s.server_id = ? and s.usage_epoch = x.epoch
     and s.status in (${ON_PANEL_SQL})
     and (s.last_synced_at is null or s.last_synced_at < ?::timestamptz)
   order by s.id
   for update of s
),
d as (
  select c.id, c.old_status, c.up, c.down,
         greatest(0, case when c.reset then c.up else c.up - c.panel_up_seen end) as du,
         greatest(0, case when c.reset then c.down else c.down - c.panel_down_seen end) as dd,
         c.used_up_bytes, c.used_down_bytes, c.traffic_limit_bytes, c.expires_at
    from cur c
),
n as (
  select d.*,
         case when d.old_status <> 'ACTIVE' then d.old_status
              when d.expires_at is not null and d.expires_at <= now() then 'EXPIRED'
              when ${trafficUsedUpSql('d.traffic_limit_bytes', 'd.used_up_bytes + d.du + d.used_down_bytes + d.dd')} then 'DEPLETED'
              else d.old_status end as new_status
    from d
),
upd as (
  update subscription s set
    used_up_bytes = s.used_up_bytes + n.du,
    used_down_bytes = s.used_down_bytes + n.dd,
    panel_up_seen = n.up,
    panel_down_seen = n.down,
    last_synced_at = ?::timestamptz,
    status = n.new_status,
    ended_at = case when n.new_status <> n.old_status then now() else s.ended_at end,
    updated_at = case when n.new_status <> n.old_status then now() else s.updated_at end
    from n where s.id = n.id
  returning s.id, n.old_status, s.status, s.ended_at, n.du, n.dd
),
samples as (
  insert into usage_sample (subscription_id, at, delta_up, delta_down)
  select u.id, ?::timestamptz, u.du, u.dd from upd u where u.du > 0 or u.dd > 0
  returning 1
),
${auditStatusCte('upd')}
select (select count(*) from upd)::int as updated,
       (select count(*) from samples)::int as samples,
       (select count(*) from upd where old_status <> status)::int as ended,
       coalesce((select json_agg(u.id) from upd u where u.status <> 'ACTIVE'), '[]'::json) as not_active`;

interface BatchResult {
  updated: number;
  samples: number;
  ended: number;
  not_active: string[] | string;
}

/**
 * sync_server_usage: pulls the usage of every client of one server with one `listUsage()` (one or
 * two panel requests whatever their number), matches it to our subscriptions by panel name and
 * writes it in bulk (one statement per {@link USAGE_BATCH_SIZE} rows, deltas to usage_sample).
 * Then: subscriptions we expect on the panel but missing there are flagged for reconciliation
 * (`drift_detected_at`, one admin alert per server); clients of subscriptions that are not ACTIVE
 * here but still enabled on the panel are disabled; warnings and end notices are queued.
 *
 * A panel that cannot be read is not an error of the job (the schedule tries again next minute
 * and check_server_health reports it): the result says `panel-unavailable`.
 */
export async function syncServerUsage(
  em: EntityManager,
  deps: UsageSyncDeps,
  serverId: string,
  opts: { batchSize?: number } = {},
): Promise<UsageSyncResult> {
  const result: UsageSyncResult = { serverId, panelClients: 0, matched: 0, updated: 0, samples: 0, missing: 0, ended: 0, disabled: 0, notifications: 0, batches: 0 };
  const server = await em.findOne(Server, { id: serverId });
  if (!server) return { ...result, skipped: 'no-server' };
  if (!server.active) return { ...result, skipped: 'inactive' };

  // Rows (and their usage epoch) are read before the panel: see BATCH_SQL.
  const expected = await em.execute<ExpectedRow[]>(
    `select id, panel_name, usage_epoch from subscription where server_id = ? and status in (${ON_PANEL_SQL})`,
    [serverId],
  );
  const adapter = deps.panels.adapterFor(server);
  const readAt = new Date();
  let usage: ClientUsage[];
  try {
    usage = await adapter.listUsage();
  } catch (err) {
    if (!isAppError(err) || !err.code.startsWith('PANEL_')) throw err;
    deps.logger.warn({ serverId, code: err.code, err: err.message }, 'usage sync: panel unavailable');
    return { ...result, skipped: 'panel-unavailable' };
  }
  result.panelClients = usage.length;
  const totals = totalsByName(usage);

  const found: Array<{ id: string; epoch: number; up: number; down: number }> = [];
  const missing: ExpectedRow[] = [];
  const nameOf = new Map<string, string>();
  for (const row of expected) {
    nameOf.set(row.id, row.panel_name);
    const t = totals.get(row.panel_name.toLowerCase());
    if (t) found.push({ id: row.id, epoch: Number(row.usage_epoch), up: t.up, down: t.down });
    else missing.push(row);
  }
  result.matched = found.length;

  const notActive: string[] = [];
  const batchSize = opts.batchSize ?? USAGE_BATCH_SIZE;
  for (let i = 0; i < found.length; i += batchSize) {
    const batch = found.slice(i, i + batchSize);
    const [r] = await em.execute<BatchResult[]>(BATCH_SQL, [
      JSON.stringify(batch),
      serverId,
      readAt.toISOString(),
      readAt.toISOString(),
      readAt.toISOString(),
      ...auditBindings(),
    ]);
    result.batches += 1;
    result.updated += r.updated;
    result.samples += r.samples;
    result.ended += r.ended;
    const ids = typeof r.not_active === 'string' ? (JSON.parse(r.not_active) as string[]) : r.not_active;
    notActive.push(...ids);
  }

  if (missing.length > 0) {
    const flagged = await em.execute<Array<{ n: number }>>(
      `with f as (
         update subscription set drift_detected_at = coalesce(drift_detected_at, now())
          where id in (select (jsonb_array_elements_text(?::jsonb))::uuid) and server_id = ? and status in (${ON_PANEL_SQL})
         returning 1
       ) select count(*)::int as n from f`,
      [JSON.stringify(missing.map((m) => m.id)), serverId],
    );
    result.missing = flagged[0].n;
    if (result.missing > 0) {
      const sample = missing.slice(0, 5).map((m) => m.panel_name);
      if (missing.length > 5) sample.push('…');
      await deps.alerts
        .raise({
          code: 'DRIFT_DETECTED',
          subject: `missing-clients:${serverId}`,
          serverName: server.name,
          facts: { missing: result.missing, wrong: 0, duplicated: 0, orphans: 0, sample, repaired: null, serverId: null },
        })
        .catch((err: unknown) => deps.logger.error({ err, serverId }, 'usage sync: drift alert failed'));
    }
  }

  const settings = await loadLifecycleSettings(em);
  result.notifications = (await queueLifecycleMessages(em, settings, { serverId })).notifications;
  await em.execute(`update server set usage_synced_at = now() where id = ?`, [serverId]);

  // The panel follows our database: a client of a subscription that is not ACTIVE here is disabled there.
  const toDisable = notActive.filter((id) => totals.get(nameOf.get(id)!.toLowerCase())?.enabled);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < toDisable.length) {
      const name = nameOf.get(toDisable[next++])!;
      try {
        await adapter.setEnabled(name, false);
        result.disabled += 1;
      } catch (err) {
        deps.logger.warn({ serverId, name, err: isAppError(err) ? err.message : String(err) }, 'usage sync: could not disable an ended client (next sync retries)');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DISABLE_CONCURRENCY, toDisable.length) }, worker));
  return result;
}

