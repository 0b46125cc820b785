import { z } from 'zod';
import { runLifecyclePass } from '../services/subscription-lifecycle.service';
import { defineJob } from './job.types';

/** Cron only: no fields of its own. */
export const scheduleUsageSyncPayload = z.object({ _cron: z.object({ ts: z.string().optional(), backfilled: z.boolean().optional() }).optional() });
export type ScheduleUsageSyncPayload = z.infer<typeof scheduleUsageSyncPayload>;

declare module './enqueue' {
  interface TaskPayloads {
    schedule_usage_sync: ScheduleUsageSyncPayload;
  }
}

/**
 * Every minute (src/jobs/schedule.ts): the lifecycle pass that needs no panel (EXPIRED / DEPLETED,
 * warnings and end notices, grace-period revokes), then one sync_server_usage per server whose last
 * sync is older than the `usage_sync_minutes` setting.
 */
export default defineJob({
  name: 'schedule_usage_sync',
  schema: scheduleUsageSyncPayload,
  async run(_payload, ctx) {
    const result = await runLifecyclePass(ctx.em);
    ctx.logger.info(result, 'schedule_usage_sync');
  },
});
