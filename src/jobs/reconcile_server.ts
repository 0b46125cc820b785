import { z } from 'zod';
import { reconcileServer } from '../services/reconcile.service';
import { getSetting } from '../services/setting.service';
import { enqueue } from './enqueue';
import { defineJob } from './job.types';

declare module './enqueue' {
  interface TaskPayloads {
    /**
     * With `serverId`: reconcile that server. Without: fan out one job per server (active ones, and
     * evacuated ones with leftovers to delete). `scheduled` (the hourly cron) fans out only during
     * the UTC hour of the `reconcile_hour_utc` setting; `alert` tells the admins about drift.
     */
    reconcile_server: { serverId?: string; scheduled?: boolean; alert?: boolean; _cron?: { ts: string; backfilled?: boolean } };
  }
}

/** Attempts of a per-server reconciliation (a panel that is down now is tried again later). */
export const RECONCILE_MAX_ATTEMPTS = 3;

/**
 * Nightly and on-demand drift reconciliation: compares what our database says each panel should
 * hold with what it holds, flags drifting subscriptions, deletes evacuation leftovers, repairs by
 * policy (`reconcile_auto_repair`) and alerts the admins with a summary.
 */
export default defineJob({
  name: 'reconcile_server',
  schema: z.object({
    serverId: z.uuid().optional(),
    scheduled: z.boolean().optional(),
    alert: z.boolean().optional(),
    _cron: z.object({ ts: z.string(), backfilled: z.boolean().optional() }).optional(),
  }),
  async run(payload, ctx) {
    if (!payload.serverId) {
      if (payload.scheduled) {
        const at = payload._cron ? new Date(payload._cron.ts) : new Date();
        if (at.getUTCHours() !== (await getSetting(ctx.em, 'reconcile_hour_utc'))) return;
      }
      const rows = await ctx.em.execute<Array<{ id: string }>>(
        `select s.id from server s
          where s.active or exists (select 1 from evacuation e where e.from_server_id = s.id and cardinality(e.leftover_names) > 0)
          order by s.name`,
      );
      await ctx.em.transactional(async (tx) => {
        for (const r of rows) {
          await enqueue(tx, 'reconcile_server', { serverId: r.id, alert: payload.alert ?? payload.scheduled ?? false }, {
            jobKey: `reconcile_server:${r.id}`,
            maxAttempts: RECONCILE_MAX_ATTEMPTS,
          });
        }
      });
      ctx.logger.info({ servers: rows.length }, 'reconcile_server: fanned out');
      return;
    }
    const outcome = await reconcileServer(
      ctx.em,
      { panels: ctx.deps.panels, logger: ctx.logger },
      payload.serverId,
      { alert: payload.alert ?? false, autoRepair: await getSetting(ctx.em, 'reconcile_auto_repair') },
    );
    if (!outcome) return;
    ctx.logger.info(
      { serverId: payload.serverId, drift: outcome.report.items.length, leftoversDeleted: outcome.leftoversDeleted, alerted: outcome.alerted },
      'reconcile_server',
    );
  },
});
