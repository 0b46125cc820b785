import { z } from 'zod';
import { fanOutReconciliation, reconcileServer } from '../services/reconcile.service';
import { getSetting } from '../services/setting.service';
import { defineJob } from './job.types';

/**
 * With `serverId`: reconcile that server. Without: fan out one job per server (active ones, and
 * evacuated ones with leftovers to delete). `scheduled` (the hourly cron) fans out only during the
 * UTC hour of the `reconcile_hour_utc` setting; `alert` tells the admins about drift.
 */
export const reconcileServerPayload = z.object({
  serverId: z.uuid().optional(),
  scheduled: z.boolean().optional(),
  alert: z.boolean().optional(),
  _cron: z.object({ ts: z.string(), backfilled: z.boolean().optional() }).optional(),
});
export type ReconcileServerPayload = z.infer<typeof reconcileServerPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    reconcile_server: ReconcileServerPayload;
  }
}

/** Attempts of a per-server reconciliation (a panel that is down now is tried again later). */
export const RECONCILE_MAX_ATTEMPTS = 3;

/**
 * Nightly and on-demand drift reconciliation: compares what our database says each panel should
 * hold with what it holds, flags drifting subscriptions, deletes evacuation leftovers, repairs by
 * policy (`reconcile_auto_repair`), deletes ENDED orphans (`reconcile_delete_ended_orphans`, on by
 * default) and alerts the admins with a summary.
 */
export default defineJob({
  name: 'reconcile_server',
  schema: reconcileServerPayload,
  async run(payload, ctx) {
    if (!payload.serverId) {
      const servers = await fanOutReconciliation(ctx.em, {
        alert: payload.alert ?? payload.scheduled ?? false,
        scheduledAt: payload.scheduled ? (payload._cron ? new Date(payload._cron.ts) : new Date()) : null,
        maxAttempts: RECONCILE_MAX_ATTEMPTS,
      });
      if (servers !== null) ctx.logger.info({ servers }, 'reconcile_server: fanned out');
      return;
    }
    const outcome = await reconcileServer(
      ctx.em,
      { panels: ctx.deps.panels, logger: ctx.logger },
      payload.serverId,
      {
        alert: payload.alert ?? false,
        autoRepair: await getSetting(ctx.em, 'reconcile_auto_repair'),
        deleteEndedOrphans: await getSetting(ctx.em, 'reconcile_delete_ended_orphans'),
      },
    );
    if (!outcome) return;
    ctx.logger.info(
      { serverId: payload.serverId, drift: outcome.report.items.length, leftoversDeleted: outcome.leftoversDeleted, endedOrphansDeleted: outcome.endedOrphansDeleted.length, alerted: outcome.alerted },
      'reconcile_server',
    );
  },
});
