import type { EntityManager } from '@mikro-orm/postgresql';
import { Server } from '../entities/server.entity';
import type { Logger } from '../logger';
import { enqueue } from '../jobs/enqueue';
import { raiseAlert } from '../notifications/alerts';
import { repairDrift, flagDrift, type RepairResult } from './drift-repair.service';
import { buildDriftReport, driftCounts, type DriftReport } from './drift-report.service';
import { cleanLeftovers, deleteEndedOrphans } from './panel-cleanup.service';
import type { PanelRegistry } from './panel-registry';
import { getSetting } from './setting.service';

/** What a scheduled reconciliation of one server did. */
export interface ReconcileOutcome {
  report: DriftReport;
  leftoversDeleted: number;
  /** ENDED orphans deleted (with `deleteEndedOrphans`). */
  endedOrphansDeleted: string[];
  repair: RepairResult | null;
  alerted: boolean;
}

/**
 * `reconcile_server` for one server: deletes evacuation leftovers, compares, flags drifting
 * subscriptions, repairs when `autoRepair` (never deleting orphans), and when `alert` tells the
 * admins once a day per server if drift was found.
 */
export async function reconcileServer(
  em: EntityManager,
  deps: { panels: PanelRegistry; logger: Logger },
  serverId: string,
  opts: { alert: boolean; autoRepair: boolean; deleteEndedOrphans?: boolean; now?: Date },
): Promise<ReconcileOutcome | null> {
  const server = await em.findOne(Server, { id: serverId });
  if (!server) return null;
  const leftoversDeleted = await cleanLeftovers(em, deps.panels, server);
  const report = await buildDriftReport(em, deps.panels, server);
  await flagDrift(em, report);
  const endedOrphansDeleted = opts.deleteEndedOrphans ? await deleteEndedOrphans(em, deps, server, report) : [];
  let repair: RepairResult | null = null;
  if (opts.autoRepair && report.items.some((i) => i.kind !== 'ORPHAN')) {
    repair = await em.transactional((tx) => repairDrift(tx, deps, serverId, { dryRun: false, deleteOrphans: false }));
  }
  let alerted = false;
  if (opts.alert && report.items.length > 0) {
    const day = (opts.now ?? new Date()).toISOString().slice(0, 10);
    alerted = await raiseAlert(
      em,
      {
        code: 'DRIFT_DETECTED',
        subject: `${server.id}:${day}`,
        serverName: server.name,
        facts: {
          ...driftCounts(report),
          sample: [],
          repaired: repair ? { applied: repair.actions.filter((a) => a.applied).length, planned: repair.actions.length } : null,
          serverId: server.id,
        },
      },
      'once',
    );
  }
  return { report, leftoversDeleted, endedOrphansDeleted, repair, alerted };
}

/**
 * The fan-out run of `reconcile_server`: one job per server (active ones, and evacuated ones with
 * leftovers to delete), in one transaction. A scheduled run (`scheduledAt`, the hourly cron tick)
 * fans out only in the UTC hour of the `reconcile_hour_utc` setting and otherwise returns null.
 * Returns the number of servers.
 */
export async function fanOutReconciliation(em: EntityManager, opts: { alert: boolean; scheduledAt: Date | null; maxAttempts: number }): Promise<number | null> {
  if (opts.scheduledAt && opts.scheduledAt.getUTCHours() !== (await getSetting(em, 'reconcile_hour_utc'))) return null;
  const rows = await em.execute<Array<{ id: string }>>(
    `select s.id from server s
      where s.active or exists (select 1 from evacuation e where e.from_server_id = s.id and cardinality(e.leftover_names) > 0)
      order by s.name`,
  );
  await em.transactional(async (tx) => {
    for (const r of rows) {
      await enqueue(tx, 'reconcile_server', { serverId: r.id, alert: opts.alert }, { jobKey: `reconcile_server:${r.id}`, maxAttempts: opts.maxAttempts });
    }
  });
  return rows.length;
}
