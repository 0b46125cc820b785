import { z } from 'zod';
import { runLifecyclePass } from '../services/subscription-lifecycle.service';
import { defineJob } from './job.types';

/**
 * Every minute (src/jobs/schedule.ts): the lifecycle pass that needs no panel (EXPIRED / DEPLETED,
 * warnings and end notices, grace-period revokes), then one sync_server_usage per server whose last
 * sync is older than the `usage_sync_minutes` setting.
 */
export default defineJob({
  name: 'schedule_usage_sync',
  schema: z.object({ _cron: z.object({ ts: z.string().optional(), backfilled: z.boolean().optional() }).optional() }),
  async run(_payload, ctx) {
    const result = await runLifecyclePass(ctx.em);
    ctx.logger.info(result, 'schedule_usage_sync');
  },
});
